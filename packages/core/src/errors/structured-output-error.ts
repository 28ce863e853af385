import type { ValidationIssue } from './validation-error'
import { TesseraError } from './tessera-error'

/**
 * A model's structured output did not match the requested schema, even after the bounded
 * repair retries (each retry shows the model its previous answer and the issues). `text` is the
 * last answer; `issues` what was wrong with it.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (StructuredOutputError.isInstance(error)) console.log(error.attempts, error.issues)
 * }
 * ```
 */
export class StructuredOutputError extends TesseraError {
  readonly provider: string
  readonly modelId: string
  /** The model's last answer, as text. */
  readonly text: string
  readonly issues: readonly ValidationIssue[]
  /** How many answers were tried (the first plus the repairs). */
  readonly attempts: number
  constructor(options: {
    provider: string
    modelId: string
    text: string
    issues: readonly ValidationIssue[]
    attempts: number
    cause?: unknown
  }) {
    const first = options.issues[0]
    super(
      'structured_output_invalid',
      `${options.provider} model "${options.modelId}" did not return output matching the schema after ${options.attempts} attempt(s)` +
        (first ? `: ${first.path ? first.path + ': ' : ''}${first.message}` : ''),
      { retryable: false, cause: options.cause },
    )
    this.name = 'StructuredOutputError'
    this.provider = options.provider
    this.modelId = options.modelId
    this.text = options.text
    this.issues = options.issues
    this.attempts = options.attempts
  }
  static override isInstance(value: unknown): value is StructuredOutputError {
    return TesseraError.isInstance(value) && value.code === 'structured_output_invalid'
  }
  override details() {
    return {
      provider: this.provider,
      modelId: this.modelId,
      attempts: this.attempts,
      issues: this.issues,
    }
  }
}
