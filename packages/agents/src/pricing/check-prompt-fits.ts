import { PromptTooLongError, type ModelRequest } from '@tessera/core'
import { defaultPriceTable, type PriceTable } from './create-price-table'
import { estimatePromptTokens } from './estimate-prompt-tokens'

/**
 * Refuses, before any HTTP call, a prompt that cannot fit the model: when the table knows the
 * model's input limit (`maxInputTokens`, else `contextWindow`) and the estimated prompt size
 * ({@link estimatePromptTokens}, ~4 characters per token) is larger, it throws a
 * `PromptTooLongError` with `estimated: true`. Unknown models and prompts that seem to fit pass;
 * the provider's own error still covers what the estimate misses. Returns the estimate.
 *
 * @example
 * ```ts
 * checkPromptFits({ provider: 'openai', modelId: 'gpt-4o' }, request) // throws if about > 128K tokens
 * ```
 */
export function checkPromptFits(
  model: { provider: string; modelId: string },
  request: ModelRequest,
  table: PriceTable = defaultPriceTable,
): number {
  const tokens = estimatePromptTokens(request)
  const price = table.priceOf(model.provider, model.modelId)
  const limit = price?.maxInputTokens ?? price?.contextWindow
  if (limit !== undefined && tokens > limit) {
    throw new PromptTooLongError({
      provider: model.provider,
      modelId: model.modelId,
      tokens,
      limit,
      estimated: true,
    })
  }
  return tokens
}
