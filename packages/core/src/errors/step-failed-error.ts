import { TesseraError } from './tessera-error'

/**
 * A step threw and has no retries left (or threw a non-retryable error). `cause` holds what the
 * step threw.
 *
 * @example
 * ```ts
 * run.result().catch((error) => {
 *   if (StepFailedError.isInstance(error)) console.log(error.stepId, error.attempts, error.cause)
 * })
 * ```
 */
export class StepFailedError extends TesseraError {
  readonly workflowId: string
  readonly stepId: string
  readonly attempts: number
  constructor(options: { workflowId: string; stepId: string; attempts: number; cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause)
    super(
      'step_failed',
      `Step "${options.stepId}" in workflow "${options.workflowId}" failed after ${options.attempts} attempt${options.attempts === 1 ? '' : 's'}: ${reason}`,
      { cause: options.cause },
    )
    this.name = 'StepFailedError'
    this.workflowId = options.workflowId
    this.stepId = options.stepId
    this.attempts = options.attempts
  }
  static override isInstance(value: unknown): value is StepFailedError {
    return TesseraError.isInstance(value) && value.code === 'step_failed'
  }
  override details() {
    return { workflowId: this.workflowId, stepId: this.stepId, attempts: this.attempts }
  }
}
