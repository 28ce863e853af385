import PQueue from 'p-queue'
import { InvalidArgumentError, parseDuration, type Duration } from '@tessera/core'

/** Settings of {@link createRateLimiter}; give at least one limit. */
export interface RateLimiterSettings {
  /** Calls in flight at once (a stream counts until it ends). */
  concurrency?: number
  /** Calls started per `interval`, in any sliding window of that length. Needs `interval`. */
  requestsPerInterval?: number
  /** The window of `requestsPerInterval`, e.g. `'1s'` or `'1m'`. */
  interval?: Duration
  /**
   * Calls started per minute, spread evenly: one every `60 000 / requestsPerMinute` ms. Vendors
   * enforce per-minute limits over shorter windows too (OpenAI and Anthropic both document that
   * 60 RPM may be enforced as 1 request per second), so a burst of a minute's budget would be
   * refused. For bursts, use `requestsPerInterval` with `interval: '1m'`.
   */
  requestsPerMinute?: number
}

/**
 * A queue of slots shared by every model that uses it (see {@link withRateLimit}): calls wait
 * in order until the concurrency and request-rate limits let them start.
 */
export interface RateLimiter {
  /**
   * Waits for a slot and resolves with the function that gives it back (call it once the work
   * is done; further calls do nothing). Aborting `signal` while waiting removes the request from
   * the queue and rejects with the signal's reason.
   */
  acquire(options?: { signal?: AbortSignal }): Promise<() => void>
  /** Runs `task` in a slot, for work other than model calls (embeddings, …). */
  run<T>(task: () => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>
  /** Calls waiting for a slot. */
  readonly waiting: number
  /** Calls holding a slot. */
  readonly running: number
}

/**
 * A rate limiter on `p-queue`: at most `concurrency` calls in flight and at most
 * `requestsPerInterval` starts in any window of `interval` (or `requestsPerMinute`, spread
 * evenly). One limiter per account or provider instance: every model sharing it shares the
 * budget. `createOpenAI({ limits })` makes one for all models of that instance.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ concurrency: 4, requestsPerMinute: 500 })
 * const mini = withRateLimit(openai('gpt-4o-mini'), limiter)
 * const big = withRateLimit(openai('gpt-4o'), limiter) // the same budget
 * ```
 */
export function createRateLimiter(settings: RateLimiterSettings): RateLimiter {
  const queue = new PQueue(queueOptions(settings))
  // Slots handed out and not yet given back (p-queue's own count lags a microtask behind).
  let running = 0
  const acquire: RateLimiter['acquire'] = ({ signal } = {}) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      // The caller's signal reaches the queue only while the call waits: once it holds a slot,
      // the slot is given back by the release function, never behind the call's back.
      const waiting = new AbortController()
      const forward = () => waiting.abort(signal!.reason)
      signal?.addEventListener('abort', forward, { once: true })
      queue
        .add(
          () =>
            new Promise<void>((release) => {
              signal?.removeEventListener('abort', forward)
              let released = false
              running++
              resolve(() => {
                if (released) return
                released = true
                running--
                release()
              })
            }),
          { signal: waiting.signal },
        )
        .catch((error: unknown) => {
          signal?.removeEventListener('abort', forward)
          reject(error)
        })
    })
  return {
    acquire,
    async run(task, options) {
      const release = await acquire(options)
      try {
        return await task()
      } finally {
        release()
      }
    },
    get waiting() {
      return queue.size
    },
    get running() {
      return running
    },
  }
}

/** True for a {@link RateLimiter} (rather than its settings). */
export function isRateLimiter(value: unknown): value is RateLimiter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RateLimiter).acquire === 'function' &&
    typeof (value as RateLimiter).run === 'function'
  )
}

function queueOptions(settings: RateLimiterSettings) {
  const fail = (argument: string, expected: string, received: unknown): never => {
    throw new InvalidArgumentError({ fn: 'createRateLimiter', argument, expected, received })
  }
  if (typeof settings !== 'object' || settings === null) {
    fail(
      'settings',
      'an object with concurrency, requestsPerInterval or requestsPerMinute',
      settings,
    )
  }
  const { concurrency, requestsPerInterval, interval, requestsPerMinute } = settings
  if (
    concurrency !== undefined &&
    !(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))
  ) {
    fail('concurrency', 'an integer >= 1 (or Infinity)', concurrency)
  }
  if (requestsPerInterval !== undefined && requestsPerMinute !== undefined) {
    fail('requestsPerMinute', 'absent when requestsPerInterval is given', requestsPerMinute)
  }
  if (requestsPerInterval !== undefined) {
    if (!Number.isInteger(requestsPerInterval) || requestsPerInterval < 1) {
      fail('requestsPerInterval', 'an integer >= 1', requestsPerInterval)
    }
    if (interval === undefined) fail('interval', "a duration such as '1s' or '1m'", interval)
  } else if (interval !== undefined) {
    fail('requestsPerInterval', 'an integer >= 1 when interval is given', requestsPerInterval)
  }
  if (
    requestsPerMinute !== undefined &&
    !(Number.isFinite(requestsPerMinute) && requestsPerMinute > 0)
  ) {
    fail('requestsPerMinute', 'a finite number > 0', requestsPerMinute)
  }
  if (
    concurrency === undefined &&
    requestsPerInterval === undefined &&
    requestsPerMinute === undefined
  ) {
    fail(
      'settings',
      'at least one of concurrency, requestsPerInterval, requestsPerMinute',
      settings,
    )
  }
  const intervalMs =
    requestsPerInterval !== undefined
      ? parseDuration(interval, 'createRateLimiter.interval')
      : requestsPerMinute !== undefined
        ? Math.ceil(60_000 / requestsPerMinute)
        : undefined
  if (intervalMs !== undefined && !(intervalMs > 0)) fail('interval', 'a duration > 0', interval)
  return {
    concurrency: concurrency ?? Infinity,
    ...(intervalMs === undefined
      ? {}
      : { intervalCap: requestsPerInterval ?? 1, interval: intervalMs, strict: true }),
  }
}
