import { InvalidArgumentError } from '../../errors/invalid-argument-error'
import { RateLimitedError } from '../../errors/rate-limited-error'
import { parseDuration, type Duration } from '../../runtime/duration'

/** Settings of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed per `per`, and the burst a quiet caller may make at once. */
  requests: number
  per: Duration
  /** Epoch ms now; `Date.now` by default. */
  clock?: { now(): number }
  /** Callers tracked at most; idle ones are forgotten first. Default 10,000. */
  maxKeys?: number
}

/** What {@link RateLimiter.take} decided. */
export type RateLimitDecision =
  { ok: true; remaining: number } | { ok: false; retryAfterMs: number }

/** A per-caller rate limiter (in this process's memory). */
export interface RateLimiter {
  /** Takes one request from `key`'s allowance. */
  take(key: string): RateLimitDecision
  /** Takes one request, or throws `RateLimitedError` with `retryAfterMs`. */
  check(key: string): void
  readonly limit: number
  readonly windowMs: number
}

/**
 * A token bucket per key (a principal id, or an IP address for anonymous callers): each key
 * holds up to `requests` tokens, refilled evenly over `per`; a request takes one. So a caller
 * may burst `requests` at once, then gets one every `per / requests`. It is kept in memory:
 * with several processes each allows its own share. Forty lines do this; a library
 * (`rate-limiter-flexible`) would add Node-only code and a dependency to `@tessera/core/http`
 * for no gain at one process.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ requests: 100, per: '1m' })
 * limiter.check(principal.id) // throws RateLimitedError once the 101st request comes within the burst
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const fn = 'createRateLimiter'
  if (!Number.isInteger(options?.requests) || options.requests < 1) {
    throw new InvalidArgumentError({
      fn,
      argument: 'requests',
      expected: 'a positive integer',
      received: options?.requests,
    })
  }
  const windowMs = parseDuration(options.per, `${fn}.per`)
  if (windowMs <= 0) {
    throw new InvalidArgumentError({
      fn,
      argument: 'per',
      expected: 'a duration above 0',
      received: options.per,
    })
  }
  const maxKeys = options.maxKeys ?? 10_000
  const clock = options.clock ?? { now: () => Date.now() }
  const capacity = options.requests
  const perMs = capacity / windowMs
  // Map order is insertion order; a key is re-inserted on each use, so the first is the idlest.
  const buckets = new Map<string, { tokens: number; at: number }>()

  const take = (key: string): RateLimitDecision => {
    const now = clock.now()
    const bucket = buckets.get(key)
    let tokens = capacity
    if (bucket) {
      tokens = Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * perMs)
      buckets.delete(key)
    } else if (buckets.size >= maxKeys) {
      buckets.delete(buckets.keys().next().value!)
    }
    if (tokens < 1) {
      buckets.set(key, { tokens, at: now })
      return { ok: false, retryAfterMs: Math.ceil((1 - tokens) / perMs) }
    }
    buckets.set(key, { tokens: tokens - 1, at: now })
    return { ok: true, remaining: Math.floor(tokens - 1) }
  }

  return {
    take,
    check(key) {
      const decision = take(key)
      if (!decision.ok) {
        throw new RateLimitedError({
          retryAfterMs: decision.retryAfterMs,
          limit: capacity,
          windowMs,
        })
      }
    },
    limit: capacity,
    windowMs,
  }
}
