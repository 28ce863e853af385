import { TesseraError } from './tessera-error'

/**
 * A prompt does not fit the model's context window: found before the call when the window is
 * known (an estimate, `estimated: true`), or reported by the provider. Not retryable as it is:
 * shorten the input, summarise memory, or pick a model with a larger window.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (PromptTooLongError.isInstance(error)) console.log(error.tokens, '>', error.limit)
 * }
 * ```
 */
export class PromptTooLongError extends TesseraError {
  readonly provider: string
  readonly modelId: string
  /** The prompt's size in tokens, when known. */
  readonly tokens: number | undefined
  /** The model's context window in tokens, when known. */
  readonly limit: number | undefined
  readonly estimated: boolean
  constructor(options: {
    provider: string
    modelId: string
    tokens?: number
    limit?: number
    estimated?: boolean
    cause?: unknown
  }) {
    const size =
      options.tokens !== undefined && options.limit !== undefined
        ? `: ${options.estimated ? 'about ' : ''}${options.tokens} tokens, the limit is ${options.limit}`
        : ''
    super(
      'prompt_too_long',
      `The prompt is too long for ${options.provider} model "${options.modelId}"${size}`,
      { retryable: false, cause: options.cause },
    )
    this.name = 'PromptTooLongError'
    this.provider = options.provider
    this.modelId = options.modelId
    this.tokens = options.tokens
    this.limit = options.limit
    this.estimated = options.estimated ?? false
  }
  static override isInstance(value: unknown): value is PromptTooLongError {
    return TesseraError.isInstance(value) && value.code === 'prompt_too_long'
  }
  override details() {
    return {
      provider: this.provider,
      modelId: this.modelId,
      ...(this.tokens === undefined ? {} : { tokens: this.tokens }),
      ...(this.limit === undefined ? {} : { limit: this.limit }),
      estimated: this.estimated,
    }
  }
}
