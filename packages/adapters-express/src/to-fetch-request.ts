import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { AbortableRequest } from './abortable-request'

/**
 * The parts of an incoming request that the adapter reads: Node's `IncomingMessage`, plus what
 * Express adds (`originalUrl`, `protocol`, `host`, and `body` when a body parser ran). An
 * Express `Request` is one; so is a plain `node:http` request.
 */
export type NodeRequest = IncomingMessage & {
  originalUrl?: string
  protocol?: string
  host?: string
  body?: unknown
}

/** Options of {@link toFetchRequest}. */
export interface ToFetchRequestOptions {
  /** Aborts the Fetch request, typically when the client disconnects. */
  signal?: AbortSignal
}

/**
 * Translates an Express (or `node:http`) request into a Web Fetch `Request`: the full URL as the
 * client sent it (`originalUrl`, so a mount path stays in it), every header, and the body as a
 * stream. When a body parser such as `express.json()` already read the body, the parsed body is
 * encoded again (JSON, or form fields for `application/x-www-form-urlencoded`).
 *
 * @example
 * ```ts
 * app.post('/hook', async (request, response) => {
 *   const fetchRequest = toFetchRequest(request)
 *   const payload = await fetchRequest.json()
 *   response.sendStatus(204)
 * })
 * ```
 */
export function toFetchRequest(request: NodeRequest, options: ToFetchRequestOptions = {}): Request {
  return buildRequest((url, init) => new Request(url, init), request, undefined, options.signal)
}

/** Bodies announced at up to this many bytes are read before the Fetch request is built. */
const smallBodyBytes = 64 * 1024

/**
 * The adapter's own translation: as {@link toFetchRequest}, with a small body read first (a
 * byte array is much cheaper for Fetch than a stream) and a signal made only if the handler
 * reads it (see {@link AbortableRequest}).
 */
export async function toAbortableRequest(request: NodeRequest): Promise<AbortableRequest> {
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
  request: NodeRequest,
  body: null | undefined,
  signal?: AbortSignal,
): R {
  const method = request.method ?? 'GET'
  const headers = new Headers()
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!
    // HTTP/2 pseudo-headers (":path") are not headers of a Fetch request.
    if (!name.startsWith(':')) headers.append(name, request.rawHeaders[index + 1]!)
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers }
  if (signal !== undefined) init.signal = signal
  const stream = body === null ? null : requestBody(request, method, headers)
  if (stream !== null) {
    init.body = stream
    // Required by the Fetch standard for a streamed request body.
    if (stream instanceof ReadableStream) init.duplex = 'half'
  }
  return create(requestUrl(request), init)
}

/**
 * Reads an unread body whose `content-length` is at most {@link smallBodyBytes} (Node's parser
 * holds the client to it). Anything else is left to stream.
 */
function readSmallBody(request: NodeRequest): Promise<Uint8Array> | undefined {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined
  if (request.readableDidRead || request.readableEnded) return undefined
  const length = Number(request.headers['content-length'] ?? Number.NaN)
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
      request.off('data', onData)
      request.off('end', onEnd)
      request.off('error', onError)
      request.off('close', onClose)
    }
    request.on('data', onData)
    request.on('end', onEnd)
    request.on('error', onError)
    request.on('close', onClose)
  })
}

function requestUrl(request: NodeRequest): string {
  const encrypted = (request.socket as { encrypted?: boolean } | undefined)?.encrypted === true
  const protocol =
    request.protocol === 'https' || request.protocol === 'http'
      ? request.protocol
      : encrypted
        ? 'https'
        : 'http'
  const host = [request.host, request.headers.host, request.headers[':authority']].find(
    (candidate): candidate is string =>
      typeof candidate === 'string' && /^[A-Za-z0-9.\-_~[\]:%]+$/.test(candidate),
  )
  const path = request.originalUrl ?? request.url ?? '/'
  // Concatenated, not resolved: a path like "//other.example/x" must not change the host.
  return `${protocol}://${host ?? 'localhost'}${path.startsWith('/') ? path : `/${path}`}`
}

function requestBody(request: NodeRequest, method: string, headers: Headers): BodyInit | null {
  if (method === 'GET' || method === 'HEAD') return null
  const consumed = request.readableDidRead || request.readableEnded
  if (consumed) return parsedBody(request.body, headers)
  if (
    headers.get('content-length') === '0' ||
    (!headers.has('content-length') && !headers.has('transfer-encoding'))
  )
    return null
  return Readable.toWeb(request) as unknown as ReadableStream<Uint8Array>
}

/** Encodes a body that a parser already turned into a value. */
function parsedBody(body: unknown, headers: Headers): BodyInit | null {
  if (body === undefined || body === null) return null
  // The original length may not match the re-encoded body.
  headers.delete('content-length')
  if (typeof body === 'string' || body instanceof Uint8Array) return body as BodyInit
  if (/^application\/x-www-form-urlencoded\b/i.test(headers.get('content-type') ?? '')) {
    const form = new URLSearchParams()
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(key, String(item))
    }
    return form.toString()
  }
  return JSON.stringify(body)
}
