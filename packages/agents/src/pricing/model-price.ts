/** Prices of one tier, in US dollars per million tokens. */
export interface TokenPrices {
  /** Input (prompt) tokens. */
  input: number
  /** Output tokens, reasoning tokens included. */
  output: number
  /** Input tokens served from the provider's prompt cache; the input price when absent. */
  cachedInput?: number
}

/**
 * What a model costs and how much it reads: prices in US dollars per million tokens, and its
 * context window in tokens.
 *
 * @example
 * ```ts
 * const price: ModelPrice = { input: 0.2, cachedInput: 0.02, output: 1.2, contextWindow: 1_050_000 }
 * ```
 */
export interface ModelPrice extends TokenPrices {
  /** Input and output tokens together, when known. */
  contextWindow?: number
  /** The largest prompt, when the vendor caps input below the context window. */
  maxInputTokens?: number
  /**
   * Prices for a request whose prompt has more than `above` input tokens (the whole request is
   * billed at them, as OpenAI, Anthropic and Google do).
   */
  longContext?: TokenPrices & { above: number }
}
