// The write transactions of the hot path: claimTask, createRun and commit (the rules they
// share with other writes are in sqlite-rules.ts).
import {
  NotFoundError,
  StoreError,
  terminalRunStatuses,
  type ClaimResult,
  type CommitInput,
  type CommitResult,
  type JoinOutcome,
  type RunRecord,
  type RunStatus,
  type ScopeRecord,
  type TaskRecord,
} from '@tessera/core'
import { provider } from './sqlite-errors'
import {
  pathJson,
  runFromRow,
  scopeFromRow,
  scopeResultOutput,
  taskFromRow,
  toJson,
  type Row,
} from './sqlite-rows'
import type { SqliteRules } from './sqlite-rules'
import type { SqliteContext } from './sqlite-statements'

/** Shared answers that carry nothing else (never mutated). */
const COMMITTED: CommitResult = Object.freeze({ status: 'committed' })
const STALE: CommitResult = Object.freeze({ status: 'stale' })
const DUPLICATE: CommitResult = Object.freeze({ status: 'duplicate' })

/** Whether new tasks include one that is not a wait (the run has work it can do). */
const runnableAdded = (tasks: TaskRecord[] | undefined): boolean =>
  tasks !== undefined && tasks.some((task) => task.wait === undefined)

/** Thrown inside a transaction to roll back what it wrote and answer `result`. */
class Refusal {
  constructor(readonly result: CommitResult) {}
}

export function createWriters({ db, sql, t }: SqliteContext, rules: SqliteRules) {
  const { insertScope, insertTasks, deriveStatus } = rules
  const runEnded = (runId: string): CommitResult => ({
    status: 'run-ended',
    run: runFromRow(t.runs, sql.getRun.get(runId) as Row),
  })

  const createRunTx = db.transaction(
    (
      run: RunRecord,
      tasks: TaskRecord[],
      scopes: ScopeRecord[],
    ): { run: RunRecord; created: boolean; woken?: string[] } => {
      const byKey =
        run.idempotencyKey === undefined
          ? undefined
          : (sql.getRunByKey.get(run.workflowId, run.idempotencyKey) as Row | undefined)
      if (byKey) return { run: runFromRow(t.runs, byKey), created: false }
      const inserted = sql.insertRun.run(
        run.id,
        run.workflowId,
        run.workflowVersion,
        run.status,
        toJson(run.input),
        toJson(run.output),
        toJson(run.error),
        run.idempotencyKey ?? null,
        run.createdAt,
        run.updatedAt,
        run.endedAt ?? null,
      )
      if (inserted.changes === 0) {
        const existing = sql.getRun.get(run.id) as Row | undefined
        if (!existing) throw new StoreError(provider, `Could not insert run "${run.id}"`)
        return { run: runFromRow(t.runs, existing), created: false }
      }
      for (const scope of scopes) insertScope(scope)
      const woken: string[] = []
      let stored = run
      if (!terminalRunStatuses.has(run.status) && insertTasks(tasks, run.createdAt, woken)) {
        // A run whose first tasks all wait starts suspended: then the record has changed.
        deriveStatus(run.id)
        const status = sql.getRunStatus.get(run.id) as RunStatus
        if (status !== run.status) stored = runFromRow(t.runs, sql.getRun.get(run.id) as Row)
      }
      // Otherwise the caller's record is returned as it is, as the memory store does.
      return woken.length > 0
        ? { run: stored, created: true, woken }
        : { run: stored, created: true }
    },
  )

  const join = (runId: string, input: NonNullable<CommitInput['join']>): JoinOutcome => {
    const { scopeKey, index, output } = input
    const added = sql.insertScopeResult.run(runId, scopeKey, index, toJson(output)).changes === 1
    const row = (added ? sql.countJoin.get(runId, scopeKey) : sql.getScope.get(runId, scopeKey)) as
      Row | undefined
    if (!row) throw new StoreError(provider, `Run "${runId}" has no scope "${scopeKey}" to join`)
    const scope = scopeFromRow(t.scopes, row, {})
    const outcome: JoinOutcome = {
      key: scopeKey,
      expected: scope.expected,
      completed: scope.completed,
      closed: scope.closed,
    }
    // Only the join that completes the scope reads every child's output back.
    if (outcome.completed === outcome.expected) {
      const results: Record<number, unknown> = {}
      for (const resultRow of sql.getScopeResults.all(runId, scopeKey) as Row[]) {
        const result = scopeResultOutput(t.scopeResults, resultRow)
        results[result.index] = result.output
      }
      outcome.results = results
    }
    return outcome
  }

  /**
   * One commit, in one IMMEDIATE transaction. The checks are folded into the writes where a
   * write can answer them: the task's fenced DELETE (or retry UPDATE) changes one row only for
   * the current fence of a task of a live run, and the step's INSERT OR IGNORE one row only for
   * a new key. A write that refuses rolls back what came before it. The run's status is read
   * only by a commit without a task.
   */
  const commitTx = db.transaction((input: CommitInput): CommitResult => {
    const runId = input.runId
    // Whether the run may have been suspended: then its status is derived again after the writes.
    let maySuspend: boolean
    if (input.task) {
      const { id, fence } = input.task
      const retry = input.retry
      const openWait = retry
        ? sql.retryTask.get(retry.attempt, retry.availableAt, toJson(retry.error), id, fence, runId)
        : sql.finishTask.get(id, fence, runId)
      if (openWait === undefined) {
        // Nothing was written: find out why. Tasks of ended runs are deleted or parked, so the
        // fenced write found a task of a live run whenever it changed a row.
        const status = sql.getRunStatus.get(runId) as RunStatus | undefined
        if (status === undefined) throw new NotFoundError({ kind: 'run', id: runId })
        return terminalRunStatuses.has(status) ? runEnded(runId) : STALE
      }
      // A run with a task that is not an unresolved wait is running, not suspended.
      maySuspend = openWait === 1
    } else {
      const status = sql.getRunStatus.get(runId) as RunStatus | undefined
      if (status === undefined) throw new NotFoundError({ kind: 'run', id: runId })
      if (terminalRunStatuses.has(status)) return runEnded(runId)
      maySuspend = status === 'suspended'
    }
    const step = input.step
    if (
      step &&
      sql.insertStep.run(
        runId,
        step.key,
        step.nodeId,
        pathJson(step.path),
        step.status,
        toJson(step.output),
        toJson(step.error),
        step.attempts,
        step.startedAt,
        step.endedAt,
        toJson(step.input),
      ).changes === 0
    ) {
      throw new Refusal(DUPLICATE)
    }
    if (input.closeScope !== undefined) {
      const scope = sql.getScope.get(runId, input.closeScope) as Row | undefined
      if (!scope || scope.closed !== 0) throw new Refusal(DUPLICATE)
    }
    const now = input.now ?? input.run?.updatedAt ?? Date.now()
    if (input.scopes) for (const scope of input.scopes) insertScope(scope)
    const joined = input.join ? join(runId, input.join) : undefined
    if (input.closeScope !== undefined) sql.closeScope.run(runId, input.closeScope)
    const woken: string[] = []
    const insertedWait = input.tasks ? insertTasks(input.tasks, now, woken) : false
    let ended = false
    if (input.run) {
      const { status, output, error, updatedAt, endedAt } = input.run
      sql.patchRun.run(
        status ?? null,
        toJson(output),
        toJson(error),
        updatedAt,
        endedAt ?? null,
        runId,
      )
      if (status !== undefined && terminalRunStatuses.has(status)) {
        ended = true
        // A failed run keeps its tasks, parked, for reopenRun; other ended runs need none.
        if (status === 'failed') sql.parkRunTasks.run({ run: runId })
        else sql.deleteRunTasks.run({ run: runId })
      }
    }
    // Suspension, re-derived only when it may have changed: the common step commit, which
    // removes its task and queues a runnable successor, reads nothing more.
    if (
      !ended &&
      (insertedWait ||
        maySuspend ||
        (input.task !== undefined && !input.retry && !runnableAdded(input.tasks)))
    ) {
      deriveStatus(runId)
    }
    if (!joined && woken.length === 0) return COMMITTED
    const result: CommitResult = { status: 'committed' }
    if (joined) result.join = joined
    if (woken.length > 0) result.woken = woken
    return result
  })

  /**
   * A claim in one transaction: the fast path is one UPDATE that claims a claimable task;
   * otherwise the task is read to say why not. Claiming a wait (its timer fired, or it was
   * resolved) makes a suspended run running again.
   */
  const claimTx = db.transaction(
    (taskId: string, owner: string, leaseMs: number, now: number): ClaimResult => {
      const claimed = sql.claimTask.get(owner, now + leaseMs, taskId, now, now) as Row | undefined
      if (claimed) {
        if (claimed.wait_kind !== null) sql.wakeRun.run(claimed.run_id)
        return { status: 'claimed', task: taskFromRow(t.tasks, claimed) }
      }
      const row = sql.getTask.get(taskId) as Row | undefined
      // A parked task (of a failed run) is not there to be claimed until the run is reopened.
      if (!row || row.parked !== 0) return { status: 'missing' }
      const availableAt = row.available_at as number
      if (availableAt > now) return { status: 'not-ready', availableAt }
      // A live lease refuses every claim, the holder's own included.
      return { status: 'leased', leaseExpiresAt: row.lease_expires_at as number }
    },
  )

  return {
    claim: (taskId: string, owner: string, leaseMs: number, now: number) =>
      claimTx.immediate(taskId, owner, leaseMs, now),
    createRun: (run: RunRecord, tasks: TaskRecord[], scopes: ScopeRecord[]) =>
      createRunTx.immediate(run, tasks, scopes),
    commit(input: CommitInput): CommitResult {
      try {
        return commitTx.immediate(input)
      } catch (error) {
        if (error instanceof Refusal) return error.result
        throw error
      }
    },
  }
}
