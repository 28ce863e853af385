import { Readable } from 'node:stream'
import type { FastifyRequest } from 'fastify'
import { AbortableRequest } from './abortable-request'

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
  return buildRequest((url, init) => new Request(url, init), request, undefined, options.signal)
}

/** Bodies announced at up to this many bytes are read before the Fetch request is built. */
const smallBodyBytes = 64 * 1024

/**
 * The plugin's own translation: as {@link toFetchRequest}, with a small body read first (a
 * byte array is much cheaper for Fetch than a stream) and a signal made only if the handler
 * reads it (see {@link AbortableRequest}).
 */
export async function toAbortableRequest(request: FastifyRequest): Promise<AbortableRequest> {
  const bytes = await readSmallBody(request)
  return buildRequest(
    (url, init) => new AbortableRequest(url, init, bytes),
    request,
    bytes === undefined ? undefined : null,
  )
}

/** `body`: `null` when the body is handled elsewhere, `undefined` to take it from `request`. */
function buildRequest<R extends Request>(
  create: (url: string, init: RequestInit) => R,
  request: FastifyRequest,
  body: null | undefined,
  signal?: AbortSignal,
): R {
  const raw = request.raw
  const headers = new Headers()
  for (let index = 0; index + 1 < raw.rawHeaders.length; index += 2) {
    const name = raw.rawHeaders[index]!
    // HTTP/2 pseudo-headers (":path") are not headers of a Fetch request.
    if (!name.startsWith(':')) headers.append(name, raw.rawHeaders[index + 1]!)
  }
  const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers }
  if (signal !== undefined) init.signal = signal
  const stream = body === null ? null : requestBody(request, headers)
  if (stream !== null) {
    init.body = stream
    // Required by the Fetch standard for a streamed request body.
    if (stream instanceof ReadableStream) init.duplex = 'half'
  }
  const host = /^[A-Za-z0-9.\-_~[\]:%]+$/.test(request.host) ? request.host : 'localhost'
  // Concatenated, not resolved: a path like "//other.example/x" must not change the host.
  return create(`${request.protocol}://${host}${request.url}`, init)
}

/**
 * Reads a body left unparsed straight from the socket (no `preParsing` stream in between, so
 * Node's parser holds the client to its `content-length`) when that length is at most
 * {@link smallBodyBytes}. Anything else is left to stream.
 */
function readSmallBody(request: FastifyRequest): Promise<Uint8Array> | undefined {
  const raw = request.raw
  if (request.body !== raw || raw.readableDidRead || raw.readableEnded) return undefined
  const length = Number(raw.headers['content-length'] ?? Number.NaN)
  if (!(length > 0 && length <= smallBodyBytes)) return undefined
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const onData = (chunk: Buffer) => chunks.push(chunk)
    const onEnd = () => {
      cleanUp()
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
    }
    const onError = (error: Error) => {
      cleanUp()
      reject(error)
    }
    const onClose = () =>
      onError(new Error('The client closed the connection before sending the whole body'))
    const cleanUp = () => {
      raw.off('data', onData)
      raw.off('end', onEnd)
      raw.off('error', onError)
      raw.off('close', onClose)
    }
    raw.on('data', onData)
    raw.on('end', onEnd)
    raw.on('error', onError)
    raw.on('close', onClose)
  })
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
