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
  /** Failed steps only: the input the step failed on, so that a retried run can run it again. */
  input?: unknown
  attempts: number
  startedAt: number
  endedAt: number
}

/**
 * The `availableAt` of a task that waits with no deadline (an event or approval wait without a
 * timeout): the largest epoch millisecond a `Date` can hold. Stores keep it as a plain integer.
 */
export const waitForever = 8_640_000_000_000_000

/** How a wait ended: the event that arrived, or the approval decision. Set once. */
export type WaitResolution =
  | { type: 'event'; eventId: string; payload: unknown; at: number }
  | {
      type: 'approval'
      approved: boolean
      data?: unknown
      reason?: string
      /** Who decided, as the caller said (not authenticated by the store). */
      by?: string
      at: number
    }

/**
 * What a waiting task waits for. A wait is a task like any other: `availableAt` is the moment it
 * fires on its own (a sleep's wake-up time, an event or approval timeout, or {@link waitForever}),
 * and resolving it (an event arrived, an approval was given) sets `resolution` and makes it
 * available now. A waiting task takes no worker slot: it is only in the store.
 */
export interface TaskWait {
  kind: 'sleep' | 'event' | 'approval'
  /** The event name (`event`) or approval id (`approval`); absent for `sleep`. */
  name?: string
  /**
   * `event` only: top-level fields the event payload must have, with these values (compared as
   * canonical JSON, see `waitMatchKey` and `eventMatchKey`). Absent or `{}`: any event of that
   * name matches.
   */
  match?: Record<string, unknown>
  resolution?: WaitResolution
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
  /** Present when the node is a sleep, an event wait or an approval. */
  wait?: TaskWait
  /**
   * True while the run is `failed`: the task is kept (so that `reopenRun` can continue the run)
   * but never claimed, listed as stale or handed out by `claimNext`.
   */
  parked?: boolean
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
 *
 * Besides what the input says, a commit keeps three rules:
 * - **Terminal runs.** A `run` patch to `succeeded` or `cancelled` deletes the run's tasks; to
 *   `failed` it parks them (`parked: true`, lease cleared) for {@link StoreV1.reopenRun}.
 * - **Inbox.** Each new unresolved `event` wait is matched against the inbox (events kept by
 *   `deliverEvent` because no wait took them): the oldest unexpired match for the wait's name,
 *   run (an event addressed to another run never matches) and `match` is deleted from the inbox
 *   and resolves the wait, which becomes available at the commit's `now`. Its id is returned in
 *   `woken`. `createRun` does the same for the first tasks.
 * - **Suspension.** After the writes, a non-terminal run with tasks, every one of them an
 *   unresolved wait (sleeps included), is `suspended`; a `suspended` run with any other task is
 *   `running` again. Stores need only re-derive it when the commit inserted a wait, when the run
 *   was `suspended`, or when the commit removed its task and inserted no task that is not a wait
 *   (so the common step commit, which queues a runnable successor, costs no extra read).
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
  /**
   * Epoch ms of the commit, used for the inbox rules (expiry, the resolved wait's
   * `availableAt`). Default: the patch's `updatedAt`, else the store's clock.
   */
  now?: number
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
  | {
      status: 'committed'
      join?: JoinOutcome
      /** Ids of the new event waits that an inbox event resolved at once (see CommitInput). */
      woken?: string[]
    }
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

/**
 * An event sent to waiting runs (`engine.sendEvent`). Delivered to every unresolved `event` wait
 * it matches; kept in the inbox until `expiresAt` when none does.
 */
export interface EventRecord {
  id: string
  name: string
  payload: unknown
  /** Only waits of this run may take it. */
  runId?: string
  receivedAt: number
  /** The inbox keeps the event until then; `expiresAt <= receivedAt` means never keep it. */
  expiresAt: number
}

/** What resolving one wait by hand (an approval) found. */
export type ResolveWaitResult =
  | { status: 'resolved'; task: TaskRecord }
  | { status: 'not-waiting' }
  | { status: 'run-ended'; run: RunRecord }

/** Which ended runs a retention pass deletes. At least one of the two rules must be given. */
export interface PurgeRunsInput {
  /** Deletes ended runs whose `endedAt` is before this epoch ms. */
  endedBefore?: number
  /** Deletes ended runs beyond the newest `keepLast` (by `endedAt`, then id) of each workflow. */
  keepLast?: number
  /** Only runs of this workflow. */
  workflowId?: string
  /** At most this many runs per call (1–10000). */
  limit: number
  /** Expired inbox events (before `now`) are deleted too. */
  now: number
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
  /**
   * The store keeps conversation threads: it has `appendThreadMessages`, `getThread`,
   * `summarizeThread` and `deleteThread` (see {@link ThreadRecord}). Absent means false.
   */
  threads?: boolean
  /**
   * The store keeps keyed records in named collections (`putRecord`, `getRecord`,
   * `listRecords`, `deleteRecord`; see {@link StoredRecord}): what the HTTP surface keeps its
   * workflow definitions, API keys and audit trail in. Absent means false.
   */
  records?: boolean
}

/**
 * One keyed record in a named collection (`capabilities.records`). Collections hold JSON values
 * under string keys; `revision` starts at 1 and grows by one with every write, which makes
 * compare-and-set writes possible (`putRecord` with `expectRevision`). Keys sort as plain
 * strings (byte order of their UTF-8, which `listRecords` pages in), so ordered data uses
 * fixed-width keys (`000000000042`).
 *
 * @example
 * ```ts
 * const put = await store.putRecord?.({ collection: 'audit', key: '000000000001', value, now: Date.now(), expectRevision: 0 })
 * if (put?.status === 'conflict') { ... } // someone else wrote that key first
 * ```
 */
export interface StoredRecord {
  collection: string
  key: string
  value: unknown
  /** 1 after the first write, +1 with each later one. */
  revision: number
  /** Epoch ms of the first write. */
  createdAt: number
  /** Epoch ms of the last write. */
  updatedAt: number
}

/** What `putRecord` did: only `written` changed anything. */
export type PutRecordResult =
  | { status: 'written'; record: StoredRecord }
  /** `expectRevision` did not match; `current` is the record as it is (absent: none). */
  | { status: 'conflict'; current?: StoredRecord }

/** A page of {@link StoreV1.listRecords}. */
export interface ListRecordsQuery {
  collection: string
  /** Only keys that start with this. */
  prefix?: string
  /** Keyset cursor: only keys after this one (before it, with `reverse`). */
  after?: string
  /** Largest key first. */
  reverse?: boolean
  /** 1–1000. */
  limit: number
}

/**
 * One conversation thread as a store keeps it (an agent's memory): a numbered list of messages,
 * and optionally a summary that stands for the messages it replaced.
 *
 * Messages are numbered by the store, 1, 2, 3, … with no gap and no repeat, in the order they
 * were appended. Summarising through a number deletes the messages up to it: `messages` then
 * begins after `summary.throughSeq`, while `lastSeq` keeps counting. Messages and the summary are
 * stored as JSON, so they read back as `JSON.parse(JSON.stringify(value))` would give them (a
 * `Date` as its ISO string, `undefined` object fields left out).
 *
 * @example
 * ```ts
 * const thread = await store.getThread?.({ threadId: 'support:ticket-42' })
 * const context = [
 *   ...(thread?.summary ? [thread.summary.content] : []),
 *   ...(thread?.messages.map((entry) => entry.message) ?? []),
 * ]
 * ```
 */
export interface ThreadRecord {
  threadId: string
  /** What stands for the messages up to `throughSeq`, which are deleted. */
  summary?: { content: unknown; throughSeq: number; updatedAt: number }
  /** Messages after the summary, oldest first. */
  messages: { seq: number; message: unknown; createdAt: number }[]
  /** The number of the last message appended (0 never: a thread has had one message at least). */
  lastSeq: number
  /** Epoch ms of the first append. */
  createdAt: number
  /** Epoch ms of the last append or summary. */
  updatedAt: number
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
   * Creates a run with its first tasks and scopes, atomically. The inbox and suspension rules of
   * {@link CommitInput} apply to the first tasks too, so the run may come back `suspended`. With an `idempotencyKey` already
   * used for the same workflow, or a run id that exists, returns the existing run and
   * `created: false` and writes nothing.
   */
  createRun(input: {
    run: RunRecord
    tasks: TaskRecord[]
    scopes: ScopeRecord[]
  }): Promise<{ run: RunRecord; created: boolean; woken?: string[] }>
  getRun(runId: string): Promise<RunRecord | undefined>
  listRuns(query?: ListRunsQuery): Promise<RunPage>
  /** The run with all its step records, scopes and pending tasks; undefined if unknown. */
  getRunHistory(runId: string): Promise<RunHistory | undefined>
  /** Reads one scope (used when another process opened it). */
  getScope(runId: string, key: string): Promise<ScopeRecord | undefined>
  /**
   * Takes a lease on a task: increments its fence and sets the owner and expiry. A task with a
   * live lease held by another owner is `leased`; a parked task is `missing`. Claiming a wait
   * (its timer fired, or it was resolved) makes a `suspended` run `running` again.
   *
   * Status changes the store derives itself (suspension, a claimed wait, a resolution) leave
   * `updatedAt` as it is: it is the time of the last change the engine asked for.
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
  /**
   * Transport stores only (`capabilities.transport`): claims up to `limit` claimable tasks
   * (available, not parked, unleased or with an expired lease), oldest `availableAt` first, each
   * as `claimTask` would, without two concurrent callers ever getting the same task (for example
   * `FOR UPDATE SKIP LOCKED`). This is how worker processes share work through the database.
   */
  claimNext?(input: {
    owner: string
    leaseMs: number
    now: number
    limit: number
  }): Awaitable<TaskRecord[]>
  /**
   * Delivers an event, atomically: every unresolved `event` wait with the event's name, whose
   * `match` the payload satisfies (and of the event's run, when it names one), is resolved with
   * it and made available at `now`; those tasks are returned. When none matched, the event is
   * kept in the inbox (unless already expired) for waits registered later.
   *
   * A wait whose deadline has come (`availableAt <= now`) has timed out: no event or approval
   * resolves it any more, even before a worker has claimed it. Waits of ended runs never match.
   * An event is kept only when `expiresAt` is after both `now` and `receivedAt`.
   */
  deliverEvent(input: { event: EventRecord; now: number }): Promise<{ delivered: TaskRecord[] }>
  /**
   * Resolves one unresolved wait of a run by hand (approvals): the one of this `kind` and `name`
   * with the given `key`, or with the smallest key when `key` is absent. It becomes available at
   * `now`; a suspended run is `running` again. An unknown run throws `NotFoundError`.
   */
  resolveWait(input: {
    runId: string
    kind: TaskWait['kind']
    name?: string
    key?: string
    resolution: WaitResolution
    now: number
  }): Promise<ResolveWaitResult>
  /**
   * Continues a `failed` run: deletes its failed step records, un-parks its parked tasks, inserts
   * `tasks` (a task whose id exists is replaced, keeping the larger of the two fences: fences
   * never go back), and sets it `running` with no error or end.
   * Other statuses are refused with the run as it is; nothing is written then. An unknown run
   * throws `NotFoundError`. Afterwards the suspension rule applies (see {@link CommitInput}).
   */
  reopenRun(input: {
    runId: string
    tasks: TaskRecord[]
    now: number
  }): Promise<{ status: 'reopened'; run: RunRecord } | { status: 'not-failed'; run: RunRecord }>
  /**
   * Retention: deletes ended runs (with their steps, scopes and tasks) chosen by
   * {@link PurgeRunsInput}, at most `limit` of them, and the inbox events expired at `now`.
   * Running and suspended runs are never deleted. Bad input throws `InvalidArgumentError`
   * (`checkPurgeRunsInput` from `@tessera/core` checks it as every store must).
   */
  purgeRuns(input: PurgeRunsInput): Promise<{ runs: number; events: number }>
  /**
   * Optional: resolves once the store can serve (connected, schema checked or migrated), and
   * rejects with the reason it cannot. Network stores prepare themselves (at creation or on
   * first use) and make every call wait for it; awaiting `ready()` fails fast at start-up
   * instead of on the first run.
   */
  ready?(): Promise<void>
  /**
   * Threads (`capabilities.threads`): appends messages to a thread, atomically, creating the
   * thread on its first append. They are numbered `lastSeq + 1`, `lastSeq + 2`, … in the order
   * given, and the new `lastSeq` is returned. Concurrent appends to one thread, from any number
   * of callers or processes, never lose a message and never give two messages one number: each
   * call's messages get consecutive numbers. Each message is stored as JSON with `createdAt =
   * now`; the thread's `updatedAt` becomes `now`.
   *
   * An empty `messages` writes nothing and returns the thread's `lastSeq` (0 for an unknown
   * thread, which is not created). Bad input throws `InvalidArgumentError` and writes nothing: an
   * empty `threadId` or one over 255 characters, `messages` not an array, a message JSON cannot
   * hold (`undefined`, a function, a BigInt, a cycle), `now` not a finite number
   * (`checkThreadInput` from `@tessera/core` checks it as every store must). Times are kept as
   * whole milliseconds (rounded).
   */
  appendThreadMessages?(input: {
    threadId: string
    messages: unknown[]
    now: number
  }): Promise<{ lastSeq: number }>
  /**
   * Threads: the thread with its summary and the messages after it, oldest first; `undefined`
   * for an unknown (or deleted) thread. Returns copies: changing them changes nothing stored.
   */
  getThread?(input: { threadId: string }): Promise<ThreadRecord | undefined>
  /**
   * Threads: sets the thread's summary (`content`, stored as JSON, with `throughSeq` and
   * `updatedAt = now`) and deletes its messages numbered `throughSeq` or less, atomically; the
   * thread's `updatedAt` becomes `now`, `lastSeq` is unchanged, later messages are kept.
   *
   * Answers `stale` and writes nothing when `throughSeq` is not greater than the current
   * summary's `throughSeq` (another summary got there first), when it is greater than the
   * thread's `lastSeq`, or when the thread does not exist. Bad input (`throughSeq` not a
   * positive integer, a `summary` JSON cannot hold, and as for `appendThreadMessages`) throws
   * `InvalidArgumentError`.
   */
  summarizeThread?(input: {
    threadId: string
    summary: unknown
    throughSeq: number
    now: number
  }): Promise<{ status: 'summarized' | 'stale' }>
  /**
   * Threads: deletes the thread, its summary and its messages; false when there was none. A
   * later append starts a new thread at seq 1. Threads are not runs: `purgeRuns` never deletes
   * them.
   */
  deleteThread?(input: { threadId: string }): Promise<boolean>
  /**
   * Records (`capabilities.records`): writes `value` (stored as JSON) under `collection`/`key`,
   * atomically. Without `expectRevision` it always writes (creating or replacing). With it, it
   * writes only when the record's current revision is that number (0: the record must not
   * exist), and answers `conflict` with the current record otherwise, writing nothing; of
   * concurrent writers expecting one revision, from any number of processes, exactly one wins.
   * The new revision is the old one + 1 (1 for a new record); `createdAt` is kept from the first
   * write, `updatedAt` is `now`.
   *
   * Bad input throws `InvalidArgumentError` and writes nothing: an empty `collection` or one
   * over 64 characters, an empty `key` or one over 255 characters, a collection or key holding
   * U+0000 or a lone surrogate (UTF-8 cannot hold them alike), a value JSON cannot hold,
   * `expectRevision` not a non-negative integer, `now` not a finite number
   * (`checkRecordInput` from `@tessera/core` checks it as every store must).
   */
  putRecord?(input: {
    collection: string
    key: string
    value: unknown
    now: number
    expectRevision?: number
  }): Promise<PutRecordResult>
  /** Records: one record, or `undefined`. Returns a copy. */
  getRecord?(input: { collection: string; key: string }): Promise<StoredRecord | undefined>
  /**
   * Records: up to `limit` records of a collection in key order (see {@link ListRecordsQuery}),
   * code-point order of the keys (the byte order of their UTF-8) in every store. A `limit`
   * outside 1–1000 or a `prefix`/`after` that is not a key-like string throws
   * `InvalidArgumentError`.
   */
  listRecords?(query: ListRecordsQuery): Promise<StoredRecord[]>
  /**
   * Records: deletes one record; with `expectRevision`, only at that revision. False when
   * nothing was deleted (no such record, or another revision).
   */
  deleteRecord?(input: {
    collection: string
    key: string
    expectRevision?: number
  }): Promise<boolean>
  /** Releases connections. The store may not be used afterwards. */
  close(): Promise<void>
}
