import { TesseraError } from './tessera-error'

/**
 * The engine was closed while the run was still going: this process will not see it end. With a
 * durable store the run goes on in another process (or when an engine starts again); with the
 * memory store it is lost.
 *
 * @example
 * ```ts
 * const pending = run.result()
 * await engine.close()
 * await pending // rejects with EngineClosedError
 * ```
 */
export class EngineClosedError extends TesseraError {
  readonly runId: string
  constructor(options: { runId: string }) {
    super(
      'engine_closed',
      `The engine was closed before run "${options.runId}" ended; its result is not known here`,
      { retryable: true },
    )
    this.name = 'EngineClosedError'
    this.runId = options.runId
  }
  static override isInstance(value: unknown): value is EngineClosedError {
    return TesseraError.isInstance(value) && value.code === 'engine_closed'
  }
  override details() {
    return { runId: this.runId }
  }
}
