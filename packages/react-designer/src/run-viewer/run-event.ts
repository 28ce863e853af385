// The engine's lifecycle events as the run viewer reads them. The designer imports only the
// browser-safe '@tessera/core/definition' subpath, so these are structural copies of the fields it
// uses: the `EngineEvent` objects of `@tessera/core` (engine.on / run.on) are assignable to them,
// and so is their JSON from a server's event stream.

/**
 * An error as the engine serializes it into events (`SerializedError` in `@tessera/core`).
 *
 * @example
 * ```ts
 * const error: RunEventError = { name: 'StepFailedError', code: 'step_failed', message: 'card declined' }
 * ```
 */
export interface RunEventError {
  name?: string
  code?: string
  message: string
  retryable?: boolean
  details?: Record<string, unknown>
  cause?: { name?: string; message: string }
}

interface RunEventBase {
  runId: string
  workflowId: string
  /** Epoch ms. */
  at: number
}

interface StepEventBase extends RunEventBase {
  /** The definition node id (a child workflow's steps are `workflowNodeId/stepId`). */
  stepId: string
  /** The node instance key: `stepId`, or `stepId#i` inside foreach and loop. */
  key: string
  attempt: number
}

/**
 * One lifecycle event of a run: what `engine.on(...)` and `run.on(...)` deliver (`EngineEvent` in
 * `@tessera/core`), or the same objects as JSON from a server.
 *
 * @example
 * ```ts
 * const events: RunEvent[] = []
 * for (const name of ['run-start', 'step-start', 'step-end', 'step-retry', 'step-suspend', 'run-end'] as const)
 *   engine.on(name, (event) => events.push(event))
 * ```
 */
export type RunEvent =
  | (RunEventBase & { type: 'run-start'; input?: unknown })
  | (RunEventBase & {
      type: 'run-end'
      status: 'succeeded' | 'failed' | 'cancelled'
      output?: unknown
      error?: RunEventError
    })
  | (StepEventBase & { type: 'step-start'; input?: unknown })
  | (StepEventBase & {
      type: 'step-end'
      status: 'succeeded' | 'failed'
      output?: unknown
      error?: RunEventError
      durationMs: number
    })
  | (StepEventBase & { type: 'step-retry'; error: RunEventError; delayMs: number })
  | (StepEventBase & { type: 'step-suspend'; wait: { kind: string; name: string } })
