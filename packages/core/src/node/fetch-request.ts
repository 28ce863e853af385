import type { IncomingMessage } from 'node:http'
import { AbortableRequest } from './abortable-request'

/** Options of {@link toFetchRequest} and {@link toAbortableRequest}. */
export interface NodeFetchRequestOptions {
  /**
   * The full URL of the Fetch request (`https://host/path?query`). Each framework knows it in
   * its own way (a mount path, a trusted proxy), so the caller builds it.
   */
  url: string
  /**
   * The request body, given the Fetch request's headers (the function may change them, for
   * example drop `content-length` when it encodes a parsed body again). A `ReadableStream` is
   * sent as a streamed body (`duplex: 'half'`). Default: no body.
   */
  body?: (headers: Headers) => BodyInit | null
}

/** Options of {@link toFetchRequest}. */
export interface ToFetchRequestOptions extends NodeFetchRequestOptions {
  /** Aborts the Fetch request, typically when the client disconnects. */
  signal?: AbortSignal
}

/** Options of {@link toAbortableRequest}. */
export interface ToAbortableRequestOptions extends NodeFetchRequestOptions {
  /**
   * Read the body from `nodeRequest` itself before the Fetch request is built, when it is not
   * read yet and announces a `content-length` of at most 64 KiB (Node's parser holds the client
   * to it), and keep it as bytes: much cheaper for Fetch than a stream. Only set it when
   * `nodeRequest` is where the body comes from (no parser or decompression in between).
   * Otherwise, and for larger or chunked bodies, {@link NodeFetchRequestOptions.body} is used.
   * Default: `false`.
   */
  readSmallBody?: boolean
}

/** A Fetch request made by {@link toAbortableRequest}: `abortRequest(reason)` aborts its signal. */
export type FetchRequestWithAbort = Request & { abortRequest(reason: unknown): void }

/**
 * Translates a Node request (`node:http`, or a framework's request built on it) into a Web Fetch
 * `Request`: `options.url`, the method, every header (HTTP/2 pseudo-headers left out) and the
 * body `options.body` gives.
 *
 * @example
 * ```ts
 * import { Readable } from 'node:stream'
 * import { toFetchRequest } from '@tessera/core/node'
 *
 * http.createServer(async (request, response) => {
 *   const fetchRequest = toFetchRequest(request, {
 *     url: `http://${request.headers.host}${request.url}`,
 *     body: () => Readable.toWeb(request) as ReadableStream<Uint8Array>,
 *   })
 *   const payload = await fetchRequest.json()
 * })
 * ```
 */
export function toFetchRequest(
  nodeRequest: IncomingMessage,
  options: ToFetchRequestOptions,
): Request {
  return buildRequest(
    (url, init) => new Request(url, init),
    nodeRequest,
    options.url,
    options.body,
    options.signal,
  )
}

/** Bodies announced at up to this many bytes are read before the Fetch request is built. */
const smallBodyBytes = 64 * 1024

/**
 * As {@link toFetchRequest}, for an adapter serving a Fetch handler: with `readSmallBody`, a
 * small body is read first and kept as bytes (`text()`, `json()` and `arrayBuffer()` answer
 * from them), and the request's `signal` is made only if the handler reads it;
 * `abortRequest(reason)` aborts it (typically when the client disconnects).
 *
 * @example
 * ```ts
 * import { toAbortableRequest, writeFetchResponse } from '@tessera/core/node'
 *
 * http.createServer(async (request, response) => {
 *   const fetchRequest = await toAbortableRequest(request, {
 *     url: `http://${request.headers.host}${request.url}`,
 *     readSmallBody: true,
 *   })
 *   response.once('close', () => fetchRequest.abortRequest(new Error('The client left')))
 *   await writeFetchResponse(response, await handler(fetchRequest))
 * })
 * ```
 */
export async function toAbortableRequest(
  nodeRequest: IncomingMessage,
  options: ToAbortableRequestOptions,
): Promise<FetchRequestWithAbort> {
  const bytes = options.readSmallBody === true ? await readSmallBody(nodeRequest) : undefined
  return buildRequest(
    (url, init) => new AbortableRequest(url, init, bytes),
    nodeRequest,
    options.url,
    bytes === undefined ? options.body : undefined,
  )
}

function buildRequest<R extends Request>(
  create: (url: string, init: RequestInit) => R,
  nodeRequest: IncomingMessage,
  url: string,
  body: ((headers: Headers) => BodyInit | null) | undefined,
  signal?: AbortSignal,
): R {
  const raw = nodeRequest.rawHeaders
  const headers = new Headers()
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index]!
    // HTTP/2 pseudo-headers (":path") are not headers of a Fetch request.
    if (!name.startsWith(':')) headers.append(name, raw[index + 1]!)
  }
  const init: RequestInit & { duplex?: 'half' } = { method: nodeRequest.method ?? 'GET', headers }
  if (signal !== undefined) init.signal = signal
  const content = body === undefined ? null : body(headers)
  if (content !== null) {
    init.body = content
    // Required by the Fetch standard for a streamed request body.
    if (content instanceof ReadableStream) init.duplex = 'half'
  }
  return create(url, init)
}

/**
 * @internal Reads an unread body whose `content-length` is at most {@link smallBodyBytes}. Anything else
 * is left to stream (`undefined`).
 */
export function readSmallBody(request: IncomingMessage): Promise<Uint8Array> | undefined {
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
