import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { decodeRunCursor, encodeRunCursor } from '../ports/run-cursor'
import { NotFoundError } from '../errors/not-found-error'
import { StoreError } from '../errors/store-error'
import type { SerializedError } from '../errors/tessera-error'
import { checkPurgeRunsInput } from '../ports/purge-runs'
import { RunArena, type ArenaEntry } from './run-arena'
import type { RecordMethods } from './memory-records'
import { createMemoryThreads } from './memory-threads'
import { eventMatchesWait } from '../ports/wait-match'
import {
  terminalRunStatuses,
  type EventRecord,
  type PurgeRunsInput,
  type ResolveWaitResult,
  type TaskWait,
  type WaitResolution,
  type ClaimResult,
  type CommitInput,
  type CommitResult,
  type JoinOutcome,
  type ListRunsQuery,
  type RunHistory,
  type RunPage,
  type RunRecord,
  type RunStatus,
  type ScopeRecord,
  type StepRecord,
  type StoreV1,
  type TaskRecord,
} from '../ports/store-v1'

// Records are kept in classes with every field declared up front: a stable shape keeps the hot
// path (claim, commit) fast, and explicit copies are several times cheaper than object spread.

class TaskSlot {
  /** False once completed or dropped: the slot stays in the id map until the next compaction. */
  live = true
  leaseOwner: string | undefined = undefined
  leaseExpiresAt: number | undefined = undefined
  lastError: SerializedError | undefined = undefined
  wait: TaskWait | undefined = undefined
  parked = false
  constructor(
    readonly id: string,
    readonly runId: string,
    readonly workflowId: string,
    readonly workflowVersion: string,
    readonly nodeId: string,
    readonly key: string,
    readonly path: number[],
    readonly input: unknown,
    public attempt: number,
    public availableAt: number,
    public fence: number,
  ) {}

  static from(task: TaskRecord): TaskSlot {
    const slot = new TaskSlot(
      task.id,
      task.runId,
      task.workflowId,
      task.workflowVersion,
      task.nodeId,
      task.key,
      task.path,
      task.input,
      task.attempt,
      task.availableAt,
      task.fence,
    )
    if (task.leaseOwner !== undefined) slot.leaseOwner = task.leaseOwner
    if (task.leaseExpiresAt !== undefined) slot.leaseExpiresAt = task.leaseExpiresAt
    if (task.lastError !== undefined) slot.lastError = task.lastError
    if (task.wait !== undefined) slot.wait = { ...task.wait }
    if (task.parked === true) slot.parked = true
    return slot
  }

  toRecord(): TaskRecord {
    const record: TaskRecord = {
      id: this.id,
      runId: this.runId,
      workflowId: this.workflowId,
      workflowVersion: this.workflowVersion,
      nodeId: this.nodeId,
      key: this.key,
      path: this.path,
      input: this.input,
      attempt: this.attempt,
      availableAt: this.availableAt,
      fence: this.fence,
    }
    if (this.leaseOwner !== undefined) record.leaseOwner = this.leaseOwner
    if (this.leaseExpiresAt !== undefined) record.leaseExpiresAt = this.leaseExpiresAt
    if (this.lastError !== undefined) record.lastError = this.lastError
    if (this.wait !== undefined) record.wait = { ...this.wait }
    if (this.parked) record.parked = true
    return record
  }
}

/** The task list of every ended run: ended runs never get tasks again (commits are refused). */
const noTasks: TaskSlot[] = []

/** A run record with every field declared, so that status changes never reshape the object. */
class RunSlot {
  output: unknown = undefined
  error: SerializedError | undefined = undefined
  endedAt: number | undefined = undefined
  readonly idempotencyKey: string | undefined
  constructor(
    readonly id: string,
    readonly workflowId: string,
    readonly workflowVersion: string,
    public status: RunRecord['status'],
    readonly input: unknown,
    readonly createdAt: number,
    public updatedAt: number,
    idempotencyKey: string | undefined,
  ) {
    this.idempotencyKey = idempotencyKey
  }

  static from(run: RunRecord): RunSlot {
    const slot = new RunSlot(
      run.id,
      run.workflowId,
      run.workflowVersion,
      run.status,
      run.input,
      run.createdAt,
      run.updatedAt,
      run.idempotencyKey,
    )
    slot.output = run.output
    slot.error = run.error
    slot.endedAt = run.endedAt
    return slot
  }

  toRecord(): RunRecord {
    const record: RunRecord = {
      id: this.id,
      workflowId: this.workflowId,
      workflowVersion: this.workflowVersion,
      status: this.status,
      input: this.input,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    }
    if (this.output !== undefined) record.output = this.output
    if (this.error !== undefined) record.error = this.error
    if (this.idempotencyKey !== undefined) record.idempotencyKey = this.idempotencyKey
    if (this.endedAt !== undefined) record.endedAt = this.endedAt
    return record
  }
}

/**
 * One run. Step records are kept column-wise (keys, packed numbers, values) instead of as one
 * object each: a long-lived in-memory history then costs the garbage collector far less. Node id
 * and path are derived from the key on read.
 */
class RunEntry {
  stepKeys: string[] = []
  /** Per step: attempts (negative when failed), startedAt, endedAt. */
  stepNumbers: number[] = []
  /** Per step: the output, or the serialised error when failed. */
  stepValues: unknown[] = []
  /** Built once a run has many steps; small runs scan the key array. */
  stepKeySet: Set<string> | undefined = undefined
  /** Failed steps' inputs by key (kept for `reopenRun`). */
  failedInputs: Map<string, unknown> | undefined = undefined
  scopes: Map<string, ScopeRecord> | undefined = undefined
  /** The run's pending tasks (a few at a time: an array beats a set here). */
  tasks: TaskSlot[] = []
  constructor(readonly run: RunSlot) {}

  /** Drops the growth slack of an ended run's arrays: its history no longer changes. */
  compact(): void {
    this.stepKeys = this.stepKeys.slice()
    this.stepNumbers = this.stepNumbers.slice()
    this.stepValues = this.stepValues.slice()
    if (this.tasks.length === 0) this.tasks = noTasks
  }

  /** Forgets the failed step records (a reopened run runs those steps again). */
  dropFailedSteps(): void {
    const keep: number[] = []
    for (let index = 0; index < this.stepKeys.length; index++) {
      if (this.stepNumbers[index * 3]! > 0) keep.push(index)
    }
    this.stepKeys = keep.map((index) => this.stepKeys[index]!)
    this.stepNumbers = keep.flatMap((index) => this.stepNumbers.slice(index * 3, index * 3 + 3))
    this.stepValues = keep.map((index) => this.stepValues[index])
    this.stepKeySet = this.stepKeys.length > 16 ? new Set(this.stepKeys) : undefined
    this.failedInputs = undefined
  }

  hasStep(key: string): boolean {
    if (this.stepKeySet) return this.stepKeySet.has(key)
    return this.stepKeys.includes(key)
  }

  addStep(step: StepRecord): void {
    this.stepKeys.push(step.key)
    this.stepNumbers.push(
      step.status === 'failed' ? -step.attempts : step.attempts,
      step.startedAt,
      step.endedAt,
    )
    this.stepValues.push(step.status === 'failed' ? step.error : step.output)
    if (step.status === 'failed' && step.input !== undefined) {
      ;(this.failedInputs ??= new Map()).set(step.key, step.input)
    }
    if (this.stepKeySet) this.stepKeySet.add(step.key)
    else if (this.stepKeys.length > 16) this.stepKeySet = new Set(this.stepKeys)
  }

  steps(): StepRecord[] {
    return this.stepKeys.map((key, index) => {
      const attempts = this.stepNumbers[index * 3]!
      const hash = key.indexOf('#')
      const record: StepRecord = {
        runId: this.run.id,
        key,
        nodeId: hash === -1 ? key : key.slice(0, hash),
        path:
          hash === -1
            ? []
            : key
                .slice(hash + 1)
                .split('.')
                .map(Number),
        status: attempts < 0 ? 'failed' : 'succeeded',
        attempts: Math.abs(attempts),
        startedAt: this.stepNumbers[index * 3 + 1]!,
        endedAt: this.stepNumbers[index * 3 + 2]!,
      }
      if (attempts < 0) {
        record.error = this.stepValues[index] as SerializedError
        if (this.failedInputs?.has(key)) record.input = this.failedInputs.get(key)
      } else record.output = this.stepValues[index]
      return record
    })
  }
}

/** Whether new tasks include one that is not a wait (the run has work it can do). */
const runnableAdded = (tasks: TaskRecord[] | undefined): boolean => {
  if (tasks === undefined) return false
  for (const task of tasks) if (task.wait === undefined) return true
  return false
}

/** Shared answer of a commit that has nothing to report (never mutated). */
const COMMITTED: CommitResult = Object.freeze({ status: 'committed' })

const copyScope = (scope: ScopeRecord): ScopeRecord => ({ ...scope, results: { ...scope.results } })

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * How many ended runs (succeeded, failed, cancelled) to keep, oldest dropped first; running
   * and suspended runs are always kept. Default 1000, so that a long-lived process using the
   * default store does not grow without bound. `Infinity` keeps everything.
   */
  maxEndedRuns?: number
  /**
   * Keep ended runs (succeeded and cancelled) packed as bytes outside the JavaScript heap.
   * Default true. A long-lived process then stays smaller: retained history kept as objects makes
   * V8 grow its young generation (10,000 runs of a 10-step workflow peak at about 104 MB RSS with
   * ended runs kept as objects, 78 MB packed). Only runs whose values JSON gives back exactly are
   * packed (plain objects and arrays, strings, finite numbers, booleans, null); reading one
   * returns equal copies, as a durable store does. Runs holding anything else (a `Date`, a class
   * instance, a `BigInt`, an `undefined` property) and failed runs are kept as they are. `false`
   * keeps every ended run as objects: reads then return the stored values themselves.
   */
  packEndedRuns?: boolean
}

/**
 * The in-memory reference store: fast, not durable, for one process. It is the default of
 * `createEngine()` and passes the same conformance suite as every durable store. It keeps the
 * last `maxEndedRuns` ended runs (default 1000), packed outside the JavaScript heap when their
 * values are plain JSON (`packEndedRuns`): use a durable store to keep history. It keeps
 * conversation threads (`capabilities.threads`) and keyed records (`capabilities.records`) too,
 * as JSON text, until they are deleted.
 *
 * @example
 * ```ts
 * const engine = createEngine({ store: createMemoryStore({ maxEndedRuns: 10_000 }) })
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): StoreV1 {
  const maxEndedRuns = options.maxEndedRuns ?? 1000
  const pack = options.packEndedRuns !== false
  if (!(maxEndedRuns >= 0) || (maxEndedRuns !== Infinity && !Number.isInteger(maxEndedRuns))) {
    throw new InvalidArgumentError({
      fn: 'createMemoryStore',
      argument: 'maxEndedRuns',
      expected: 'a non-negative integer or Infinity',
      received: options.maxEndedRuns,
    })
  }
  /** Ids of ended runs, oldest first (a queue with a moving head). */
  const ended: string[] = []
  let endedHead = 0
  /**
   * Runs by id: entries, or (with `packEndedRuns`) the arena handle of an ended run's packed
   * history (see RunArena).
   */
  const runs = new Map<string, RunEntry | number>()
  const arena = new RunArena()
  const shapes = new PackedShapes()
  /** The idempotency index key of packed runs that have one (to drop it with the run). */
  const packedKeys = new Map<string, string>()
  const byIdempotencyKey = new Map<string, string>()
  // Task ids map to slots. Completed tasks are marked dead instead of deleted, and the map is
  // rebuilt once dead slots outnumber live ones (and 64): dead slots must not live long enough
  // to be promoted to the old generation; deleting from a Map that keeps emptying makes
  // V8 shrink its table on every delete, which cost more than the rest of a commit.
  let tasks = new Map<string, TaskSlot>()
  let dead = 0
  let closed = false
  /** Unresolved event waits by event name. */
  const eventWaits = new Map<string, Set<TaskSlot>>()
  /** Events no wait took yet, by name, oldest first. */
  const inbox = new Map<string, EventRecord[]>()

  const indexWait = (slot: TaskSlot) => {
    const wait = slot.wait
    if (wait?.kind !== 'event' || wait.resolution !== undefined || slot.parked) return
    let set = eventWaits.get(wait.name ?? '')
    if (!set) eventWaits.set(wait.name ?? '', (set = new Set()))
    set.add(slot)
  }
  const unindexWait = (slot: TaskSlot) => {
    if (slot.wait?.kind !== 'event') return
    const set = eventWaits.get(slot.wait.name ?? '')
    if (set?.delete(slot) && set.size === 0) eventWaits.delete(slot.wait.name ?? '')
  }
  const resolveSlot = (slot: TaskSlot, resolution: WaitResolution, now: number) => {
    unindexWait(slot)
    slot.wait = { ...slot.wait!, resolution }
    slot.availableAt = now
  }
  /** A suspended run with a task that is not an unresolved wait runs again, and vice versa. */
  const deriveSuspension = (entry: RunEntry) => {
    const run = entry.run
    if (run.status !== 'running' && run.status !== 'suspended') return
    if (entry.tasks.length === 0) return
    let waiting = true
    for (const task of entry.tasks) {
      if (task.wait === undefined || task.wait.resolution !== undefined) {
        waiting = false
        break
      }
    }
    run.status = waiting ? 'suspended' : 'running'
  }
  /** Resolves a new event wait with the oldest matching inbox event, if any. */
  const takeFromInbox = (slot: TaskSlot, now: number): boolean => {
    const events = inbox.get(slot.wait!.name ?? '')
    if (!events) return false
    for (let index = 0; index < events.length; index++) {
      const event = events[index]!
      if (event.expiresAt <= now) continue
      if (event.runId !== undefined && event.runId !== slot.runId) continue
      if (!eventMatchesWait(event.payload, slot.wait!)) continue
      events.splice(index, 1)
      if (events.length === 0) inbox.delete(event.name)
      resolveSlot(slot, { type: 'event', eventId: event.id, payload: event.payload, at: now }, now)
      return true
    }
    return false
  }
  const checkOpen = () => {
    if (closed) throw new StoreError('memory', 'The store is closed')
  }

  const liveTask = (taskId: string): TaskSlot | undefined => {
    const slot = tasks.get(taskId)
    return slot !== undefined && slot.live ? slot : undefined
  }

  const removeTask = (entry: RunEntry, slot: TaskSlot) => {
    slot.live = false
    dead++
    if (slot.wait !== undefined) unindexWait(slot)
    const index = entry.tasks.indexOf(slot)
    if (index !== -1) {
      const last = entry.tasks.pop()!
      if (index < entry.tasks.length) entry.tasks[index] = last
    }
    if (dead > 64 && dead > tasks.size / 2) {
      const live = new Map<string, TaskSlot>()
      for (const [id, task] of tasks) if (task.live) live.set(id, task)
      tasks = live
      dead = 0
    }
  }

  /** A run's entry: the live one, or one unpacked from the arena (a copy, read-only). */
  const entryFor = (runId: string): RunEntry | undefined => {
    const value = runs.get(runId)
    return typeof value === 'number' ? unpackRun(arena.read(value)) : value
  }

  const entryOf = (runId: string): RunEntry => {
    checkOpen()
    const entry = entryFor(runId)
    if (!entry) throw new NotFoundError({ kind: 'run', id: runId })
    return entry
  }

  /** Drops an ended run: its packed history, or its entry and parked tasks. */
  const forget = (runId: string) => {
    const value = runs.get(runId)
    if (value === undefined) return
    runs.delete(runId)
    if (typeof value === 'number') {
      arena.free(value)
      const key = packedKeys.get(runId)
      if (key !== undefined) {
        packedKeys.delete(runId)
        byIdempotencyKey.delete(key)
      }
      return
    }
    if (value.run.idempotencyKey !== undefined) {
      byIdempotencyKey.delete(`${value.run.workflowId}\0${value.run.idempotencyKey}`)
    }
    while (value.tasks.length > 0) removeTask(value, value.tasks[value.tasks.length - 1]!)
  }

  const runEnded = (entry: RunEntry) => {
    const id = entry.run.id
    // Failed runs stay entries (their parked tasks wait for reopenRun), and so do runs holding
    // values JSON would change (see packRun).
    const handle = pack && entry.run.status !== 'failed' ? packRun(entry, arena, shapes) : undefined
    if (handle === undefined) {
      entry.compact()
    } else {
      runs.set(id, handle)
      if (entry.run.idempotencyKey !== undefined) {
        packedKeys.set(id, `${entry.run.workflowId}\0${entry.run.idempotencyKey}`)
      }
    }
    ended.push(id)
    while (ended.length - endedHead > maxEndedRuns) {
      const oldest = ended[endedHead]!
      ended[endedHead++] = undefined as unknown as string
      forget(oldest)
    }
    if (endedHead > 1024 && endedHead * 2 > ended.length) {
      ended.splice(0, endedHead)
      endedHead = 0
    }
  }

  /** Adds a task unless its id exists; returns the new slot. */
  const addTask = (entry: RunEntry, task: TaskRecord): TaskSlot | undefined => {
    const existing = tasks.get(task.id)
    if (existing !== undefined) {
      if (existing.live) return undefined
      dead--
    }
    const slot = TaskSlot.from(task)
    tasks.set(task.id, slot)
    if (entry.tasks === noTasks) entry.tasks = []
    entry.tasks.push(slot)
    if (slot.wait !== undefined) indexWait(slot)
    return slot
  }

  /** Adds the first or next tasks of a run, resolving new event waits from the inbox. */
  const addTasks = (entry: RunEntry, newTasks: TaskRecord[], now: number) => {
    let woken: string[] | undefined
    let waits = false
    for (const task of newTasks) {
      const slot = addTask(entry, task)
      if (slot?.wait === undefined) continue
      waits = true
      if (slot.wait.kind === 'event' && slot.wait.resolution === undefined && inbox.size > 0) {
        if (takeFromInbox(slot, now)) (woken ??= []).push(slot.id)
      }
    }
    return { woken, waits }
  }

  const addScope = (entry: RunEntry, scope: ScopeRecord) => {
    entry.scopes ??= new Map()
    if (!entry.scopes.has(scope.key)) entry.scopes.set(scope.key, copyScope(scope))
  }

  return {
    specificationVersion: 'v1',
    provider: 'memory',
    capabilities: { durable: false, shared: false, transport: false, threads: true, records: true },
    ...createMemoryThreads(checkOpen),
    ...lazyMemoryRecords(checkOpen),

    async createRun({ run, tasks: newTasks, scopes }) {
      if (closed) throw new StoreError('memory', 'The store is closed')
      const existingId =
        run.idempotencyKey === undefined
          ? run.id
          : byIdempotencyKey.get(`${run.workflowId}\0${run.idempotencyKey}`)
      const existing = existingId === undefined ? undefined : entryFor(existingId)
      if (existing) return { run: existing.run.toRecord(), created: false }
      const sameId = entryFor(run.id)
      if (sameId) return { run: sameId.run.toRecord(), created: false }
      const entry = new RunEntry(RunSlot.from(run))
      for (const scope of scopes) addScope(entry, scope)
      let woken: string[] | undefined
      runs.set(run.id, entry)
      if (run.idempotencyKey !== undefined)
        byIdempotencyKey.set(`${run.workflowId}\0${run.idempotencyKey}`, run.id)
      if (!terminalRunStatuses.has(run.status)) {
        const added = addTasks(entry, newTasks, run.createdAt)
        woken = added.woken
        if (added.waits) deriveSuspension(entry)
      }
      if (terminalRunStatuses.has(run.status)) runEnded(entry)
      // The caller's record is returned as it is (the store keeps its own copy, the slot), unless
      // the store changed it: a run whose first task is a wait starts suspended.
      const stored = entry.run.status === run.status ? run : entry.run.toRecord()
      return woken ? { run: stored, created: true, woken } : { run: stored, created: true }
    },

    async getRun(runId) {
      const entry = entryFor(runId)
      return entry ? entry.run.toRecord() : undefined
    },

    async listRuns(query: ListRunsQuery = {}): Promise<RunPage> {
      const limit = query.limit ?? 50
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new InvalidArgumentError({
          fn: 'listRuns',
          argument: 'limit',
          expected: 'an integer from 1 to 1000',
          received: query.limit,
        })
      }
      const statuses =
        query.status === undefined
          ? undefined
          : new Set(Array.isArray(query.status) ? query.status : [query.status])
      const after = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor)
      const matching: RunSlot[] = []
      for (const value of runs.values()) {
        const run = typeof value === 'number' ? unpackRun(arena.read(value)).run : value.run
        if (query.workflowId !== undefined && run.workflowId !== query.workflowId) continue
        if (statuses && !statuses.has(run.status)) continue
        if (query.createdAfter !== undefined && run.createdAt < query.createdAfter) continue
        if (query.createdBefore !== undefined && run.createdAt >= query.createdBefore) continue
        if (after && compareRuns(run, after) >= 0) continue
        matching.push(run)
      }
      matching.sort((a, b) => -compareRuns(a, b))
      const page = matching.slice(0, limit).map((run) => run.toRecord())
      const last = page[page.length - 1]
      return matching.length > limit && last
        ? { runs: page, nextCursor: encodeRunCursor(last) }
        : { runs: page }
    },

    async getRunHistory(runId): Promise<RunHistory | undefined> {
      const entry = entryFor(runId)
      if (!entry) return undefined
      return {
        run: entry.run.toRecord(),
        steps: entry.steps(),
        scopes: entry.scopes ? [...entry.scopes.values()].map(copyScope) : [],
        tasks: entry.tasks.map((task) => task.toRecord()),
      }
    },

    async getScope(runId, key) {
      const scope = entryFor(runId)?.scopes?.get(key)
      return scope ? copyScope(scope) : undefined
    },

    claimTask({ taskId, owner, leaseMs, now }): ClaimResult {
      if (closed) throw new StoreError('memory', 'The store is closed')
      const task = liveTask(taskId)
      if (!task || task.parked) return { status: 'missing' }
      if (task.availableAt > now) return { status: 'not-ready', availableAt: task.availableAt }
      // A live lease refuses every claim, the holder's own included: a second delivery of the
      // same message must not run the step twice in one worker.
      if (task.leaseOwner !== undefined && (task.leaseExpiresAt ?? 0) > now) {
        return { status: 'leased', leaseExpiresAt: task.leaseExpiresAt! }
      }
      task.fence++
      task.leaseOwner = owner
      task.leaseExpiresAt = now + leaseMs
      if (task.wait !== undefined) {
        const run = entryFor(task.runId)?.run
        if (run?.status === 'suspended') run.status = 'running'
      }
      return { status: 'claimed', task: task.toRecord() }
    },

    async renewTask({ taskId, fence, leaseMs, now }) {
      const task = liveTask(taskId)
      if (!task || task.parked || task.fence !== fence) return false
      task.leaseExpiresAt = now + leaseMs
      return true
    },

    commit(input: CommitInput): CommitResult {
      const entry = entryOf(input.runId)
      // Check everything first: a refused commit writes nothing.
      if (terminalRunStatuses.has(entry.run.status))
        return { status: 'run-ended', run: entry.run.toRecord() }
      let task: TaskSlot | undefined
      if (input.task) {
        task = liveTask(input.task.id)
        if (!task || task.fence !== input.task.fence) return { status: 'stale' }
      }
      if (input.step && entry.hasStep(input.step.key)) return { status: 'duplicate' }
      let closing: ScopeRecord | undefined
      if (input.closeScope !== undefined) {
        closing = entry.scopes?.get(input.closeScope)
        if (!closing || closing.closed) return { status: 'duplicate' }
      }
      let joining: ScopeRecord | undefined
      if (input.join) {
        joining = entry.scopes?.get(input.join.scopeKey)
        if (!joining)
          throw new StoreError(
            'memory',
            `Run "${input.runId}" has no scope "${input.join.scopeKey}" to join`,
          )
      }
      // Apply.
      if (task) {
        if (input.retry) {
          task.attempt = input.retry.attempt
          task.availableAt = input.retry.availableAt
          task.lastError = input.retry.error
          task.leaseOwner = undefined
          task.leaseExpiresAt = undefined
        } else {
          removeTask(entry, task)
        }
      }
      if (input.step) entry.addStep(input.step)
      if (input.scopes) for (const scope of input.scopes) addScope(entry, scope)
      let join: JoinOutcome | undefined
      if (joining && input.join) {
        if (!(input.join.index in joining.results)) {
          joining.results[input.join.index] = input.join.output
          joining.completed++
        }
        join = {
          key: joining.key,
          expected: joining.expected,
          completed: joining.completed,
          closed: joining.closed,
        }
        if (joining.completed === joining.expected) join.results = { ...joining.results }
      }
      if (closing) closing.closed = true
      let woken: string[] | undefined
      let waits = false
      if (input.tasks) {
        const added = addTasks(entry, input.tasks, input.now ?? input.run?.updatedAt ?? Date.now())
        woken = added.woken
        waits = added.waits
      }
      if (input.run) {
        const { status, output, error, updatedAt, endedAt } = input.run
        const run = entry.run
        if (status !== undefined) run.status = status
        if (output !== undefined) run.output = output
        if (error !== undefined) run.error = error
        run.updatedAt = updatedAt
        if (endedAt !== undefined) run.endedAt = endedAt
        if (run.status === 'failed') {
          // Parked, not deleted: reopenRun continues the run from them.
          for (const parked of entry.tasks) {
            if (parked.wait !== undefined) unindexWait(parked)
            parked.parked = true
            parked.leaseOwner = undefined
            parked.leaseExpiresAt = undefined
          }
          runEnded(entry)
          return join ? { status: 'committed', join } : COMMITTED
        }
        if (terminalRunStatuses.has(run.status)) {
          while (entry.tasks.length > 0) removeTask(entry, entry.tasks[entry.tasks.length - 1]!)
          runEnded(entry)
          return join ? { status: 'committed', join } : COMMITTED
        }
      }
      if (
        waits ||
        entry.run.status === 'suspended' ||
        (task !== undefined && input.retry === undefined && !runnableAdded(input.tasks))
      ) {
        deriveSuspension(entry)
      }
      if (join || woken) {
        const result: CommitResult = { status: 'committed' }
        if (join) result.join = join
        if (woken) result.woken = woken
        return result
      }
      return COMMITTED
    },

    async listStaleTasks({ now, olderThan, limit }) {
      const stale: TaskRecord[] = []
      for (const task of tasks.values()) {
        if (stale.length >= limit) break
        if (!task.live || task.parked) continue
        const leased = task.leaseOwner !== undefined
        if (leased ? (task.leaseExpiresAt ?? 0) <= now : task.availableAt <= now - olderThan)
          stale.push(task.toRecord())
      }
      return stale
    },

    async deliverEvent({ event, now }) {
      checkOpen()
      const delivered: TaskRecord[] = []
      const waiting = eventWaits.get(event.name)
      if (waiting) {
        for (const slot of [...waiting]) {
          if (slot.availableAt <= now) continue
          if (event.runId !== undefined && slot.runId !== event.runId) continue
          const entry = entryFor(slot.runId)
          if (!entry || terminalRunStatuses.has(entry.run.status)) continue
          if (!eventMatchesWait(event.payload, slot.wait!)) continue
          resolveSlot(
            slot,
            { type: 'event', eventId: event.id, payload: event.payload, at: now },
            now,
          )
          if (entry.run.status === 'suspended') entry.run.status = 'running'
          delivered.push(slot.toRecord())
        }
      }
      if (delivered.length === 0 && event.expiresAt > now && event.expiresAt > event.receivedAt) {
        let events = inbox.get(event.name)
        if (!events) inbox.set(event.name, (events = []))
        events.push({ ...event })
      }
      return { delivered }
    },

    async resolveWait({ runId, kind, name, key, resolution, now }): Promise<ResolveWaitResult> {
      const entry = entryOf(runId)
      if (terminalRunStatuses.has(entry.run.status))
        return { status: 'run-ended', run: entry.run.toRecord() }
      let found: TaskSlot | undefined
      for (const task of entry.tasks) {
        const wait = task.wait
        if (wait?.kind !== kind || wait.resolution !== undefined || task.parked) continue
        if (name !== undefined && wait.name !== name) continue
        if (key !== undefined ? task.key !== key : found !== undefined && found.key < task.key)
          continue
        if (task.availableAt <= now) continue
        found = task
      }
      if (!found) return { status: 'not-waiting' }
      resolveSlot(found, resolution, now)
      if (entry.run.status === 'suspended') entry.run.status = 'running'
      return { status: 'resolved', task: found.toRecord() }
    },

    async reopenRun({ runId, tasks: newTasks, now }) {
      const entry = entryOf(runId)
      const run = entry.run
      if (run.status !== 'failed') return { status: 'not-failed', run: run.toRecord() }
      const index = ended.indexOf(runId, endedHead)
      if (index !== -1) ended.splice(index, 1)
      entry.dropFailedSteps()
      for (const task of entry.tasks) {
        task.parked = false
        if (task.wait !== undefined) indexWait(task)
      }
      // A replaced task keeps the larger fence: fences never go back, so a worker still holding
      // the old claim can never commit over the new one.
      const fenced = newTasks.map((task) => {
        const existing = liveTask(task.id)
        if (!existing) return task
        removeTask(entry, existing)
        return existing.fence > task.fence ? { ...task, fence: existing.fence } : task
      })
      addTasks(entry, fenced, now)
      run.status = 'running'
      run.error = undefined
      run.output = undefined
      run.endedAt = undefined
      run.updatedAt = now
      deriveSuspension(entry)
      return { status: 'reopened', run: run.toRecord() }
    },

    async purgeRuns(input: PurgeRunsInput) {
      checkOpen()
      checkPurgeRunsInput(input)
      const { endedBefore, keepLast, workflowId, limit, now } = input
      const live: RunSlot[] = []
      for (let index = endedHead; index < ended.length; index++) {
        const entry = entryFor(ended[index]!)
        if (entry) live.push(entry.run)
      }
      const chosen = new Set<RunSlot>()
      if (keepLast !== undefined) {
        const byWorkflow = new Map<string, RunSlot[]>()
        for (const run of live) {
          let list = byWorkflow.get(run.workflowId)
          if (!list) byWorkflow.set(run.workflowId, (list = []))
          list.push(run)
        }
        for (const list of byWorkflow.values()) {
          list.sort((a, b) => -compareEnded(a, b))
          for (const run of list.slice(keepLast)) chosen.add(run)
        }
      }
      if (endedBefore !== undefined) {
        for (const run of live) if ((run.endedAt ?? 0) < endedBefore) chosen.add(run)
      }
      const doomed = [...chosen]
        .filter((run) => workflowId === undefined || run.workflowId === workflowId)
        .sort(compareEnded)
        .slice(0, limit)
      for (const run of doomed) forget(run.id)
      if (doomed.length > 0) {
        const gone = new Set(doomed.map((run) => run.id))
        const kept = ended.slice(endedHead).filter((id) => !gone.has(id))
        ended.length = 0
        ended.push(...kept)
        endedHead = 0
      }
      let events = 0
      for (const [name, list] of inbox) {
        const fresh = list.filter((event) => event.expiresAt > now)
        events += list.length - fresh.length
        if (fresh.length === 0) inbox.delete(name)
        else inbox.set(name, fresh)
      }
      return { runs: doomed.length, events }
    },

    async close() {
      closed = true
    },
  }
}

function compareEnded(
  a: { endedAt?: number | undefined; id: string },
  b: { endedAt?: number | undefined; id: string },
): number {
  return (a.endedAt ?? 0) - (b.endedAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/**
 * The JSON of what consecutive ended runs of a workflow share (workflow id, version, status and
 * step keys): printed once, reused while the next run has the same.
 */
class PackedShapes {
  private workflowId = ''
  private workflowVersion = ''
  private status = ''
  private keys: readonly string[] = []
  private json = ''

  jsonOf(run: RunSlot, keys: readonly string[]): string {
    if (
      run.workflowId !== this.workflowId ||
      run.workflowVersion !== this.workflowVersion ||
      run.status !== this.status ||
      !sameStrings(keys, this.keys)
    ) {
      this.workflowId = run.workflowId
      this.workflowVersion = run.workflowVersion
      this.status = run.status
      this.keys = keys
      this.json = JSON.stringify([run.workflowId, run.workflowVersion, run.status, keys])
    }
    return this.json
  }
}

const sameStrings = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false
  return true
}

/** Bits of the last packed number: which optional run fields are undefined. */
const unsetInput = 1
const unsetOutput = 2
const unsetError = 4
const unsetKey = 8

/**
 * Writes an ended run to the arena and returns its handle, or undefined when the run holds a
 * value JSON would not give back exactly (see jsonExact) or failed steps' inputs: such runs stay
 * entries. The numbers are the step columns, then createdAt, updatedAt, endedAt (NaN when unset)
 * and the unset bits; the text is the shape's JSON (PackedShapes), a newline, and JSON of the
 * run id, input, output, error, idempotency key, step values, the indexes of `undefined` step
 * values, and scopes.
 */
function packRun(entry: RunEntry, arena: RunArena, shapes: PackedShapes): number | undefined {
  const run = entry.run
  if (entry.failedInputs !== undefined) return undefined
  try {
    if (!optionalExact(run.input) || !optionalExact(run.output) || !optionalExact(run.error))
      return undefined
    let undefinedAt: number[] | undefined
    const values = entry.stepValues
    for (let index = 0; index < values.length; index++) {
      const value = values[index]
      if (value === undefined) (undefinedAt ??= []).push(index)
      else if (!jsonExact(value, 0)) return undefined
    }
    const scopes = entry.scopes ? [...entry.scopes.values()] : []
    for (const scope of scopes) {
      if (!jsonExact(scope.results, 0) || !optionalExact(scope.items)) return undefined
    }
    const text =
      shapes.jsonOf(run, entry.stepKeys) +
      '\n' +
      JSON.stringify([
        run.id,
        run.input,
        run.output,
        run.error,
        run.idempotencyKey,
        values,
        undefinedAt ?? [],
        scopes,
      ])
    const unset =
      (run.input === undefined ? unsetInput : 0) |
      (run.output === undefined ? unsetOutput : 0) |
      (run.error === undefined ? unsetError : 0) |
      (run.idempotencyKey === undefined ? unsetKey : 0)
    // The entry is dropped once packed: its number column takes the run's numbers.
    const numbers = entry.stepNumbers
    numbers.push(run.createdAt, run.updatedAt, run.endedAt ?? NaN, unset)
    return arena.write(text, numbers)
  } catch {
    // A getter that throws, say: kept as it is.
    return undefined
  }
}

/**
 * Whether `JSON.parse(JSON.stringify(value))` gives `value` back with the same types and keys:
 * strings, finite numbers (not -0), booleans, null, and arrays and plain objects of those, with
 * no `undefined` inside and at most 32 levels deep (a cycle is never exact).
 */
function jsonExact(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0)
    case 'object': {
      if (value === null) return true
      if (depth === 32) return false
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index]
          if (item === undefined || !jsonExact(item, depth + 1)) return false
        }
        return true
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false
      const record = value as Record<string, unknown>
      for (const key in record) {
        const item = record[key]
        if (item === undefined || !jsonExact(item, depth + 1)) return false
      }
      return true
    }
    default:
      return false
  }
}

/** jsonExact, or undefined (a field JSON leaves out and reads back as undefined). */
const optionalExact = (value: unknown): boolean => value === undefined || jsonExact(value, 0)

type Shape = [workflowId: string, workflowVersion: string, status: RunStatus, keys: string[]]
type Fields = [
  id: string,
  input: unknown,
  output: unknown,
  error: SerializedError | null,
  idempotencyKey: string | null,
  values: unknown[],
  undefinedAt: number[],
  scopes: ScopeRecord[],
]

/** A packed run's two JSON texts, parsed. */
function parsePacked(text: string): [Shape, Fields] {
  const cut = text.indexOf('\n')
  return [JSON.parse(text.slice(0, cut)) as Shape, JSON.parse(text.slice(cut + 1)) as Fields]
}

function slotOf(
  [workflowId, workflowVersion, status]: Shape,
  [id, input, output, error, idempotencyKey]: Fields,
  numbers: Float64Array,
): RunSlot {
  const last = numbers.length - 1
  const unset = numbers[last]!
  const slot = new RunSlot(
    id,
    workflowId,
    workflowVersion,
    status,
    unset & unsetInput ? undefined : input,
    numbers[last - 3]!,
    numbers[last - 2]!,
    unset & unsetKey ? undefined : idempotencyKey!,
  )
  slot.output = unset & unsetOutput ? undefined : output
  slot.error = unset & unsetError ? undefined : error!
  const endedAt = numbers[last - 1]!
  slot.endedAt = Number.isNaN(endedAt) ? undefined : endedAt
  return slot
}

/** A packed run read back: a new entry with copies of its values (read-only). */
function unpackRun({ numbers, text }: ArenaEntry): RunEntry {
  const [shape, fields] = parsePacked(text)
  const [, , , keys] = shape
  const [, , , , , values, undefinedAt, scopes] = fields
  for (const index of undefinedAt) values[index] = undefined
  const entry = new RunEntry(slotOf(shape, fields, numbers))
  entry.stepKeys = keys
  entry.stepNumbers = Array.from(numbers.subarray(0, keys.length * 3))
  entry.stepValues = values
  if (keys.length > 16) entry.stepKeySet = new Set(keys)
  if (scopes.length > 0) entry.scopes = new Map(scopes.map((scope) => [scope.key, scope]))
  entry.tasks = noTasks
  return entry
}

function compareRuns(
  a: { createdAt: number; id: string },
  b: { createdAt: number; id: string },
): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/**
 * The records methods, their code loaded on first use (./memory-records): most engines never
 * keep a record (they serve the HTTP API's definitions, keys and audit trail), and the main
 * entry stays smaller. Calls made while it loads run in the order they were made; once it has
 * loaded, calls go straight to it.
 */
function lazyMemoryRecords(checkOpen: () => void): RecordMethods {
  let methods: RecordMethods | undefined
  let loading: Promise<RecordMethods> | undefined
  const load = () =>
    (loading ??= import('./memory-records').then(({ createMemoryRecords }) => {
      methods = createMemoryRecords(checkOpen)
      return methods
    }))
  return {
    putRecord: (input) => methods?.putRecord(input) ?? load().then((m) => m.putRecord(input)),
    getRecord: (input) => methods?.getRecord(input) ?? load().then((m) => m.getRecord(input)),
    listRecords: (query) => methods?.listRecords(query) ?? load().then((m) => m.listRecords(query)),
    deleteRecord: (input) =>
      methods?.deleteRecord(input) ?? load().then((m) => m.deleteRecord(input)),
  }
}
