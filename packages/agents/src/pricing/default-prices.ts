import type { ModelPrice } from './model-price'

/** GPT-5, -mini and -nano: 400K tokens in all, at most 272K of them input. */
const gpt5Window = { contextWindow: 400_000, maxInputTokens: 272_000 } as const

/** Every Gemini model above reads 1,048,576 input tokens. */
const geminiWindow = 1_048_576

/** Claude Sonnet 4 and 4.5: 200K tokens, or 1M with the long-context beta at higher prices. */
const sonnet4: ModelPrice = {
  input: 3,
  cachedInput: 0.3,
  output: 15,
  contextWindow: 200_000,
  longContext: { above: 200_000, input: 6, cachedInput: 0.6, output: 22.5 },
}

/** Claude Opus 4 and 4.1. */
const opus4: ModelPrice = { input: 15, cachedInput: 1.5, output: 75, contextWindow: 200_000 }

/**
 * The default prices, in US dollars per million tokens, keyed `provider:modelId`. Compiled on
 * 2026-11-26 from the vendors' own pages:
 * - OpenAI: developers.openai.com/api/docs/pricing and the model pages under
 *   developers.openai.com/api/docs/models (GPT-5.6 Sol's cached-input price is not on a page we
 *   read; it is one tenth of input, as on every other GPT-5.x page).
 * - Anthropic: platform.claude.com/docs/en/about-claude/pricing ("Cache hits and refreshes" is
 *   the cached-input price; cache writes are not modelled).
 * - Google: ai.google.dev/gemini-api/docs/pricing (Standard tier, text input), as published on
 *   2026-10-07. Gemini 3.8 Flash's price is introductory until 2026-12-31 ($1.50 / $7.50 from
 *   2027-01-01).
 * Prices change: check them before you bill anyone, and override with `createPriceTable`.
 * Batch, flex and priority tiers, audio and image tokens are not covered.
 *
 * @example
 * ```ts
 * defaultPrices['openai:gpt-5.6-luna'] // { input: 0.2, cachedInput: 0.02, output: 1.2, … }
 * ```
 */
export const defaultPrices: Readonly<Record<string, ModelPrice>> = {
  // OpenAI. GPT-5.4 and later: a prompt over 272K tokens costs 2x input and 1.5x output.
  'openai:gpt-5.6-sol': openAiLong({ input: 4, cachedInput: 0.4, output: 20 }, 1_050_000),
  'openai:gpt-5.6': openAiLong({ input: 4, cachedInput: 0.4, output: 20 }, 1_050_000),
  'openai:gpt-5.6-terra': openAiLong({ input: 2, cachedInput: 0.2, output: 12 }, 1_050_000),
  'openai:gpt-5.6-luna': openAiLong({ input: 0.2, cachedInput: 0.02, output: 1.2 }, 1_050_000),
  'openai:gpt-5.5': openAiLong({ input: 5, cachedInput: 0.5, output: 30 }, 1_050_000),
  'openai:gpt-5.4': openAiLong({ input: 2.5, cachedInput: 0.25, output: 15 }, 1_050_000),
  'openai:gpt-5.4-mini': { input: 0.75, cachedInput: 0.075, output: 4.5, contextWindow: 400_000 },
  'openai:gpt-5.4-nano': { input: 0.2, cachedInput: 0.02, output: 1.25 },
  'openai:gpt-5': { input: 1.25, cachedInput: 0.125, output: 10, ...gpt5Window },
  'openai:gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2, ...gpt5Window },
  'openai:gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4, ...gpt5Window },
  'openai:gpt-4.1': { input: 2, cachedInput: 0.5, output: 8, contextWindow: 1_047_576 },
  'openai:gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6, contextWindow: 1_047_576 },
  'openai:gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4, contextWindow: 1_047_576 },
  'openai:gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10, contextWindow: 128_000 },
  'openai:gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6, contextWindow: 128_000 },
  'openai:o3': { input: 2, cachedInput: 0.5, output: 8, contextWindow: 200_000 },
  'openai:o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4, contextWindow: 200_000 },

  // Anthropic.
  'anthropic:claude-opus-5-5': { input: 4, cachedInput: 0.2, output: 20, contextWindow: 1_000_000 },
  'anthropic:claude-opus-5': { input: 5, cachedInput: 0.5, output: 25, contextWindow: 1_000_000 },
  'anthropic:claude-sonnet-5-5': {
    input: 2,
    cachedInput: 0.1,
    output: 10,
    contextWindow: 1_000_000,
  },
  'anthropic:claude-sonnet-5': { input: 2, cachedInput: 0.2, output: 10, contextWindow: 1_000_000 },
  'anthropic:claude-haiku-5-5': {
    input: 0.1,
    cachedInput: 0.01,
    output: 0.5,
    contextWindow: 1_000_000,
    longContext: { above: 100_000, input: 0.5, cachedInput: 0.05, output: 2.5 },
  },
  'anthropic:claude-opus-4-8': { input: 5, cachedInput: 0.5, output: 25, contextWindow: 1_000_000 },
  'anthropic:claude-opus-4-7': { input: 5, cachedInput: 0.5, output: 25, contextWindow: 1_000_000 },
  'anthropic:claude-opus-4-6': { input: 5, cachedInput: 0.5, output: 25, contextWindow: 1_000_000 },
  'anthropic:claude-opus-4-5': { input: 5, cachedInput: 0.5, output: 25, contextWindow: 200_000 },
  'anthropic:claude-sonnet-4-6': {
    input: 3,
    cachedInput: 0.3,
    output: 15,
    contextWindow: 1_000_000,
  },
  'anthropic:claude-sonnet-4-5': sonnet4,
  'anthropic:claude-sonnet-4': sonnet4,
  'anthropic:claude-sonnet-4-0': sonnet4,
  'anthropic:claude-haiku-4-5': { input: 1, cachedInput: 0.1, output: 5, contextWindow: 200_000 },
  'anthropic:claude-opus-4-1': opus4,
  'anthropic:claude-opus-4': opus4,
  'anthropic:claude-opus-4-0': opus4,
  'anthropic:claude-3-7-sonnet': { input: 3, cachedInput: 0.3, output: 15, contextWindow: 200_000 },
  'anthropic:claude-3-5-haiku': {
    input: 0.8,
    cachedInput: 0.08,
    output: 4,
    contextWindow: 200_000,
  },
  'anthropic:claude-3-haiku': {
    input: 0.25,
    cachedInput: 0.03,
    output: 1.25,
    contextWindow: 200_000,
  },

  // Google (Gemini Developer API). Pro models: a prompt over 200K tokens costs more.
  'google:gemini-3.8-flash': { input: 0.75, output: 3.75, contextWindow: geminiWindow },
  'google:gemini-3.5-flash': { input: 1.5, output: 9, contextWindow: geminiWindow },
  'google:gemini-3.5-flash-lite': { input: 0.3, output: 2.5, contextWindow: geminiWindow },
  'google:gemini-3.1-pro-preview': {
    input: 2,
    cachedInput: 0.2,
    output: 12,
    contextWindow: geminiWindow,
    longContext: { above: 200_000, input: 4, cachedInput: 0.4, output: 18 },
  },
  'google:gemini-2.5-pro': {
    input: 1.25,
    cachedInput: 0.125,
    output: 10,
    contextWindow: geminiWindow,
    longContext: { above: 200_000, input: 2.5, cachedInput: 0.25, output: 15 },
  },
  'google:gemini-2.5-flash': {
    input: 0.3,
    cachedInput: 0.03,
    output: 2.5,
    contextWindow: geminiWindow,
  },
  'google:gemini-2.5-flash-lite': {
    input: 0.1,
    cachedInput: 0.01,
    output: 0.4,
    contextWindow: geminiWindow,
  },
}

/** An OpenAI GPT-5.4+ price: over 272K input tokens, 2x input (and cached) and 1.5x output. */
function openAiLong(
  base: { input: number; cachedInput: number; output: number },
  contextWindow: number,
): ModelPrice {
  return {
    ...base,
    contextWindow,
    longContext: {
      above: 272_000,
      input: base.input * 2,
      cachedInput: base.cachedInput * 2,
      output: base.output * 1.5,
    },
  }
}
