/**
 * The `max_tokens` sent when neither the request (`maxOutputTokens`) nor the model settings give
 * one. Anthropic requires the field; these defaults stay within each model family's output limit
 * and below 21,333 tokens, the most the Anthropic SDK allows on a non-streaming request without an
 * explicit timeout (it refuses larger ones, expecting them to run for over 10 minutes):
 *
 * | model ids | default |
 * | --- | --- |
 * | `claude-3-haiku…`, `claude-3-opus…`, `claude-3-sonnet…` | 4,096 (their output limit) |
 * | `claude-3-5-…` | 8,192 (their output limit) |
 * | every other model (`claude-3-7-…`, Claude 4 and later, unknown ids) | 16,384 |
 *
 * @example
 * ```ts
 * anthropicDefaultMaxTokens('claude-3-5-haiku-latest') // 8192
 * anthropicDefaultMaxTokens('claude-sonnet-5-5') // 16384
 * ```
 */
export function anthropicDefaultMaxTokens(modelId: string): number {
  if (/^claude-3-(haiku|opus|sonnet)/.test(modelId)) return 4096
  if (modelId.startsWith('claude-3-5-')) return 8192
  return 16_384
}
