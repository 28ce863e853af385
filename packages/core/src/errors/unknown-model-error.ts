import { TesseraError } from './tessera-error'

/**
 * A model id that the provider (or a model registry) does not know. Not retryable: the id must
 * be fixed. `known` lists ids that would have worked, when the provider can tell.
 *
 * @example
 * ```ts
 * openai('gpt-4o-typo') // the first call throws UnknownModelError: openai has no model "gpt-4o-typo"
 * ```
 */
export class UnknownModelError extends TesseraError {
  readonly provider: string
  readonly modelId: string
  readonly known: readonly string[] | undefined
  constructor(options: {
    provider: string
    modelId: string
    known?: readonly string[]
    cause?: unknown
  }) {
    const hint =
      options.known && options.known.length > 0
        ? `; known models: ${options.known.slice(0, 12).join(', ')}${options.known.length > 12 ? ', …' : ''}`
        : ''
    super('unknown_model', `${options.provider} has no model "${options.modelId}"${hint}`, {
      retryable: false,
      cause: options.cause,
    })
    this.name = 'UnknownModelError'
    this.provider = options.provider
    this.modelId = options.modelId
    this.known = options.known
  }
  static override isInstance(value: unknown): value is UnknownModelError {
    return TesseraError.isInstance(value) && value.code === 'unknown_model'
  }
  override details() {
    return { provider: this.provider, modelId: this.modelId }
  }
}
