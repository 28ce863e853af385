import { InvalidArgumentError, type LanguageModelV1 } from '@tessera/core'
import { assertLanguageModel } from './assert-language-model'
import { isRateLimiter, type RateLimiter } from './create-rate-limiter'
import { wrapLanguageModel } from './wrap-language-model'

/**
 * Wraps a model so that each call first takes a slot of `limiter`, and gives it back when the
 * answer is complete (for a stream: when it ends, fails or the reader stops). Aborting the
 * call's `signal` while it waits removes it from the queue. Put it inside {@link withRetry}, so
 * that each attempt takes a slot and no slot is held during the backoff wait.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ concurrency: 2 })
 * const model = withRetry(withRateLimit(anthropic('claude-haiku-4-5'), limiter))
 * ```
 */
export function withRateLimit(model: LanguageModelV1, limiter: RateLimiter): LanguageModelV1 {
  assertLanguageModel(model, 'withRateLimit', 'model')
  if (!isRateLimiter(limiter)) {
    throw new InvalidArgumentError({
      fn: 'withRateLimit',
      argument: 'limiter',
      expected: 'a RateLimiter from createRateLimiter()',
      received: limiter,
    })
  }
  return wrapLanguageModel(model, {
    async generate(request) {
      const release = await limiter.acquire({ signal: request.signal })
      try {
        return await model.generate(request)
      } finally {
        release()
      }
    },
    async *stream(request) {
      const release = await limiter.acquire({ signal: request.signal })
      try {
        yield* model.stream(request)
      } finally {
        release()
      }
    },
  })
}
