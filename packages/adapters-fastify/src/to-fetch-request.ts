import { Readable } from 'node:stream'
import type { FastifyRequest } from 'fastify'

/**
 * Translates a Fastify request into a Web Fetch `Request`: the full URL, every header, and the
 * body as a stream. Inside {@link tesseraFastify} the body is left unparsed, so it streams
 * straight from the socket (through any `preParsing` hook, such as decompression).
 *
 * @example
 * ```ts
 * fastify.post('/hook', async (request, reply) => {
 *   const payload = await toFetchRequest(request).json()
 *   return reply.code(204).send()
 * })
 * ```
 */
export function toFetchRequest(
  request: FastifyRequest,
  options: { signal?: AbortSignal } = {},
): Request {
  const raw = request.raw
  const headers = new Headers()
  for (let index = 0; index + 1 < raw.rawHeaders.length; index += 2) {
    const name = raw.rawHeaders[index]!
    // HTTP/2 pseudo-headers (":path") are not headers of a Fetch request.
    if (!name.startsWith(':')) headers.append(name, raw.rawHeaders[index + 1]!)
  }
  const init: RequestInit & { duplex?: 'half' } = {
    method: request.method,
    headers,
    signal: options.signal ?? null,
  }
  const body = requestBody(request, headers)
  if (body !== null) {
    init.body = body
    // Required by the Fetch standard for a streamed request body.
    init.duplex = 'half'
  }
  const host = /^[A-Za-z0-9.\-_~[\]:%]+$/.test(request.host) ? request.host : 'localhost'
  // Concatenated, not resolved: a path like "//other.example/x" must not change the host.
  return new Request(`${request.protocol}://${host}${request.url}`, init)
}

function requestBody(request: FastifyRequest, headers: Headers): BodyInit | null {
  if (request.method === 'GET' || request.method === 'HEAD') return null
  const body = request.body
  if (body instanceof Readable) return Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>
  if (body === undefined || body === null) return null
  // A body that a parser of the application already read: encode it again.
  headers.delete('content-length')
  if (typeof body === 'string' || body instanceof Uint8Array) return body as BodyInit
  return JSON.stringify(body)
}
