import { TesseraError } from './tessera-error'

/**
 * A step attempt ran longer than its `timeout`. Its `signal` was aborted with this error.
 * Timeouts are retryable: the step's retry policy decides whether another attempt runs.
 *
 * @example
 * ```ts
 * createStep({ id: 'slow', timeout: '2s', run: ({ signal }) => fetch(url, { signal }) })
 * ```
 */
export class StepTimeoutError extends TesseraError {
  readonly stepId: string
  readonly timeoutMs: number
  constructor(options: { stepId: string; timeoutMs: number }) {
    super('step_timeout', `Step "${options.stepId}" timed out after ${options.timeoutMs} ms`, {
      retryable: true,
    })
    this.name = 'StepTimeoutError'
    this.stepId = options.stepId
    this.timeoutMs = options.timeoutMs
  }
  static override isInstance(value: unknown): value is StepTimeoutError {
    return TesseraError.isInstance(value) && value.code === 'step_timeout'
  }
  override details() {
    return { stepId: this.stepId, timeoutMs: this.timeoutMs }
  }
}
