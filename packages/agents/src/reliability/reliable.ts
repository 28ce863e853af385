import { type Duration, type LanguageModelV1 } from '@tessera/core'
import { withCache } from '../cache/with-cache'
import type { ResponseCache } from '../cache/create-response-cache'
import { defaultPriceTable, type PriceTable } from '../pricing/create-price-table'
import { withContextCheck } from '../pricing/with-context-check'
import { withCost } from '../pricing/with-cost'
import { assertLanguageModel } from './assert-language-model'
import {
  createRateLimiter,
  isRateLimiter,
  type RateLimiter,
  type RateLimiterSettings,
} from './create-rate-limiter'
import { withRateLimit } from './with-rate-limit'
import { withRetry, type ModelRetryOptions } from './with-retry'
import { withTimeout } from './with-timeout'

/** Options of {@link reliable}; each layer is left out when its option is. */
export interface ReliableOptions {
  /** Retries ({@link withRetry}); default `{}` (3 attempts), `false` for none. */
  retry?: ModelRetryOptions | false
  /** A shared limiter, or settings for a limiter of this model alone ({@link withRateLimit}). */
  limiter?: RateLimiter | RateLimiterSettings
  /** A time limit per attempt ({@link withTimeout}). */
  timeout?: Duration
  /** A response cache ({@link withCache}). */
  cache?: ResponseCache
  /**
   * Prices for `costUsd` ({@link withCost}) and the context-window check before each call
   * ({@link withContextCheck}). Default: the default price table; `false` for neither.
   */
  prices?: PriceTable | false
}

/**
 * The usual layers around a model, in the order that makes each one work, from the outside in:
 *
 * 1. cache: a hit answers at once, with no retry, slot, timeout or cost;
 * 2. cost: prices the answer that came back, whichever attempt gave it;
 * 3. context check: a prompt too long for the window fails before anything else, and is not
 *    retried (it would fail again);
 * 4. retry: each attempt goes through the layers below; the backoff wait holds no slot;
 * 5. rate limit: each attempt takes a slot, so retries count against the budget as the vendor
 *    counts them;
 * 6. timeout: per attempt, from the moment the attempt holds its slot (time in the queue does
 *    not count), and its `timeout` error is retryable.
 *
 * For a fallback chain, make each model `reliable` (its own retries and limits) and put the
 * cache around the chain: `withCache(fallback([reliable(a), reliable(b)]), cache)`.
 *
 * @example
 * ```ts
 * const model = reliable(openai('gpt-4o-mini'), {
 *   retry: { attempts: 4 },
 *   limiter: sharedLimiter,
 *   timeout: '30s',
 *   cache: createResponseCache({ ttl: '1h' }),
 * })
 * ```
 */
export function reliable(model: LanguageModelV1, options: ReliableOptions = {}): LanguageModelV1 {
  assertLanguageModel(model, 'reliable', 'model')
  let layered = model
  if (options.timeout !== undefined) layered = withTimeout(layered, options.timeout)
  if (options.limiter !== undefined) {
    const limiter = isRateLimiter(options.limiter)
      ? options.limiter
      : createRateLimiter(options.limiter)
    layered = withRateLimit(layered, limiter)
  }
  if (options.retry !== false) layered = withRetry(layered, options.retry ?? {})
  const prices = options.prices === undefined ? defaultPriceTable : options.prices
  if (prices !== false) layered = withCost(withContextCheck(layered, prices), prices)
  if (options.cache !== undefined) layered = withCache(layered, options.cache)
  return layered
}
