import type { ServerResponse } from 'node:http'
import type { HttpRawReply } from '../http/raw-request'
import { streamRest } from './write-fetch-response'

/**
 * Writes a raw reply (`handler.handle` of `createHttpHandler`) to a Node `ServerResponse`:
 * status, headers exactly as the handler produced them, and the body. A `string` or byte body
 * goes out in one write with its `content-length`; a stream (server-sent events) chunk by chunk
 * with back-pressure, the headers first, and is cancelled if the client goes away. Resolves
 * when the response has been sent.
 *
 * @example
 * ```ts
 * import { toRawRequest, writeRawReply } from '@tessera/core/node'
 *
 * http.createServer(async (request, response) => {
 *   await writeRawReply(response, await handler.handle(toRawRequest(request, { response })))
 * })
 * ```
 */
export async function writeRawReply(response: ServerResponse, reply: HttpRawReply): Promise<void> {
  response.statusCode = reply.status
  if (reply.statusText) response.statusMessage = reply.statusText
  const headers = reply.headers
  for (const name in headers) response.setHeader(name, headers[name]!)
  const body = reply.body
  if (body === null) {
    response.end()
    return
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    if (!response.hasHeader('content-length') && !response.hasHeader('transfer-encoding')) {
      response.setHeader(
        'content-length',
        typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
      )
    }
    response.end(body)
    return
  }
  const reader = body.getReader()
  if (response.destroyed) {
    // The client is gone already: stop the producer (an event stream) instead of writing.
    await reader.cancel(new Error('The client closed the connection')).catch(() => {})
    return
  }
  // Send the headers now: a stream's next chunk may be a long time coming.
  response.flushHeaders()
  await streamRest(response, {
    read: () => reader.read(),
    cancel: (reason) => reader.cancel(reason),
  })
}
