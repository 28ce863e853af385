import { InvalidArgumentError } from '@tessera/core'
import { defaultPrices } from './default-prices'
import type { ModelPrice, TokenPrices } from './model-price'

/** Prices by `provider:modelId`, with the look-up rules of {@link createPriceTable}. */
export interface PriceTable {
  /** The price of a model, or undefined when the table does not know it. */
  priceOf(provider: string, modelId: string): ModelPrice | undefined
  /** Every entry, keyed `provider:modelId` (or `provider:*`). */
  readonly entries: Readonly<Record<string, ModelPrice>>
}

/** Entries for {@link createPriceTable}: a full price for a new model, or fields to change. */
export type PriceOverrides = Record<string, ModelPrice | Partial<ModelPrice>>

/**
 * A price table: the default prices (see `defaultPriceTable`) with `overrides` on top, keyed
 * `provider:modelId`. An override of a known model may give only the fields it changes; a new
 * model needs `input` and `output`. `provider:*` prices every model of a provider that has no
 * entry of its own (e.g. `'llama-cpp:*': { input: 0, output: 0 }`). `base: false` starts from an
 * empty table instead of the defaults.
 *
 * A look-up tries the id as given, then without a `models/` prefix, a date suffix
 * (`-2025-08-07`, `-20251001`) or `-latest`, then `provider:*`: providers answer with dated
 * snapshot ids (`gpt-4o-mini-2024-07-18`) that cost what their alias costs.
 *
 * @example
 * ```ts
 * const prices = createPriceTable({
 *   'openai-compatible:llama-3.3-70b': { input: 0.59, output: 0.79, contextWindow: 131_072 },
 *   'openai:gpt-4o': { input: 2 }, // a negotiated discount
 * })
 * ```
 */
export function createPriceTable(
  overrides: PriceOverrides = {},
  options: { base?: PriceTable | false } = {},
): PriceTable {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new InvalidArgumentError({
      fn: 'createPriceTable',
      argument: 'overrides',
      expected: 'an object of prices keyed "provider:modelId"',
      received: overrides,
    })
  }
  const base = options.base === undefined ? defaultPrices : options.base ? options.base.entries : {}
  const entries: Record<string, ModelPrice> = { ...base }
  for (const [key, override] of Object.entries(overrides)) {
    if (!/^[^:\s]+:\S+$/.test(key)) {
      throw new InvalidArgumentError({
        fn: 'createPriceTable',
        argument: 'overrides',
        expected: 'keys of the form "provider:modelId" (or "provider:*")',
        received: key,
      })
    }
    const price = { ...entries[key], ...override }
    checkPrice(price, `overrides["${key}"]`)
    entries[key] = price as ModelPrice
  }
  Object.freeze(entries)
  return {
    entries,
    priceOf(provider, modelId) {
      for (const candidate of candidateIds(modelId)) {
        const price = entries[`${provider}:${candidate}`]
        if (price) return price
      }
      return entries[`${provider}:*`]
    },
  }
}

/**
 * The default price table: current OpenAI, Anthropic and Google models with their context
 * windows (see `defaultPrices` for the date and source of the numbers).
 *
 * @example
 * ```ts
 * defaultPriceTable.priceOf('anthropic', 'claude-haiku-4-5-20251001')?.contextWindow // 200000
 * ```
 */
export const defaultPriceTable: PriceTable = createPriceTable()

/** The id as given, then with its usual decorations removed, most specific first. */
function candidateIds(modelId: string): string[] {
  const ids = [modelId]
  const add = (id: string) => {
    if (!ids.includes(id)) ids.push(id)
  }
  const bare = modelId.replace(/^models\//, '')
  add(bare)
  add(bare.replace(/-latest$/, ''))
  add(bare.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, ''))
  return ids
}

function checkPrice(price: Partial<ModelPrice>, argument: string): void {
  const fail = (field: string, expected: string, received: unknown): never => {
    throw new InvalidArgumentError({
      fn: 'createPriceTable',
      argument: `${argument}.${field}`,
      expected,
      received,
    })
  }
  checkTokenPrices(price, fail, '')
  for (const field of ['contextWindow', 'maxInputTokens'] as const) {
    const value = price[field]
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      fail(field, 'a whole number of tokens > 0', value)
    }
  }
  if (price.longContext !== undefined) {
    const tier = price.longContext
    if (typeof tier !== 'object' || tier === null) fail('longContext', 'an object', tier)
    if (!(Number.isInteger(tier.above) && tier.above >= 0)) {
      fail('longContext.above', 'a whole number of tokens >= 0', tier.above)
    }
    checkTokenPrices(tier, fail, 'longContext.')
  }
}

function checkTokenPrices(
  prices: Partial<TokenPrices>,
  fail: (field: string, expected: string, received: unknown) => never,
  prefix: string,
): void {
  for (const field of ['input', 'output', 'cachedInput'] as const) {
    const value = prices[field]
    if (value === undefined && field === 'cachedInput') continue
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      fail(`${prefix}${field}`, 'a price in US dollars per million tokens (a number >= 0)', value)
    }
  }
}
