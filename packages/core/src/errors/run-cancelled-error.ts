import { TesseraError } from './tessera-error'

/**
 * The run was cancelled. Running steps see it as their `signal.reason`; `run.result()` rejects
 * with it.
 *
 * @example
 * ```ts
 * await run.cancel('user closed the ticket')
 * await run.result() // rejects with RunCancelledError
 * ```
 */
export class RunCancelledError extends TesseraError {
  readonly runId: string
  readonly reason: string | undefined
  constructor(options: { runId: string; reason?: string }) {
    super(
      'run_cancelled',
      `Run "${options.runId}" was cancelled${options.reason ? `: ${options.reason}` : ''}`,
    )
    this.name = 'RunCancelledError'
    this.runId = options.runId
    this.reason = options.reason
  }
  static override isInstance(value: unknown): value is RunCancelledError {
    return TesseraError.isInstance(value) && value.code === 'run_cancelled'
  }
  override details() {
    return { runId: this.runId, reason: this.reason }
  }
}
