import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpRawBody, HttpRawHeaders, HttpRawRequest } from '../http/raw-request'
import { readSmallBody } from './fetch-request'

/**
 * Options of {@link toRawRequest}.
 *
 * @example
 * ```ts
 * const options: ToRawRequestOptions = { url: request.originalUrl, response }
 * ```
 */
export interface ToRawRequestOptions {
  /** The path and query (`/runs?limit=5`) or the absolute URL. Default `nodeRequest.url`. */
  url?: string
  /**
   * The client's address, or a function that finds it (called once, when the handler first
   * reads `ip`: only the audit trail, rate limits and authenticators do). Default: the
   * socket's remote address, read when first asked for.
   */
  ip?: string | (() => string | undefined)
  /** The headers. Default `nodeRequest.headers`. */
  headers?: HttpRawHeaders
  /**
   * The request came over TLS, or a function that tells (called when the handler first asks:
   * answers to secure requests carry `Strict-Transport-Security`). Default: the socket is a
   * TLS socket. Frameworks that honour a trusted proxy's `X-Forwarded-Proto` pass their view
   * (`request.protocol === 'https'` in Fastify, `request.secure` in Express).
   */
  secure?: boolean | (() => boolean)
  /**
   * The body. Default: read from `nodeRequest` itself (a small body with a `content-length` of
   * at most 64 KiB as bytes, any other as the stream). Give it when a framework read the body
   * already or when it comes through another stream (decompression).
   */
  body?: () => HttpRawBody | Promise<HttpRawBody>
  /**
   * The response: when the handler asks for the request's `signal`, it is aborted if this
   * response closes before it finished (the client went away). No listener is added otherwise.
   */
  response?: ServerResponse
}

/**
 * A raw request (`handler.handle` of `createHttpHandler`) made by {@link toRawRequest}:
 * `abortRequest(reason)` aborts its signal.
 *
 * @example
 * ```ts
 * const raw: NodeRawRequest = toRawRequest(request)
 * request.once('aborted', () => raw.abortRequest(new Error('The client left')))
 * ```
 */
export type NodeRawRequest = HttpRawRequest & { abortRequest(reason: unknown): void }

/**
 * Translates a Node request into the raw request of `handler.handle` (see
 * `createHttpHandler`), without Fetch objects: the headers object as Node parsed it, the body
 * read only when the handler asks for it, a signal made only if the handler reads it.
 *
 * @example
 * ```ts
 * import http from 'node:http'
 * import { toRawRequest, writeRawReply } from '@tessera/core/node'
 *
 * http.createServer(async (request, response) => {
 *   const reply = await handler.handle(toRawRequest(request, { response }))
 *   await writeRawReply(response, reply)
 * })
 * ```
 */
export function toRawRequest(
  nodeRequest: IncomingMessage,
  options: ToRawRequestOptions = {},
): NodeRawRequest {
  return new NodeRequestView(nodeRequest, options)
}

/**
 * One Node request seen as a raw request. A class, so that what the handler may never read
 * (the client's address, the abort signal) costs a field, not a closure, per request.
 */
class NodeRequestView implements NodeRawRequest {
  readonly method: string
  readonly url: string
  readonly headers: HttpRawHeaders
  #node: IncomingMessage
  #response: ServerResponse | undefined
  #body: ToRawRequestOptions['body']
  #ip: ToRawRequestOptions['ip'] | null
  #secure: ToRawRequestOptions['secure']
  #controller: AbortController | undefined
  #aborted = false
  #reason: unknown

  constructor(node: IncomingMessage, options: ToRawRequestOptions) {
    this.#node = node
    this.method = node.method ?? 'GET'
    this.url = options.url ?? node.url ?? '/'
    this.headers = options.headers ?? node.headers
    this.#body = options.body
    this.#response = options.response
    this.#ip = options.ip ?? null
    this.#secure = options.secure
  }

  get secure(): boolean {
    const secure = this.#secure
    if (typeof secure === 'boolean') return secure
    this.#secure =
      secure === undefined
        ? (this.#node.socket as { encrypted?: boolean } | null)?.encrypted === true
        : secure()
    return this.#secure
  }

  get ip(): string | undefined {
    const ip = this.#ip
    if (typeof ip === 'string' || ip === undefined) return ip
    this.#ip = ip === null ? this.#node.socket?.remoteAddress : ip()
    return this.#ip as string | undefined
  }

  body(): HttpRawBody | Promise<HttpRawBody> {
    return this.#body !== undefined ? this.#body() : nodeBody(this.#node)
  }

  signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      const response = this.#response
      if (this.#aborted) this.#controller.abort(this.#reason)
      else if (response !== undefined) {
        const left = () => {
          if (!response.writableFinished) {
            this.abortRequest(new Error('The client closed the connection'))
          }
        }
        // The client may have gone while the handler was busy (the close event is past).
        if (response.destroyed) left()
        else response.once('close', left)
      }
    }
    return this.#controller.signal
  }

  abortRequest(why: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = why
    this.#controller?.abort(why)
  }
}

/**
 * @internal The body of a Node request that nothing read yet: `undefined` when there is none (GET, HEAD,
 * `content-length: 0`, neither a length nor chunks), bytes when it announces at most 64 KiB,
 * else the request itself (an async iterable of chunks).
 */
export function nodeBody(nodeRequest: IncomingMessage): HttpRawBody | Promise<HttpRawBody> {
  const method = nodeRequest.method
  if (method === 'GET' || method === 'HEAD') return undefined
  if (nodeRequest.readableDidRead || nodeRequest.readableEnded) return undefined
  const length = nodeRequest.headers['content-length']
  if (length === '0') return undefined
  if (length === undefined && nodeRequest.headers['transfer-encoding'] === undefined)
    return undefined
  return readSmallBody(nodeRequest) ?? nodeRequest
}
