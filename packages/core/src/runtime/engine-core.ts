import type EventEmitter from 'eventemitter3'
import type { SerializedError } from '../errors/tessera-error'
import type { Logger } from '../ports/logger'
import type { Clock } from '../ports/clock'
import type { SecretsProviderV1 } from '../ports/secrets-provider-v1'
import type { QueueMessage, QueueV1 } from '../ports/queue-v1'
import type {
  CommitInput,
  CommitResult,
  RunRecord,
  ScopeRecord,
  StoreV1,
  TaskRecord,
} from '../ports/store-v1'
import type { TraceSpan, Tracer } from '../ports/tracer'
import type { MutableRegistry } from '../registry/registry'
import type { Workflow } from '../builder/workflow'
import type { Decision, Effects } from './decider'
import type { EngineEventMap, EngineEventName, RunStartEvent } from './events'
import type { ExecutionPlan } from './plan'
import type { RunHandle } from './run-handle'
import type { StepAttempt } from './step-attempt'
import type { StepExecution } from './step-execution'

/** What this process knows of a run it started: its promise, span and first event. */
export interface LocalRun {
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  promise: Promise<unknown>
  span: TraceSpan | undefined
  /** The run-start event until it is delivered (it must precede every other event of the run). */
  pendingStart: RunStartEvent | undefined
  /** Polls the store for an end committed by another process (see localResult). */
  watch?: Promise<void>
}

/**
 * The state one engine shares between its parts (run tracking, the commit pipeline, the step
 * pipeline). `createEngine` builds it; each part adds its functions, which the others call
 * through it.
 */
export interface EngineCore {
  readonly store: StoreV1
  readonly queue: QueueV1
  readonly clock: Clock
  readonly logger: Logger
  readonly tracer: Tracer | undefined
  readonly registry: MutableRegistry
  readonly leaseMs: number
  readonly pollMs: number
  readonly workerId: string
  /** This engine executes steps. */
  readonly hasWorker: boolean
  /** Leases are renewed while steps run (something may reclaim tasks). */
  readonly heartbeats: boolean
  /**
   * Lease a step's single runnable successor to this worker in the step's commit, and deliver it
   * locally as claimed: true when this process has a worker and the queue delivers locally.
   */
  readonly leaseSuccessors: boolean
  /**
   * Runs this engine is cancelling or cancelled lately (at most 1024): a task leased to this
   * worker in advance is claimed from the store again instead, so it never starts after the
   * cancellation.
   */
  readonly cancelled: Set<string>
  readonly emitter: EventEmitter
  readonly runEmitters: Map<string, EventEmitter>
  readonly localRuns: Map<string, LocalRun>
  /** Open foreach scopes (their items) by run id, then scope key. */
  readonly scopeCache: Map<string, Map<string, ScopeRecord>>
  /** Step attempts executing in this engine (any run, wherever it was started). */
  readonly running: StepExecution[]
  /** `options.secrets` as one provider (asked in order) for step contexts; undefined without. */
  readonly secrets: SecretsProviderV1 | undefined
  closed: boolean

  // From createEngine
  /** Registers a workflow version (as its workflow's latest unless `latest` is false). */
  planFor(workflow: Workflow, latest?: boolean): ExecutionPlan
  /** The plan of a registered version; undefined when this engine lacks it. */
  planForTask(task: { workflowId: string; workflowVersion: string }): ExecutionPlan | undefined
  /**
   * With stored definitions (a store that keeps records): the plan of a version this engine
   * lacks, from the stored definition that compiles to it (see `./stored-definitions`).
   */
  resolvePlan?(task: {
    workflowId: string
    workflowVersion: string
  }): Promise<ExecutionPlan | undefined>
  cancel(runId: string, reason?: string): Promise<void>

  // From the run tracker
  listening(event: EngineEventName, runId: string): boolean
  emit<K extends EngineEventName>(name: K, event: EngineEventMap[K]): void
  announceStart(runId: string, local: LocalRun): void
  handleFor(runId: string, workflowId: string, created: boolean): RunHandle<any>
  finishRun(
    runId: string,
    workflowId: string,
    status: 'succeeded' | 'failed' | 'cancelled',
    output: unknown,
    error: unknown,
  ): void
  endedElsewhere(run: RunRecord): void

  // From the commit pipeline
  decide(
    plan: ExecutionPlan,
    runId: string,
    now: number,
    act: (decision: Decision) => void,
  ): Effects | Promise<Effects>
  decideCompletion(
    plan: ExecutionPlan,
    node: ExecutionPlan['nodes'][number],
    task: TaskRecord,
    output: unknown,
    now: number,
  ): Effects | Promise<Effects>
  decideApproval(
    runId: string,
    approvalId: string,
    approved: boolean,
    value: unknown,
    options?: { by?: string; key?: string },
  ): Promise<void>
  publishTasks(tasks: TaskRecord[], woken?: readonly string[]): Promise<void> | void
  cacheScopes(runId: string, scopes: ScopeRecord[]): void
  fillCommit(commit: CommitInput, effects: Effects): void
  afterCommit(
    plan: ExecutionPlan,
    runId: string,
    effects: Effects,
    result: Extract<CommitResult, { status: 'committed' }>,
    attempt: StepAttempt | undefined,
  ): Promise<void> | undefined
  commitEffects(
    plan: ExecutionPlan,
    runId: string,
    commit: CommitInput,
    effects: Effects,
  ): Promise<boolean>
  refused(runId: string, result: Exclude<CommitResult, { status: 'committed' }>): void
  failRun(
    plan: ExecutionPlan,
    runId: string,
    commit: CommitInput,
    error: unknown,
    beforeFinish?: () => void,
  ): Promise<boolean>

  // From the step pipeline
  emitStepEnd(
    attempt: StepAttempt,
    status: 'succeeded' | 'failed',
    error: SerializedError | undefined,
  ): void
  handleDelivery(message: QueueMessage): Promise<void> | undefined
}
