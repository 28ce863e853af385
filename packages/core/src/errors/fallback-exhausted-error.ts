import { TesseraError, type SerializedError } from './tessera-error'

/** One model a fallback chain tried, and why it moved on. */
export interface FallbackAttempt {
  provider: string
  modelId: string
  error: SerializedError
}

/**
 * Every model of a fallback chain failed. `attempts` lists each model tried, in order, with the
 * error that made the chain move on; the last error is also the `cause`.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (FallbackExhaustedError.isInstance(error)) for (const a of error.attempts) console.log(a.modelId, a.error.message)
 * }
 * ```
 */
export class FallbackExhaustedError extends TesseraError {
  readonly attempts: readonly FallbackAttempt[]
  constructor(options: { attempts: readonly FallbackAttempt[]; cause?: unknown }) {
    const list = options.attempts.map(
      (attempt) => `${attempt.provider}:${attempt.modelId} (${attempt.error.message})`,
    )
    super('fallback_exhausted', `Every model of the fallback chain failed: ${list.join('; ')}`, {
      retryable: options.attempts.some((attempt) => attempt.error.retryable),
      cause: options.cause,
    })
    this.name = 'FallbackExhaustedError'
    this.attempts = options.attempts
  }
  static override isInstance(value: unknown): value is FallbackExhaustedError {
    return TesseraError.isInstance(value) && value.code === 'fallback_exhausted'
  }
  override details() {
    return { attempts: this.attempts }
  }
}
