import type { LanguageModelV1 } from '@tessera/core'
import {
  createRateLimiter,
  isRateLimiter,
  type RateLimiter,
  type RateLimiterSettings,
} from './create-rate-limiter'
import { withRateLimit } from './with-rate-limit'

/**
 * The `limits` setting of a provider factory (`createOpenAI({ limits })`): settings for one
 * limiter shared by every model of that provider instance, or a limiter shared more widely
 * (several instances on one account).
 */
export type ProviderLimits = RateLimiter | RateLimiterSettings

/**
 * For provider factories: turns their `limits` setting into a function that puts each model
 * they create behind the same limiter (made once, here). Without `limits`, models pass through
 * unchanged.
 *
 * @example
 * ```ts
 * export function createOpenAI(settings: OpenAISettings = {}) {
 *   const limit = providerLimits(settings.limits)
 *   return (modelId: string) => limit(createOpenAIModel(modelId, settings))
 * }
 * ```
 */
export function providerLimits(
  limits: ProviderLimits | undefined,
): (model: LanguageModelV1) => LanguageModelV1 {
  if (limits === undefined) return (model) => model
  const limiter = isRateLimiter(limits) ? limits : createRateLimiter(limits)
  return (model) => withRateLimit(model, limiter)
}
