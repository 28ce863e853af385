import type { TokenUsage } from '@tessera/core'

/** The token counts of Anthropic's `usage` (a message's, or a stream's merged one). */
export interface AnthropicUsage {
  input_tokens?: number | null
  output_tokens?: number | null
  cache_read_input_tokens?: number | null
  cache_creation_input_tokens?: number | null
}

/**
 * The port's token usage for Anthropic's `usage`. Anthropic counts cache reads and cache writes
 * apart from `input_tokens`; `inputTokens` here is the whole prompt (all three added up), and
 * `cachedInputTokens` the part read from the prompt cache (`cache_read_input_tokens`), so every
 * provider reports input the same way.
 *
 * @example
 * ```ts
 * toTokenUsage({ input_tokens: 20, output_tokens: 5, cache_read_input_tokens: 100 })
 * // { inputTokens: 120, outputTokens: 5, cachedInputTokens: 100 }
 * ```
 */
export function toTokenUsage(usage: AnthropicUsage | null | undefined): TokenUsage {
  const cacheRead = usage?.cache_read_input_tokens ?? undefined
  const inputTokens =
    (usage?.input_tokens ?? 0) + (cacheRead ?? 0) + (usage?.cache_creation_input_tokens ?? 0)
  return {
    inputTokens,
    outputTokens: usage?.output_tokens ?? 0,
    ...(typeof cacheRead === 'number' ? { cachedInputTokens: cacheRead } : {}),
  }
}
