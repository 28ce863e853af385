import {
  bodyText,
  rawHeader,
  toFetchRequest,
  type HttpRawRequest,
  type RequestBody,
} from './raw-request'
import type { RouteContext, RouteServices } from './route'
import type { Principal, RequestContext } from './types'

/**
 * @internal One request on its way through the handler: the context an authenticator reads,
 * then, with its validated input and principal filled in, the context a route reads. One object
 * per request, its lazy parts (the Fetch `Request`, the abort signal, the `header` and `text`
 * functions) on the prototype and made only when read: the handler's per-request cost is what
 * the route needs, not what it might.
 */
export class RequestState implements RequestContext, RouteContext {
  params: any = undefined
  query: any = undefined
  body: any = undefined
  principal: Principal | undefined = undefined
  readonly method: string
  #ip: string | undefined | null = null
  #request: Request | undefined
  #header: ((name: string) => string | undefined) | undefined
  #text: (() => Promise<string>) | undefined

  constructor(
    readonly raw: HttpRawRequest,
    readonly requestBody: RequestBody,
    readonly requestId: string,
    readonly routeId: string,
    readonly services: RouteServices,
    fetchRequest: Request | undefined,
    private readonly trustProxy: boolean,
  ) {
    this.method = raw.method
    this.#request = fetchRequest
  }

  /**
   * The client's address: the first `x-forwarded-for` address when the handler trusts a proxy,
   * else what the adapter reported. Read on first use (an adapter may find it lazily: it can
   * cost a system call).
   */
  get ip(): string | undefined {
    if (this.#ip === null) {
      let ip = this.raw.ip
      if (this.trustProxy) {
        const forwarded = rawHeader(this.raw.headers, 'x-forwarded-for')?.split(',')[0]?.trim()
        if (forwarded) ip = forwarded
      }
      this.#ip = ip
    }
    return this.#ip
  }

  /** The Fetch `Request`, built on first read (the Fetch entry hands its own). */
  get request(): Request {
    return (this.#request ??= toFetchRequest(this.raw, this.requestBody))
  }

  /**
   * A request header (case-insensitive). A getter returning one function per request, so that a
   * host's authenticator may destructure it (`({ header }) => header('x-api-key')`).
   */
  get header(): (name: string) => string | undefined {
    return (this.#header ??= (name: string) => rawHeader(this.raw.headers, name.toLowerCase()))
  }

  /** The raw body as text, read once (shared with validation and a Fetch `Request`). */
  get text(): () => Promise<string> {
    return (this.#text ??= async () => bodyText(await this.requestBody.read()))
  }

  /** Aborted when the client goes away: the Fetch request's, or the adapter's, made on first read. */
  get signal(): AbortSignal {
    if (this.#request !== undefined) return this.#request.signal
    const raw = this.raw
    const signal = typeof raw.signal === 'function' ? raw.signal() : raw.signal
    // Without one from the adapter, a signal that never aborts.
    return signal ?? new AbortController().signal
  }
}
