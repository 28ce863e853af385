import type { SerializedError } from '../errors/tessera-error'

/** Where a run is in its life. `succeeded`, `failed` and `cancelled` are terminal. */
export type RunStatus = 'running' | 'suspended' | 'succeeded' | 'failed' | 'cancelled'

/** The statuses after which a run never changes again.
 *
 * @example
 * ```ts
 * terminalRunStatuses.has(run.status) // true once the run has ended
 * ```
 */
export const terminalRunStatuses: ReadonlySet<RunStatus> = new Set([
  'succeeded',
  'failed',
  'cancelled',
])

/** One run of one workflow version, as a store keeps it. */
export interface RunRecord {
  id: string
  workflowId: string
  /** Content hash of the definition the run is pinned to. */
  workflowVersion: string
  status: RunStatus
  input: unknown
  output?: unknown
  error?: SerializedError
  idempotencyKey?: string
  /** Epoch milliseconds. */
  createdAt: number
  updatedAt: number
  endedAt?: number
}

/**
 * The committed result of one node instance: a node id plus the loop/foreach index path that
 * makes it unique within the run. Only outputs are stored, never snapshots of the whole state,
 * so history grows linearly with the number of steps run.
 */
export interface StepRecord {
  runId: string
  /** `nodeId` or `nodeId#i.j` for instances inside foreach items or loop iterations. */
  key: string
  nodeId: string
  path: number[]
  status: 'succeeded' | 'failed'
  output?: unknown
  error?: SerializedError
  attempts: number
  startedAt: number
  endedAt: number
}

/**
 * A unit of work: execute one step instance. Tasks live in the store (the source of truth) and
 * travel through the queue (the transport). Their id is deterministic (`runId/key`), so a task
 * can never be created twice.
 */
export interface TaskRecord {
  id: string
  runId: string
  workflowId: string
  workflowVersion: string
  nodeId: string
  key: string
  path: number[]
  input: unknown
  /** 1-based number of the attempt this task will make. */
  attempt: number
  /** Epoch ms before which the task must not run (retry backoff, durable timers). */
  availableAt: number
  /** Fencing token: incremented by every claim; a commit must present the current one. */
  fence: number
  leaseOwner?: string
  leaseExpiresAt?: number
  lastError?: SerializedError
}

/**
 * The join state of a parallel or foreach node instance: how many children it expects, which
 * have completed with what output, and (for foreach) the items.
 */
export interface ScopeRecord {
  runId: string
  key: string
  expected: number
  /** Child index → output, for the children that have completed. */
  results: Record<number, unknown>
  completed: number
  /** foreach: the array being iterated. */
  items?: unknown[]
  /** Set by the commit that continues the workflow after the join; at most one does. */
  closed: boolean
}

/** Changes to a run's own row. Terminal statuses are final: a patch on an ended run is refused. */
export interface RunPatch {
  status?: RunStatus
  output?: unknown
  error?: SerializedError
  updatedAt: number
  endedAt?: number
}

/**
 * One atomic change to a run. A store applies all of it or none of it.
 *
 * Order of checks: the run must exist and not be terminal (else `run-ended`); `task` must exist
 * with the given fence (else `stale`); `step` must be new (else `duplicate`); `closeScope` must be
 * open (else `duplicate`). Then everything is written.
 */
export interface CommitInput {
  runId: string
  /** The claimed task this commit finishes (deleted, or rescheduled by `retry`). */
  task?: { id: string; fence: number }
  /** Keeps `task` for another attempt instead of deleting it. */
  retry?: { attempt: number; availableAt: number; error: SerializedError }
  /** Inserted once: a second commit for the same `runId`+`key` is a `duplicate`. */
  step?: StepRecord
  /** Join scopes that the change opens (inserted once; an existing key is left as it is). */
  scopes?: ScopeRecord[]
  /**
   * Records one child's completion in an open scope (once per index); the result says how many
   * have completed, and carries every child's output when this join completed the scope.
   */
  join?: { scopeKey: string; index: number; output: unknown }
  /** Marks a scope as continued; only one commit may do it. */
  closeScope?: string
  /** New tasks; a task whose id exists already is left as it is. */
  tasks?: TaskRecord[]
  run?: RunPatch
}

/**
 * A scope's state after a join. `results` (child index → output) is present only when
 * `completed === expected`: a store never has to read back every sibling's output on every join.
 */
export interface JoinOutcome {
  key: string
  expected: number
  completed: number
  closed: boolean
  results?: Record<number, unknown>
}

/** What a commit did. Only `committed` wrote anything. */
export type CommitResult =
  | { status: 'committed'; join?: JoinOutcome }
  | { status: 'stale' }
  | { status: 'duplicate' }
  | { status: 'run-ended'; run: RunRecord }

/** What claiming a task found. */
export type ClaimResult =
  | { status: 'claimed'; task: TaskRecord }
  | { status: 'missing' }
  | { status: 'leased'; leaseExpiresAt: number }
  | { status: 'not-ready'; availableAt: number }

/** Filters and keyset pagination for {@link StoreV1.listRuns}. Newest first. */
export interface ListRunsQuery {
  workflowId?: string
  status?: RunStatus | RunStatus[]
  createdAfter?: number
  createdBefore?: number
  /** Page size, 1–1000. Default 50. */
  limit?: number
  /** The `nextCursor` of the previous page. */
  cursor?: string
}

/** One page of runs. */
export interface RunPage {
  runs: RunRecord[]
  /** Pass it back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string
}

/** Everything a store knows about one run: what recovery and replay read. */
export interface RunHistory {
  run: RunRecord
  steps: StepRecord[]
  scopes: ScopeRecord[]
  tasks: TaskRecord[]
}

/**
 * A value or a promise of it. The two calls of the step hot path (`claimTask`, `commit`) may
 * answer synchronously: an in-memory store then costs no promise, no await and no microtask per
 * step. Stores that do I/O return promises; errors may be thrown or rejected.
 */
export type Awaitable<T> = T | Promise<T>

/** What a store can do, declared instead of throwing "not supported". */
export interface StoreCapabilities {
  /** Data survives a process restart. */
  durable: boolean
  /** Several processes may share this store (leases and fences are enforced across them). */
  shared: boolean
  /** The store can itself act as the task transport (e.g. `FOR UPDATE SKIP LOCKED`). */
  transport: boolean
}

/**
 * The storage port, version 1. The engine records every state change through it. Every method
 * must be safe to call concurrently from several engine instances when `capabilities.shared`.
 *
 * Guarantees a store must give (the conformance suite in `@tessera/core/testing` checks each):
 * atomic commits, insert-once step records (unique `runId`+`key`), fenced task commits,
 * idempotent run creation by `idempotencyKey`, and no write at all on a refused commit.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from '@tessera/core'
 * const engine = createEngine({ store: createMemoryStore() })
 * ```
 */
export interface StoreV1 {
  readonly specificationVersion: 'v1'
  /** A short name such as `memory`, `sqlite` or `postgres`, used in errors and logs. */
  readonly provider: string
  readonly capabilities: StoreCapabilities
  /**
   * Creates a run with its first tasks and scopes, atomically. With an `idempotencyKey` already
   * used for the same workflow, or a run id that exists, returns the existing run and
   * `created: false` and writes nothing.
   */
  createRun(input: {
    run: RunRecord
    tasks: TaskRecord[]
    scopes: ScopeRecord[]
  }): Promise<{ run: RunRecord; created: boolean }>
  getRun(runId: string): Promise<RunRecord | undefined>
  listRuns(query?: ListRunsQuery): Promise<RunPage>
  /** The run with all its step records, scopes and pending tasks; undefined if unknown. */
  getRunHistory(runId: string): Promise<RunHistory | undefined>
  /** Reads one scope (used when another process opened it). */
  getScope(runId: string, key: string): Promise<ScopeRecord | undefined>
  /**
   * Takes a lease on a task: increments its fence and sets the owner and expiry. A task with a
   * live lease held by another owner is `leased`.
   */
  claimTask(input: {
    taskId: string
    owner: string
    leaseMs: number
    now: number
  }): Awaitable<ClaimResult>
  /** Extends a lease (heartbeat); false when the fence is no longer current. */
  renewTask(input: {
    taskId: string
    fence: number
    leaseMs: number
    now: number
  }): Promise<boolean>
  /** Applies one atomic change. See {@link CommitInput}. */
  commit(input: CommitInput): Awaitable<CommitResult>
  /**
   * Tasks that should be running but may have been lost: unleased and available, or with an
   * expired lease. Recovery publishes them to the queue again.
   */
  listStaleTasks(input: { now: number; olderThan: number; limit: number }): Promise<TaskRecord[]>
  /** Releases connections. The store may not be used afterwards. */
  close(): Promise<void>
}
