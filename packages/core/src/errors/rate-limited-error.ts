import { TesseraError } from './tessera-error'

/**
 * A caller made more requests than its rate limit allows. `retryAfterMs` says when the next one
 * will be accepted; the HTTP handler sends it as `Retry-After` (whole seconds, rounded up).
 *
 * @example
 * ```ts
 * throw new RateLimitedError({ retryAfterMs: 1200, limit: 100, windowMs: 60_000 })
 * // Rate limit of 100 requests per 60000 ms exceeded; retry after 1200 ms
 * ```
 */
export class RateLimitedError extends TesseraError {
  readonly retryAfterMs: number
  readonly limit: number | undefined
  readonly windowMs: number | undefined
  constructor(options: { retryAfterMs: number; limit?: number; windowMs?: number }) {
    const retryAfterMs = Math.max(0, Math.ceil(options.retryAfterMs))
    const rule =
      options.limit === undefined
        ? 'Rate limit'
        : `Rate limit of ${options.limit} request${options.limit === 1 ? '' : 's'}${options.windowMs === undefined ? '' : ` per ${options.windowMs} ms`}`
    super('rate_limited', `${rule} exceeded; retry after ${retryAfterMs} ms`, { retryable: true })
    this.name = 'RateLimitedError'
    this.retryAfterMs = retryAfterMs
    this.limit = options.limit
    this.windowMs = options.windowMs
  }
  static override isInstance(value: unknown): value is RateLimitedError {
    return TesseraError.isInstance(value) && value.code === 'rate_limited'
  }
  override details() {
    return {
      retryAfterMs: this.retryAfterMs,
      ...(this.limit === undefined ? {} : { limit: this.limit }),
      ...(this.windowMs === undefined ? {} : { windowMs: this.windowMs }),
    }
  }
}
