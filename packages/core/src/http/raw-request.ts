import { HttpProblem } from './problem'

/**
 * The request headers an adapter hands to {@link HttpHandler.handle}: a plain record with
 * lower-case names (Node's `IncomingMessage.headers` is one; repeated headers as arrays or
 * joined with `, `), or a Fetch `Headers`.
 *
 * @example
 * ```ts
 * const headers: HttpRawHeaders = { 'content-type': 'application/json', 'x-api-key': key }
 * ```
 */
export type HttpRawHeaders =
  Readonly<Record<string, string | readonly string[] | undefined>> | Headers

/**
 * A request body as an adapter hands it over: the whole body (`string` or bytes), a stream of
 * byte chunks (a Fetch `ReadableStream`, or any async iterable such as a Node `Readable`), or
 * nothing (`undefined` or `null`).
 *
 * @example
 * ```ts
 * const body: HttpRawBody = new TextEncoder().encode('{"workflowId":"order-review"}')
 * ```
 */
export type HttpRawBody =
  | string
  | Uint8Array
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | null
  | undefined

/**
 * One request as an adapter hands it to {@link HttpHandler.handle}, without Fetch objects: the
 * handler reads only what it needs (a header or two, the body when the route takes one) and
 * builds a Fetch `Request` only when a route or an authenticator reads `context.request`.
 *
 * @example
 * ```ts
 * const raw: HttpRawRequest = {
 *   method: req.method!,
 *   url: req.url!, // '/runs?limit=10', or an absolute URL
 *   headers: req.headers,
 *   body: async () => readBody(req),
 *   ip: req.socket.remoteAddress,
 * }
 * const reply = await handler.handle(raw)
 * ```
 */
export interface HttpRawRequest {
  /** `GET`, `POST`, … (upper case, as received). */
  method: string
  /**
   * The path and query as the client sent them (`/runs/r1?x=1`), or the absolute URL. A path
   * is resolved against `http://<host header>` when a Fetch `Request` has to be built.
   */
  url: string
  headers: HttpRawHeaders
  /**
   * Reads the body, at most once and only when it is needed (a route with a JSON body, a
   * webhook, a request without `content-length` whose size must be checked). Omitted: no body.
   * The handler enforces `limits.bodyBytes` on what comes (413).
   */
  body?: () => HttpRawBody | Promise<HttpRawBody>
  /** The client's address (rate limits of anonymous callers, audit records). */
  ip?: string
  /**
   * The request came over TLS. Omitted: true when `url` is absolute with `https:`. Only
   * answers to secure requests carry `Strict-Transport-Security` (RFC 6797 §7.2 forbids it
   * over plain HTTP); with `trustProxy`, `X-Forwarded-Proto: https` counts as secure too.
   */
  secure?: boolean
  /**
   * Aborted when the client goes away: a signal, or a function that makes one on first use
   * (only long answers, such as the event stream, ask for it).
   */
  signal?: AbortSignal | (() => AbortSignal)
}

/**
 * The answer of {@link HttpHandler.handle}: status, headers (lower-case names; `set-cookie`
 * may be an array) and body. A `string` or byte body is complete (send it with its length); a
 * `ReadableStream` is produced as it goes (server-sent events): write chunks as they come and
 * cancel the stream when the client goes away.
 *
 * @example
 * ```ts
 * const reply = await handler.handle(raw)
 * response.writeHead(reply.status, reply.headers)
 * if (typeof reply.body === 'string' || reply.body instanceof Uint8Array) response.end(reply.body)
 * ```
 */
export interface HttpRawReply {
  status: number
  /** The reason phrase when the handler sets one (`No Content` of a CORS preflight). */
  statusText?: string
  headers: Record<string, string | string[]>
  body: string | Uint8Array | ReadableStream<Uint8Array> | null
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** @internal The value of header `name` (lower case), `undefined` when absent. */
export function rawHeader(headers: HttpRawHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined
  }
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name]
  if (value === undefined || typeof value === 'string') return value
  return value.join(', ')
}

/** @internal A body as text (UTF-8, a byte-order mark dropped, as Fetch's `text()` does). */
export function bodyText(body: string | Uint8Array | undefined): string {
  if (body === undefined) return ''
  return typeof body === 'string' ? body : decoder.decode(body)
}

/**
 * @internal The body of one request, read once and shared by the size check, the route and a Fetch
 * `Request` built later. A streamed body is read up to `maxBytes` (a 413 problem beyond).
 */
export class RequestBody {
  #read: Promise<string | Uint8Array | undefined> | undefined
  constructor(
    private readonly raw: HttpRawRequest,
    private readonly maxBytes: number,
  ) {}

  /** The whole body (`undefined`: none); read on the first call. */
  read(): Promise<string | Uint8Array | undefined> {
    return (this.#read ??= this.#load())
  }

  async #load(): Promise<string | Uint8Array | undefined> {
    // Called as a method: an adapter's raw request may be a class instance.
    const body = await this.raw.body?.()
    if (body === undefined || body === null) return undefined
    if (typeof body === 'string' || body instanceof Uint8Array) return body
    return collect(body, this.maxBytes)
  }

  /**
   * Reads a body whose size is not announced and checks it (a 413 problem when larger than
   * the limit): what the handler does before routing a request without `content-length`.
   */
  async check(): Promise<void> {
    const body = await this.read()
    if (body === undefined) return
    const size = typeof body === 'string' ? encoder.encode(body).byteLength : body.byteLength
    if (size > this.maxBytes) throw tooLarge(this.maxBytes)
  }
}

/** @internal The 413 problem of a body over `limits.bodyBytes`. */
export function tooLarge(maxBytes: number): HttpProblem {
  return new HttpProblem(
    413,
    'payload_too_large',
    `The request body is larger than ${maxBytes} bytes`,
  )
}

async function collect(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = []
  let size = 0
  const add = (chunk: Uint8Array | string): boolean => {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk
    size += bytes.byteLength
    chunks.push(bytes)
    return size <= maxBytes
  }
  if (typeof (body as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (body as ReadableStream<Uint8Array>).getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!add(value)) {
        await reader.cancel().catch(() => {})
        throw tooLarge(maxBytes)
      }
    }
  } else {
    // Leaving the loop early (`throw`) ends the iterator: a Node stream is destroyed.
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      if (!add(chunk)) throw tooLarge(maxBytes)
    }
  }
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/**
 * @internal A Fetch `Request` equal to the raw request, for the code that asks for one (a host's
 * authenticator, a webhook's `input`). Its body is the shared {@link RequestBody}.
 */
export function toFetchRequest(raw: HttpRawRequest, body: RequestBody): Request {
  const headers = new Headers()
  if (typeof (raw.headers as Headers).get === 'function') {
    ;(raw.headers as Headers).forEach((value, name) => headers.append(name, value))
  } else {
    for (const [name, value] of Object.entries(raw.headers)) {
      if (value === undefined || name.startsWith(':')) continue
      if (typeof value === 'string') headers.append(name, value)
      else for (const item of value as readonly string[]) headers.append(name, item)
    }
  }
  const init: RequestInit & { duplex?: 'half' } = { method: raw.method, headers }
  const signal = typeof raw.signal === 'function' ? raw.signal() : raw.signal
  if (signal !== undefined) init.signal = signal
  const method = raw.method.toUpperCase()
  const length = headers.get('content-length')
  const hasBody =
    method !== 'GET' &&
    method !== 'HEAD' &&
    length !== '0' &&
    (length !== null || headers.has('transfer-encoding'))
  if (hasBody) {
    init.duplex = 'half'
    init.body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const bytes = await body.read()
          if (bytes !== undefined && bytes.length > 0)
            controller.enqueue(typeof bytes === 'string' ? encoder.encode(bytes) : bytes)
          controller.close()
        } catch (error) {
          controller.error(error)
        }
      },
    })
  }
  return new Request(absoluteUrl(raw.url, rawHeader(raw.headers, 'host')), init)
}

function absoluteUrl(url: string, host: string | undefined): string {
  if (!url.startsWith('/')) return url
  const origin = host !== undefined && /^[A-Za-z0-9.\-_~[\]:%]+$/.test(host) ? host : 'localhost'
  return `http://${origin}${url}`
}

/**
 * @internal Header `name` of an authenticator's context: through `context.header` when the
 * handler gave one (no Fetch `Request` built), else from `context.request`.
 */
export function requestHeader(
  context: { header?(name: string): string | undefined; request: Request },
  name: string,
): string | undefined {
  return context.header ? context.header(name) : (context.request.headers.get(name) ?? undefined)
}
