// Reads (runs, pages of runs, histories, scopes, stale tasks) and the batch operations that
// select their rows first: claimNext and purgeRuns.
import type Database from 'better-sqlite3'
import {
  decodeRunCursor,
  encodeRunCursor,
  type ListRunsQuery,
  type PurgeRunsInput,
  type RunHistory,
  type RunPage,
  type RunRecord,
  type RunStatus,
  type ScopeRecord,
  type TaskRecord,
} from '@tessera/core'
import {
  runFromRow,
  scopeFromRow,
  scopeResultOutput,
  stepFromRow,
  taskFromRow,
  type Row,
} from './sqlite-rows'
import type { SqliteContext } from './sqlite-statements'

const byAvailability = (a: TaskRecord, b: TaskRecord) =>
  a.availableAt - b.availableAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

export function createQueries({ db, sql, t }: SqliteContext) {
  const getRun = (runId: string): RunRecord | undefined => {
    const row = sql.getRun.get(runId) as Row | undefined
    return row ? runFromRow(t.runs, row) : undefined
  }

  const scopeResults = (rows: Row[]): Record<number, unknown> => {
    const results: Record<number, unknown> = {}
    for (const row of rows) {
      const { index, output } = scopeResultOutput(t.scopeResults, row)
      results[index] = output
    }
    return results
  }

  const historyTx = db.transaction((runId: string): RunHistory | undefined => {
    const runRow = sql.getRun.get(runId) as Row | undefined
    if (!runRow) return undefined
    const rowsByScope = new Map<string, Row[]>()
    for (const row of sql.getRunScopeResults.all(runId) as Row[]) {
      const key = String(row.scope_key)
      const rows = rowsByScope.get(key)
      if (rows) rows.push(row)
      else rowsByScope.set(key, [row])
    }
    return {
      run: runFromRow(t.runs, runRow),
      steps: (sql.getSteps.all(runId) as Row[]).map((row) => stepFromRow(t.steps, row)),
      scopes: (sql.getScopes.all(runId) as Row[]).map((row) =>
        scopeFromRow(t.scopes, row, scopeResults(rowsByScope.get(String(row.key)) ?? [])),
      ),
      tasks: (sql.getTasks.all({ run: runId }) as Row[]).map((row) => taskFromRow(t.tasks, row)),
    }
  })

  const scopeTx = db.transaction((runId: string, key: string): ScopeRecord | undefined => {
    const row = sql.getScope.get(runId, key) as Row | undefined
    if (!row) return undefined
    return scopeFromRow(t.scopes, row, scopeResults(sql.getScopeResults.all(runId, key) as Row[]))
  })

  /** listRuns statements by filter shape (a handful at most). */
  const listStatements = new Map<string, Database.Statement>()
  const listStatement = (query: ListRunsQuery, statuses: RunStatus[] | undefined) => {
    const where: string[] = []
    if (query.workflowId !== undefined) where.push('workflow_id = @workflowId')
    if (statuses) where.push(`status IN (${statuses.map((_, i) => `@s${i}`).join(', ')})`)
    if (query.createdAfter !== undefined) where.push('created_at >= @createdAfter')
    if (query.createdBefore !== undefined) where.push('created_at < @createdBefore')
    if (query.cursor !== undefined) {
      where.push(
        '(created_at < @afterCreatedAt OR (created_at = @afterCreatedAt AND id < @afterId))',
      )
    }
    const text = `SELECT * FROM ${t.runs}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT @limit`
    let statement = listStatements.get(text)
    if (!statement) {
      statement = db.prepare(text)
      listStatements.set(text, statement)
    }
    return statement
  }

  const listRuns = (query: ListRunsQuery, limit: number): RunPage => {
    const after = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor)
    const statuses =
      query.status === undefined
        ? undefined
        : [...new Set(Array.isArray(query.status) ? query.status : [query.status])]
    if (statuses && statuses.length === 0) return { runs: [] }
    const params: Record<string, unknown> = { limit: limit + 1 }
    if (query.workflowId !== undefined) params.workflowId = query.workflowId
    statuses?.forEach((status, i) => (params[`s${i}`] = status))
    if (query.createdAfter !== undefined) params.createdAfter = query.createdAfter
    if (query.createdBefore !== undefined) params.createdBefore = query.createdBefore
    if (after) {
      params.afterCreatedAt = after.createdAt
      params.afterId = after.id
    }
    const rows = listStatement(query, statuses).all(params) as Row[]
    const runs = rows.slice(0, limit).map((row) => runFromRow(t.runs, row))
    const last = runs[runs.length - 1]
    return rows.length > limit && last ? { runs, nextCursor: encodeRunCursor(last) } : { runs }
  }

  const staleTasks = (now: number, olderThan: number, limit: number): TaskRecord[] =>
    (sql.staleTasks.all(now - olderThan, now, limit) as Row[]).map((row) =>
      taskFromRow(t.tasks, row),
    )

  /**
   * One UPDATE picks the claimable tasks (oldest `availableAt` first) and leases them, in an
   * IMMEDIATE transaction: a concurrent caller, in this process or another, waits for the write
   * lock and then sees them leased. A row that cannot be read back rolls the claims back.
   */
  const claimNextTx = db.transaction(
    (owner: string, leaseMs: number, now: number, limit: number): TaskRecord[] => {
      const tasks = (sql.claimNext.all({ owner, expires: now + leaseMs, now, limit }) as Row[]).map(
        (row) => taskFromRow(t.tasks, row),
      )
      // As claimTask does: a claimed wait makes its suspended run running again.
      for (const task of tasks) if (task.wait) sql.wakeRun.run(task.runId)
      return tasks.sort(byAvailability)
    },
  )

  const purgeTx = db.transaction((input: PurgeRunsInput): { runs: number; events: number } => {
    const ids = sql.purgeCandidates.get({
      workflowId: input.workflowId ?? null,
      endedBefore: input.endedBefore ?? null,
      keepLast: input.keepLast ?? null,
      limit: input.limit,
    }) as string
    sql.purgeSteps.run(ids)
    // Parked tasks of failed runs; the runs' task ids are found by run, one run at a time.
    for (const run of JSON.parse(ids) as string[]) sql.deleteRunTasks.run({ run })
    sql.purgeScopeResults.run(ids)
    sql.purgeScopes.run(ids)
    const runs = sql.purgeRuns.run(ids).changes
    const events = sql.purgeInbox.run(input.now).changes
    return { runs, events }
  })

  return {
    getRun,
    history: (runId: string) => historyTx(runId),
    scope: (runId: string, key: string) => scopeTx(runId, key),
    listRuns,
    staleTasks,
    claimNext: (owner: string, leaseMs: number, now: number, limit: number) =>
      claimNextTx.immediate(owner, leaseMs, now, limit),
    purge: (input: PurgeRunsInput) => purgeTx.immediate(input),
  }
}
