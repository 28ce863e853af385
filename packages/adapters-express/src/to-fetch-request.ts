import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import type { ServerResponse } from 'node:http'
import {
  toAbortableRequest as nodeToAbortableRequest,
  toFetchRequest as nodeToFetchRequest,
  toRawRequest as nodeToRawRequest,
  type FetchRequestWithAbort,
  type NodeRawRequest,
} from '@tessera/core/node'

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
  return nodeToFetchRequest(request, {
    url: requestUrl(request),
    body: (headers) => requestBody(request, headers),
    ...(options.signal !== undefined && { signal: options.signal }),
  })
}

/**
 * The adapter's own translation: as {@link toFetchRequest}, with a small body read first (a
 * byte array is much cheaper for Fetch than a stream) and a signal made only if the handler
 * reads it (see `toAbortableRequest` of `@tessera/core/node`).
 */
export function toAbortableRequest(request: NodeRequest): Promise<FetchRequestWithAbort> {
  return nodeToAbortableRequest(request, {
    url: requestUrl(request),
    body: (headers) => requestBody(request, headers),
    readSmallBody: request.method !== 'GET' && request.method !== 'HEAD',
  })
}

/**
 * The adapter's translation for a handler with a raw entry (`handler.handle`): the URL as
 * {@link toFetchRequest} has it, Node's headers, the body read only if the handler asks (a body
 * a parser read already is encoded again, without its original `content-length`), and a signal
 * made only if the handler reads it.
 */
export function toRawRequest(request: NodeRequest, response: ServerResponse): NodeRawRequest {
  const consumed = request.readableDidRead || request.readableEnded
  const method = request.method ?? 'GET'
  if (!consumed || method === 'GET' || method === 'HEAD') {
    return nodeToRawRequest(request, { url: requestUrl(request), response })
  }
  // A body parser of the application read the body: encode its value again.
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name.startsWith(':')) continue
    if (typeof value === 'string') headers.append(name, value)
    else for (const item of value) headers.append(name, item)
  }
  const body = parsedBody(request.body, headers)
  return nodeToRawRequest(request, {
    url: requestUrl(request),
    headers,
    body: () => (body === null ? undefined : (body as string | Uint8Array)),
    response,
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

function requestBody(request: NodeRequest, headers: Headers): BodyInit | null {
  const method = request.method ?? 'GET'
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
