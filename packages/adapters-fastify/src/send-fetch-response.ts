import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'

/**
 * Sends a Web Fetch `Response` through a Fastify reply: status, headers (several `set-cookie`
 * headers included) and body. A streamed body (server-sent events, for example) goes out chunk
 * by chunk as it is produced, through Fastify's own stream handling, so `onSend` hooks and
 * compression plugins still apply; if the client goes away, the body stream is cancelled.
 *
 * @example
 * ```ts
 * fastify.get('/health', (_request, reply) => sendFetchResponse(reply, Response.json({ ok: true })))
 * ```
 */
export function sendFetchResponse(reply: FastifyReply, response: Response): FastifyReply {
  reply.code(response.status)
  if (response.statusText) reply.raw.statusMessage = response.statusText
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') reply.header(name, value)
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) reply.header('set-cookie', cookies)
  if (response.body === null) return reply.send()
  return reply.send(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
  )
}
