import { TesseraError } from './tessera-error'

/** Why a model call failed, as far as Tessera can tell from the provider's answer. */
export type ModelCallFailure =
  | 'rate-limited'
  | 'server-error'
  | 'timeout'
  | 'network'
  | 'malformed-response'
  | 'authentication'
  | 'bad-request'
  | 'content-filter'
  | 'other'

/**
 * A call to a language model failed: the provider answered with an error status, sent something
 * that is not its wire format, timed out, or could not be reached. `retryable` is true for
 * rate limits (429), server errors (5xx, 408, 409), timeouts, network failures and malformed
 * responses; `retryAfterMs` carries the provider's `Retry-After` when it sent one. Every
 * provider in `@tessera/agents` maps its SDK's errors to this class.
 *
 * @example
 * ```ts
 * try {
 *   await model.generate({ messages })
 * } catch (error) {
 *   if (ModelCallError.isInstance(error) && error.failure === 'rate-limited') wait(error.retryAfterMs)
 * }
 * ```
 */
export class ModelCallError extends TesseraError {
  readonly provider: string
  readonly modelId: string
  readonly failure: ModelCallFailure
  /** The HTTP status, when there was one. */
  readonly statusCode: number | undefined
  /** How long the provider asked us to wait before trying again (`Retry-After`), in ms. */
  readonly retryAfterMs: number | undefined
  constructor(options: {
    provider: string
    modelId: string
    failure: ModelCallFailure
    message: string
    statusCode?: number
    retryAfterMs?: number
    retryable?: boolean
    cause?: unknown
  }) {
    const retryable =
      options.retryable ??
      (options.failure === 'rate-limited' ||
        options.failure === 'server-error' ||
        options.failure === 'timeout' ||
        options.failure === 'network' ||
        options.failure === 'malformed-response')
    super(
      'model_call_failed',
      `${options.provider} model "${options.modelId}": ${options.message}` +
        (options.statusCode === undefined ? '' : ` (HTTP ${options.statusCode})`),
      { retryable, cause: options.cause },
    )
    this.name = 'ModelCallError'
    this.provider = options.provider
    this.modelId = options.modelId
    this.failure = options.failure
    this.statusCode = options.statusCode
    this.retryAfterMs = options.retryAfterMs
  }
  static override isInstance(value: unknown): value is ModelCallError {
    return TesseraError.isInstance(value) && value.code === 'model_call_failed'
  }
  override details() {
    return {
      provider: this.provider,
      modelId: this.modelId,
      failure: this.failure,
      ...(this.statusCode === undefined ? {} : { statusCode: this.statusCode }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    }
  }
}
