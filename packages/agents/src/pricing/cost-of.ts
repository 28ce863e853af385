import { InvalidArgumentError, type TokenUsage } from '@tessera/core'
import { defaultPriceTable, type PriceTable } from './create-price-table'

/**
 * The cost of one call in US dollars, from its token usage and the model's price: cached input
 * tokens at the cached-input price (the input price when the table has none), the rest of the
 * input at the input price, output (reasoning included) at the output price; a prompt over the
 * model's `longContext.above` is billed at the long-context prices. `inputTokens` counts every
 * input token, `cachedInputTokens` among them, as the port's `TokenUsage` does.
 *
 * Undefined when the table does not know the model: an unknown cost is not a zero cost.
 *
 * @example
 * ```ts
 * costOf({ provider: 'openai', modelId: 'gpt-4o-mini', usage: { inputTokens: 1000, outputTokens: 200 } })
 * // 0.00027 (1000 × $0.15 + 200 × $0.60, per million)
 * ```
 */
export function costOf(
  call: { provider: string; modelId: string; usage: TokenUsage },
  table: PriceTable = defaultPriceTable,
): number | undefined {
  const usage = call?.usage
  const count = (field: keyof TokenUsage, optional: boolean): number => {
    const value = usage?.[field]
    if (optional && value === undefined) return 0
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new InvalidArgumentError({
        fn: 'costOf',
        argument: `usage.${field}`,
        expected: 'a token count (a number >= 0)',
        received: value,
      })
    }
    return value
  }
  const inputTokens = count('inputTokens', false)
  const outputTokens = count('outputTokens', false)
  const cachedInputTokens = Math.min(count('cachedInputTokens', true), inputTokens)
  const price = table.priceOf(call.provider, call.modelId)
  if (price === undefined) return undefined
  const tier =
    price.longContext !== undefined && inputTokens > price.longContext.above
      ? price.longContext
      : price
  const dollars =
    (inputTokens - cachedInputTokens) * tier.input +
    cachedInputTokens * (tier.cachedInput ?? tier.input) +
    outputTokens * tier.output
  // Rounded to 1e-10 dollars, far below any invoice, which hides float noise (0.1 + 0.2).
  return Math.round(dollars * 1e4) / 1e10
}
