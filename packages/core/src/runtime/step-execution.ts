import type { z } from 'zod'
import type { StepContext } from '../builder/step'
import type { ApprovalDecision } from '../builder/workflow-builder'
import type { Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { SecretsProviderV1 } from '../ports/secrets-provider-v1'
import type { StoreV1, TaskRecord, TaskWait } from '../ports/store-v1'
import type { Duration } from './duration'
import { StepJournal } from './step-journal'

/** What a step's journal needs from the engine. */
export interface JournalHost {
  store: StoreV1
  clock: Clock
  /** The engine's secrets, which step contexts hand out (`StepContext.secrets`). */
  secrets?: SecretsProviderV1 | undefined
}

/**
 * The context a step's `run` receives. `signal` and `logger` are created on first use: most
 * steps never read them, and an AbortController per attempt would cost more than the rest of
 * the engine's work for a small step.
 */
export class StepExecution implements StepContext<unknown> {
  private controller: AbortController | undefined
  private abortReason: unknown
  private boundLogger: Logger | undefined
  /** Position in the engine's list of running attempts. */
  slot = -1
  /** Wait nodes: the task's wait and its resolution (read by the wait's built-in step). */
  wait: TaskWait | undefined = undefined
  /** The claimed task and the engine's store and clock, for `durable()` and `approval()`. */
  task: TaskRecord | undefined = undefined
  host: JournalHost | undefined = undefined
  private journalOf: StepJournal | undefined

  constructor(
    readonly input: unknown,
    readonly attempt: number,
    /** The step instance's key (`stepId` or `stepId#i`). */
    private readonly key: string,
    readonly runId: string,
    readonly workflowId: string,
    readonly stepId: string,
    private readonly baseLogger: Logger,
  ) {}

  /** Stable for this step instance: the same on every attempt, restart and redelivery. */
  get idempotencyKey(): string {
    return `${this.runId}:${this.key}`
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController()
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason)
    }
    return this.controller.signal
  }

  get logger(): Logger {
    this.boundLogger ??= this.baseLogger.child({
      runId: this.runId,
      stepId: this.stepId,
      attempt: this.attempt,
    })
    return this.boundLogger
  }

  get secrets(): SecretsProviderV1 | undefined {
    return this.host?.secrets
  }

  private get journal(): StepJournal {
    if (this.journalOf === undefined) {
      if (this.task === undefined || this.host === undefined)
        throw new Error('context.durable() and context.approval() need a step run by an engine')
      this.journalOf = new StepJournal(this.host.store, this.host.clock, this.task, this.stepId)
    }
    return this.journalOf
  }

  // Arrow properties would cost an allocation per attempt; these are bound on first read instead.
  get durable(): <T>(name: string, fn: () => T | Promise<T>) => Promise<T> {
    return (name, fn) => this.journal.durable(name, fn)
  }

  get approval(): <T = unknown>(
    name: string,
    options?: { timeout?: Duration; schema?: z.ZodType<T> },
  ) => Promise<ApprovalDecision<T>> {
    return (name, options) => this.journal.approval(name, options)
  }

  /** Aborts the attempt (cancellation or timeout); the first reason wins. */
  abort(reason: unknown): void {
    if (this.abortReason !== undefined) return
    this.abortReason = reason
    this.controller?.abort(reason)
    if (this.abortListeners) for (const listener of this.abortListeners) listener(reason)
    this.abortListeners = undefined
  }

  private abortListeners: ((reason: unknown) => void)[] | undefined

  /** A promise that rejects when the attempt is aborted. */
  whenAborted(): Promise<never> {
    return new Promise<never>((_, reject) => {
      if (this.abortReason !== undefined) reject(this.abortReason)
      else (this.abortListeners ??= []).push(reject)
    })
  }
}
