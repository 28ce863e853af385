import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '@tessera/core'
import { costOf } from './cost-of'
import { createPriceTable, defaultPriceTable } from './create-price-table'

describe('costOf', () => {
  it('prices input and output tokens per million', () => {
    const cost = costOf({
      provider: 'openai',
      modelId: 'gpt-4o-mini',
      usage: { inputTokens: 1000, outputTokens: 200 },
    })
    expect(cost).toBe(0.00027) // 1000 × 0.15 + 200 × 0.60, per million
  })

  it('prices cached input tokens at the cached-input price', () => {
    const cost = costOf({
      provider: 'anthropic',
      modelId: 'claude-haiku-4-5',
      usage: { inputTokens: 10_000, cachedInputTokens: 8000, outputTokens: 100 },
    })
    // 2000 × $1 + 8000 × $0.10 + 100 × $5, per million
    expect(cost).toBe(0.0033)
  })

  it('bills a prompt over the long-context threshold at the long-context prices', () => {
    const usage = { inputTokens: 300_000, outputTokens: 1000 }
    const cost = costOf({ provider: 'google', modelId: 'gemini-2.5-pro', usage })
    expect(cost).toBe(0.765) // 300,000 × $2.50 + 1000 × $15, per million
  })

  it('finds dated snapshots, models/ prefixes and -latest under their alias', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0 }
    expect(costOf({ provider: 'openai', modelId: 'gpt-4o-mini-2024-07-18', usage })).toBe(0.15)
    expect(costOf({ provider: 'anthropic', modelId: 'claude-haiku-4-5-20251001', usage })).toBe(1)
    expect(costOf({ provider: 'google', modelId: 'models/gemini-2.5-flash', usage })).toBe(0.3)
  })

  it('is undefined for a model the table does not know: an unknown cost is not zero', () => {
    const usage = { inputTokens: 10, outputTokens: 10 }
    expect(costOf({ provider: 'openai', modelId: 'gpt-unknown', usage })).toBeUndefined()
    expect(costOf({ provider: 'llama-cpp', modelId: 'qwen', usage })).toBeUndefined()
  })

  it('uses provider wildcards of a custom table', () => {
    const table = createPriceTable({ 'llama-cpp:*': { input: 0, output: 0 } })
    const usage = { inputTokens: 10, outputTokens: 10 }
    expect(costOf({ provider: 'llama-cpp', modelId: 'qwen', usage }, table)).toBe(0)
  })

  it('rejects a usage that is not token counts', () => {
    expect(() =>
      costOf({ provider: 'openai', modelId: 'gpt-4o', usage: { inputTokens: -1 } as never }),
    ).toThrow(InvalidArgumentError)
  })
})

describe('createPriceTable', () => {
  it('extends the defaults, and an override of a known model may change one field', () => {
    const table = createPriceTable({
      'openai:gpt-4o': { input: 2 },
      'openai-compatible:llama-3.3-70b': { input: 0.59, output: 0.79, contextWindow: 131_072 },
    })
    expect(table.priceOf('openai', 'gpt-4o')).toMatchObject({ input: 2, output: 10 })
    expect(table.priceOf('openai-compatible', 'llama-3.3-70b')?.contextWindow).toBe(131_072)
    expect(table.priceOf('anthropic', 'claude-opus-4-5')).toEqual(
      defaultPriceTable.priceOf('anthropic', 'claude-opus-4-5'),
    )
    // The default table itself is unchanged.
    expect(defaultPriceTable.priceOf('openai', 'gpt-4o')?.input).toBe(2.5)
  })

  it('starts empty with base: false', () => {
    const table = createPriceTable({ 'x:y': { input: 1, output: 2 } }, { base: false })
    expect(Object.keys(table.entries)).toEqual(['x:y'])
  })

  it('rejects malformed keys and prices with a typed error naming them', () => {
    expect(() => createPriceTable({ 'gpt-4o': { input: 1, output: 1 } })).toThrow(
      /provider:modelId/,
    )
    expect(() => createPriceTable({ 'x:new': { input: 1 } })).toThrow(
      /overrides\["x:new"\]\.output/,
    )
    expect(() => createPriceTable({ 'x:y': { input: 1, output: 1, contextWindow: 0.5 } })).toThrow(
      InvalidArgumentError,
    )
  })

  it('keys every default price by one of the three vendors, with output dearer than input', () => {
    const entries = Object.entries(defaultPriceTable.entries)
    expect(entries.length).toBeGreaterThan(30)
    for (const [key, price] of entries) {
      expect(key).toMatch(/^(openai|anthropic|google):/)
      expect(price.output).toBeGreaterThan(price.input)
    }
  })
})
