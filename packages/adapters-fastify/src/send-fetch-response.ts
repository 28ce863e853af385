import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { HttpRawReply } from '@tessera/core/http'
import { readResponseBody, type ResponseBodyReader } from '@tessera/core/node'

/**
 * Sends a Web Fetch `Response` through a Fastify reply: status, headers (several `set-cookie`
 * headers included) and body. A body that is there at once (JSON, text) is sent as one buffer;
 * a streamed body (server-sent events, for example) goes out chunk by chunk as it is produced.
 * Both go through Fastify's own sending, so `onSend` hooks and compression plugins still apply;
 * if the client goes away, the body stream is cancelled.
 *
 * @example
 * ```ts
 * fastify.get('/health', (_request, reply) => sendFetchResponse(reply, Response.json({ ok: true })))
 * ```
 */
export async function sendFetchResponse(
  reply: FastifyReply,
  response: Response,
): Promise<FastifyReply> {
  reply.code(response.status)
  if (response.statusText) reply.raw.statusMessage = response.statusText
  let cookies = false
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') cookies = true
    else reply.header(name, value)
  })
  if (cookies) reply.header('set-cookie', response.headers.getSetCookie())
  const body = await readResponseBody(response)
  if (body.kind === 'none') return reply.send()
  if (body.kind === 'bytes') {
    return reply.send(
      typeof body.bytes === 'string' ? Buffer.from(body.bytes) : toBuffer(body.bytes),
    )
  }
  return reply.send(toReadable(body.chunks, body.rest))
}

/**
 * Sends a raw reply (`handler.handle` of `createHttpHandler`) through a Fastify reply: the
 * status, the headers exactly as the handler produced them, and the body: a complete body at
 * once (Fastify leaves it and its content type as they are), a stream chunk by chunk, cancelled
 * if the client goes away. Goes through Fastify's own sending, so `onSend` hooks still apply.
 *
 * @example
 * ```ts
 * fastify.get('/runs/:id', async (request, reply) => sendRawReply(reply, await handler.handle(raw)))
 * ```
 */
export function sendRawReply(reply: FastifyReply, answer: HttpRawReply): FastifyReply {
  reply.code(answer.status)
  if (answer.statusText) reply.raw.statusMessage = answer.statusText
  const headers = answer.headers
  for (const name in headers) reply.header(name, headers[name])
  const body = answer.body
  if (body === null) return reply.send()
  if (typeof body === 'string') {
    // A string goes out as it is (no copy into a buffer; Node writes it with the headers). The
    // pass-through serializer keeps Fastify from touching it or its content type (it would add
    // `; charset=utf-8` to a JSON type).
    return reply.serializer(passThrough).send(body)
  }
  if (body instanceof Uint8Array) return reply.send(toBuffer(body))
  const reader = body.getReader()
  return reply.send(
    toReadable([], { read: () => reader.read(), cancel: (reason) => reader.cancel(reason) }),
  )
}

const passThrough = (payload: unknown) => payload as string

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** A Node stream of the chunks read already, then the rest; destroying it cancels the rest. */
function toReadable(chunks: Uint8Array[], rest: ResponseBodyReader): Readable {
  let index = 0
  return new Readable({
    read() {
      if (index < chunks.length) {
        this.push(chunks[index++])
        return
      }
      rest.read().then(
        ({ done, value }) => this.push(done ? null : value),
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      )
    },
    destroy(error, callback) {
      rest.cancel(error ?? new Error('The client closed the connection')).then(
        () => callback(error),
        () => callback(error),
      )
    },
  })
}
