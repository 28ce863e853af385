import type { TokenUsage } from '@tessera/core'

/** A running total of token usage and cost. */
export interface UsageTotal {
  usage: TokenUsage
  /** Undefined until some call reports a cost. */
  costUsd: number | undefined
}

/** An empty total. */
export function emptyUsageTotal(): UsageTotal {
  return { usage: { inputTokens: 0, outputTokens: 0 }, costUsd: undefined }
}

/**
 * Adds one call's (or one sub-agent's) usage and cost to a total.
 *
 * @example
 * ```ts
 * addUsage(total, response.usage, response.costUsd)
 * ```
 */
export function addUsage(
  total: UsageTotal,
  usage: TokenUsage | undefined,
  costUsd: number | undefined,
): void {
  if (usage !== undefined) {
    total.usage.inputTokens += usage.inputTokens ?? 0
    total.usage.outputTokens += usage.outputTokens ?? 0
    if (usage.cachedInputTokens !== undefined) {
      total.usage.cachedInputTokens = (total.usage.cachedInputTokens ?? 0) + usage.cachedInputTokens
    }
  }
  if (costUsd !== undefined) total.costUsd = (total.costUsd ?? 0) + costUsd
}
