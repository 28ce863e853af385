import type EventEmitter from 'eventemitter3'
import type { RunRecord, StepRecord } from '../ports/store-v1'
import { assertListener } from './event-arguments'
import type { EngineEventMap, EngineEventName } from './events'

/** What the engine gives a handle; the engine's internals stay private. */
export interface RunHandleBackend {
  emitterFor(runId: string): EventEmitter
  /** `local` is what the engine gave the handle when it created it (its own record of the run). */
  result(runId: string, local: unknown): Promise<unknown>
  cancel(runId: string, reason?: string): Promise<void>
  decide(
    runId: string,
    approvalId: string,
    approved: boolean,
    value: unknown,
    options?: { by?: string; key?: string },
  ): Promise<void>
  record(runId: string): Promise<RunRecord>
  steps(runId: string): Promise<StepRecord[]>
}

/**
 * A handle on one run: its events, its result, and control over it. Handles are cheap; any
 * number may exist for one run.
 *
 * @example
 * ```ts
 * const run = await engine.start(review, { orderId: 'A1' })
 * run.on('step-end', (event) => console.log(event.stepId, event.status))
 * const output = await run.result()
 * ```
 */
export class RunHandle<TOutput = unknown> {
  /**
   * @param id The run id.
   * @param workflowId The workflow it runs.
   * @param created False when `start` found an existing run with the same idempotency key or id.
   */
  constructor(
    readonly id: string,
    readonly workflowId: string,
    readonly created: boolean,
    private readonly backend: RunHandleBackend,
    private readonly local?: unknown,
  ) {}

  /**
   * Listens to this run's lifecycle events. Events are delivered only to handles in the process
   * that executes the step; listeners added right after `await engine.start()` see every event.
   */
  on<K extends EngineEventName>(event: K, listener: (event: EngineEventMap[K]) => void): this {
    assertListener('run.on', event, listener)
    this.backend.emitterFor(this.id).on(event, listener as (event: unknown) => void)
    return this
  }

  /** Like {@link on}, for one event only. */
  once<K extends EngineEventName>(event: K, listener: (event: EngineEventMap[K]) => void): this {
    assertListener('run.once', event, listener)
    this.backend.emitterFor(this.id).once(event, listener as (event: unknown) => void)
    return this
  }

  /** Removes a listener added with {@link on} or {@link once}. */
  off<K extends EngineEventName>(event: K, listener: (event: EngineEventMap[K]) => void): this {
    assertListener('run.off', event, listener)
    this.backend.emitterFor(this.id).off(event, listener as (event: unknown) => void)
    return this
  }

  /**
   * The run's validated output once it succeeds. Rejects with the `TesseraError` that ended it:
   * `StepFailedError`, `ValidationError`, `ControlFlowError` or `RunCancelledError`.
   */
  result(): Promise<TOutput> {
    return this.backend.result(this.id, this.local) as Promise<TOutput>
  }

  /**
   * Cancels the run: running steps see their `signal` abort, no further step starts, and
   * `result()` rejects with `RunCancelledError`. Throws `ConflictError` if the run already ended.
   */
  cancel(reason?: string): Promise<void> {
    return this.backend.cancel(this.id, reason)
  }

  /**
   * Approves the run's pending `.approval({ id })`, with `data` checked by its schema; the run
   * continues with `{ approved: true, data, by, at }`. Throws `ValidationError` for bad data (the
   * run keeps waiting), `ConflictError` when the run is not waiting for this approval.
   *
   * @example
   * ```ts
   * await run.approve('manager', { limit: 500 }, { by: 'ana@example.com' })
   * ```
   */
  approve(
    approvalId: string,
    data?: unknown,
    options?: { by?: string; key?: string },
  ): Promise<void> {
    return this.backend.decide(this.id, approvalId, true, data, options)
  }

  /**
   * Rejects the run's pending `.approval({ id })`; the run continues with
   * `{ approved: false, reason, by, at }` (branch on `approved`).
   *
   * @example
   * ```ts
   * await run.reject('manager', 'over budget')
   * ```
   */
  reject(
    approvalId: string,
    reason?: string,
    options?: { by?: string; key?: string },
  ): Promise<void> {
    return this.backend.decide(this.id, approvalId, false, reason, options)
  }

  /** The run's stored record (status, input, output, error, timestamps). */
  record(): Promise<RunRecord> {
    return this.backend.record(this.id)
  }

  /** The committed step records, one per executed node instance. */
  steps(): Promise<StepRecord[]> {
    return this.backend.steps(this.id)
  }
}
