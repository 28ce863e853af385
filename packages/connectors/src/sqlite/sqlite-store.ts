import Database from 'better-sqlite3'
import {
  decodeRunCursor,
  encodeRunCursor,
  InvalidArgumentError,
  NotFoundError,
  StoreError,
  TesseraError,
  terminalRunStatuses,
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
  type SerializedError,
  type StepRecord,
  type StoreV1,
  type TaskRecord,
} from '@tessera/core'
import {
  checkTablePrefix,
  defaultSqliteTablePrefix,
  sqliteMigrations,
  tableNames,
} from './sqlite-migrations'

/** Where the store keeps its data: a file it opens, or a connection the caller owns. */
export type SqliteStoreTarget =
  | {
      /** Path of the database file (created if missing); `':memory:'` for a throwaway store. */
      filename: string
    }
  | {
      /**
       * An open better-sqlite3 connection. The caller owns it: its pragmas are left as they are
       * (WAL and a `busy_timeout` are recommended), and `close()` does not close it.
       */
      database: Database.Database
    }

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Prefix of every table and index name. Default `tessera_`. */
  tablePrefix?: string
  /**
   * Create the tables (idempotently) when the store is created. Default true; turn it off when
   * the schema is applied with your own tool from {@link sqliteMigrations}.
   */
  migrate?: boolean
  /**
   * With `filename`: how long a statement waits for another process's write lock before
   * failing with a retryable `StoreError`. Default 5000 ms.
   */
  busyTimeoutMs?: number
}

const provider = 'sqlite'

/** Shared answer of a commit that has nothing to report (never mutated). */
const COMMITTED: CommitResult = Object.freeze({ status: 'committed' })

type Row = Record<string, unknown>

const toJson = (value: unknown): string | null =>
  value === undefined ? null : (JSON.stringify(value) ?? null)
const fromJson = (text: unknown): unknown =>
  text === null || text === undefined ? undefined : JSON.parse(text as string)

function runFromRow(row: Row): RunRecord {
  const run: RunRecord = {
    id: row.id as string,
    workflowId: row.workflow_id as string,
    workflowVersion: row.workflow_version as string,
    status: row.status as RunStatus,
    input: fromJson(row.input),
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  }
  if (row.output !== null) run.output = fromJson(row.output)
  if (row.error !== null) run.error = fromJson(row.error) as SerializedError
  if (row.idempotency_key !== null) run.idempotencyKey = row.idempotency_key as string
  if (row.ended_at !== null) run.endedAt = row.ended_at as number
  return run
}

function stepFromRow(row: Row): StepRecord {
  const step: StepRecord = {
    runId: row.run_id as string,
    key: row.key as string,
    nodeId: row.node_id as string,
    path: JSON.parse(row.path as string) as number[],
    status: row.status as StepRecord['status'],
    attempts: row.attempts as number,
    startedAt: row.started_at as number,
    endedAt: row.ended_at as number,
  }
  if (row.output !== null) step.output = fromJson(row.output)
  if (row.error !== null) step.error = fromJson(row.error) as SerializedError
  return step
}

function taskFromRow(row: Row): TaskRecord {
  const task: TaskRecord = {
    id: row.id as string,
    runId: row.run_id as string,
    workflowId: row.workflow_id as string,
    workflowVersion: row.workflow_version as string,
    nodeId: row.node_id as string,
    key: row.key as string,
    path: JSON.parse(row.path as string) as number[],
    input: fromJson(row.input),
    attempt: row.attempt as number,
    availableAt: row.available_at as number,
    fence: row.fence as number,
  }
  if (row.lease_owner !== null) task.leaseOwner = row.lease_owner as string
  if (row.lease_expires_at !== null) task.leaseExpiresAt = row.lease_expires_at as number
  if (row.last_error !== null) task.lastError = fromJson(row.last_error) as SerializedError
  return task
}

/** SQLite result codes worth another try: another connection holds a lock. */
const retryableCodes = /^SQLITE_(BUSY|LOCKED)/

/**
 * A durable `StoreV1` on SQLite through better-sqlite3: one file, safe for several processes
 * (WAL, leases and fences are enforced in the database). Every commit is one transaction.
 * better-sqlite3 is synchronous, so `claimTask` and `commit` answer synchronously, like the
 * memory store: a step costs no promise on the store's side.
 *
 * Values (inputs, outputs, errors, items) are stored as JSON text: they must be
 * JSON-serialisable, as they must be for every durable store.
 *
 * @example
 * ```ts
 * import { createEngine } from '@tessera/core'
 * import { createSqliteStore } from '@tessera/connectors/sqlite'
 *
 * const engine = createEngine({ store: createSqliteStore({ filename: 'tessera.db' }) })
 * ```
 */
export function createSqliteStore(
  target: SqliteStoreTarget,
  options: SqliteStoreOptions = {},
): StoreV1 {
  const prefix = checkTablePrefix(
    'createSqliteStore',
    options.tablePrefix ?? defaultSqliteTablePrefix,
  )
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new InvalidArgumentError({
      fn: 'createSqliteStore',
      argument: 'busyTimeoutMs',
      expected: 'a non-negative integer',
      received: options.busyTimeoutMs,
    })
  }
  const owned = target !== null && typeof target === 'object' && 'filename' in target
  if (owned ? typeof target.filename !== 'string' : !isDatabase((target as Row)?.database)) {
    throw new InvalidArgumentError({
      fn: 'createSqliteStore',
      argument: 'target',
      expected: '{ filename: string } or { database: an open better-sqlite3 Database }',
      received: target,
    })
  }

  const db = guard('open the database', () => {
    if (!owned) return (target as { database: Database.Database }).database
    const opened = new Database((target as { filename: string }).filename)
    try {
      opened.pragma(`busy_timeout = ${busyTimeoutMs}`)
      if (!opened.memory) opened.pragma('journal_mode = WAL')
      // With WAL, NORMAL keeps the database consistent after any crash; a power loss may lose
      // the last commits, which then run again (steps run at least once).
      opened.pragma('synchronous = NORMAL')
    } catch (error) {
      opened.close()
      throw error
    }
    return opened
  })
  if (options.migrate ?? true) {
    guard('create the tables', () =>
      db.transaction(() => {
        for (const statement of sqliteMigrations({ tablePrefix: prefix })) db.exec(statement)
      })(),
    )
  }

  const t = tableNames(prefix)
  // Prepared once. Tables must exist by now (migrated above, or by the caller's tool).
  const sql = guard('prepare statements', () => ({
    getRun: db.prepare(`SELECT * FROM ${t.runs} WHERE id = ?`),
    getRunStatus: db.prepare(`SELECT status FROM ${t.runs} WHERE id = ?`).pluck(),
    getRunByKey: db.prepare(
      `SELECT * FROM ${t.runs} WHERE workflow_id = ? AND idempotency_key = ?`,
    ),
    insertRun: db.prepare(
      `INSERT INTO ${t.runs} (id, workflow_id, workflow_version, status, input, output, error,
        idempotency_key, created_at, updated_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    patchRun: db.prepare(
      `UPDATE ${t.runs} SET status = COALESCE(?, status), output = COALESCE(?, output),
        error = COALESCE(?, error), updated_at = ?, ended_at = COALESCE(?, ended_at)
       WHERE id = ?`,
    ),
    getSteps: db.prepare(`SELECT * FROM ${t.steps} WHERE run_id = ? ORDER BY rowid`),
    hasStep: db.prepare(`SELECT 1 FROM ${t.steps} WHERE run_id = ? AND key = ?`).pluck(),
    insertStep: db.prepare(
      `INSERT INTO ${t.steps} (run_id, key, node_id, path, status, output, error, attempts,
        started_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getTasks: db.prepare(`SELECT * FROM ${t.tasks} WHERE run_id = ? ORDER BY rowid`),
    getTask: db.prepare(`SELECT * FROM ${t.tasks} WHERE id = ?`),
    getTaskFence: db.prepare(`SELECT fence FROM ${t.tasks} WHERE id = ?`).pluck(),
    insertTask: db.prepare(
      `INSERT OR IGNORE INTO ${t.tasks} (id, run_id, workflow_id, workflow_version, node_id, key,
        path, input, attempt, available_at, fence, lease_owner, lease_expires_at, last_error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    claimTask: db.prepare(
      `UPDATE ${t.tasks} SET fence = fence + 1, lease_owner = ?, lease_expires_at = ?
       WHERE id = ? AND available_at <= ?
         AND (lease_owner IS NULL OR IFNULL(lease_expires_at, 0) <= ?)
       RETURNING *`,
    ),
    renewTask: db.prepare(`UPDATE ${t.tasks} SET lease_expires_at = ? WHERE id = ? AND fence = ?`),
    retryTask: db.prepare(
      `UPDATE ${t.tasks} SET attempt = ?, available_at = ?, last_error = ?, lease_owner = NULL,
        lease_expires_at = NULL
       WHERE id = ?`,
    ),
    deleteTask: db.prepare(`DELETE FROM ${t.tasks} WHERE id = ?`),
    deleteRunTasks: db.prepare(`DELETE FROM ${t.tasks} WHERE run_id = ?`),
    staleTasks: db.prepare(
      `SELECT * FROM (SELECT * FROM ${t.tasks} WHERE lease_owner IS NULL AND available_at <= ?)
       UNION ALL
       SELECT * FROM (SELECT * FROM ${t.tasks}
         WHERE lease_owner IS NOT NULL AND lease_expires_at <= ?)
       LIMIT ?`,
    ),
    getScope: db.prepare(`SELECT * FROM ${t.scopes} WHERE run_id = ? AND key = ?`),
    getScopes: db.prepare(`SELECT * FROM ${t.scopes} WHERE run_id = ? ORDER BY rowid`),
    insertScope: db.prepare(
      `INSERT OR IGNORE INTO ${t.scopes} (run_id, key, expected, completed, items, closed)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    countJoin: db.prepare(
      `UPDATE ${t.scopes} SET completed = completed + 1 WHERE run_id = ? AND key = ?
       RETURNING expected, completed, closed`,
    ),
    closeScope: db.prepare(`UPDATE ${t.scopes} SET closed = 1 WHERE run_id = ? AND key = ?`),
    getScopeResults: db.prepare(
      `SELECT idx, output FROM ${t.scopeResults} WHERE run_id = ? AND scope_key = ? ORDER BY idx`,
    ),
    getRunScopeResults: db.prepare(
      `SELECT scope_key, idx, output FROM ${t.scopeResults} WHERE run_id = ? ORDER BY idx`,
    ),
    insertScopeResult: db.prepare(
      `INSERT OR IGNORE INTO ${t.scopeResults} (run_id, scope_key, idx, output)
       VALUES (?, ?, ?, ?)`,
    ),
  }))
  /** listRuns statements by filter shape (a handful at most). */
  const listStatements = new Map<string, Database.Statement>()
  let closed = false

  function guard<T>(operation: string, fn: () => T): T {
    try {
      return fn()
    } catch (error) {
      if (TesseraError.isInstance(error)) throw error
      const code = (error as { code?: unknown } | null)?.code
      throw new StoreError(
        provider,
        `Could not ${operation}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, retryable: typeof code === 'string' && retryableCodes.test(code) },
      )
    }
  }

  const checkOpen = () => {
    if (closed) throw new StoreError(provider, 'The store is closed')
  }

  const insertTask = (task: TaskRecord) =>
    sql.insertTask.run(
      task.id,
      task.runId,
      task.workflowId,
      task.workflowVersion,
      task.nodeId,
      task.key,
      JSON.stringify(task.path),
      toJson(task.input),
      task.attempt,
      task.availableAt,
      task.fence,
      task.leaseOwner ?? null,
      task.leaseExpiresAt ?? null,
      toJson(task.lastError),
    )

  const insertScope = (scope: ScopeRecord) => {
    const inserted = sql.insertScope.run(
      scope.runId,
      scope.key,
      scope.expected,
      scope.completed,
      toJson(scope.items),
      scope.closed ? 1 : 0,
    )
    if (inserted.changes === 0) return
    for (const [index, output] of Object.entries(scope.results)) {
      sql.insertScopeResult.run(scope.runId, scope.key, Number(index), toJson(output))
    }
  }

  const scopeFromRow = (row: Row, results: Record<number, unknown>): ScopeRecord => {
    const scope: ScopeRecord = {
      runId: row.run_id as string,
      key: row.key as string,
      expected: row.expected as number,
      results,
      completed: row.completed as number,
      closed: row.closed === 1,
    }
    if (row.items !== null) scope.items = fromJson(row.items) as unknown[]
    return scope
  }

  const scopeResults = (runId: string, key: string): Record<number, unknown> => {
    const results: Record<number, unknown> = {}
    for (const row of sql.getScopeResults.all(runId, key) as Row[]) {
      results[row.idx as number] = fromJson(row.output)
    }
    return results
  }

  const createRunTx = db.transaction(
    (run: RunRecord, tasks: TaskRecord[], scopes: ScopeRecord[]) => {
      const existing =
        (run.idempotencyKey === undefined
          ? undefined
          : (sql.getRunByKey.get(run.workflowId, run.idempotencyKey) as Row | undefined)) ??
        (sql.getRun.get(run.id) as Row | undefined)
      if (existing) return { run: runFromRow(existing), created: false }
      sql.insertRun.run(
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
      for (const scope of scopes) insertScope(scope)
      if (!terminalRunStatuses.has(run.status)) for (const task of tasks) insertTask(task)
      // The caller's record is returned as it is, as the memory store does.
      return { run, created: true }
    },
  )

  /** Classifies a claim that the one-statement fast path refused, and claims if it now can. */
  const claimSlowTx = db.transaction(
    (taskId: string, owner: string, leaseMs: number, now: number): ClaimResult => {
      const row = sql.getTask.get(taskId) as Row | undefined
      if (!row) return { status: 'missing' }
      const availableAt = row.available_at as number
      if (availableAt > now) return { status: 'not-ready', availableAt }
      // A live lease refuses every claim, the holder's own included.
      const leaseExpiresAt = (row.lease_expires_at as number | null) ?? 0
      if (row.lease_owner !== null && leaseExpiresAt > now) {
        return { status: 'leased', leaseExpiresAt }
      }
      const claimed = sql.claimTask.get(owner, now + leaseMs, taskId, now, now) as Row
      return { status: 'claimed', task: taskFromRow(claimed) }
    },
  )

  const commitTx = db.transaction((input: CommitInput): CommitResult => {
    // Only the status is read on the hot path: the run's input may be large.
    const runStatus = sql.getRunStatus.get(input.runId) as RunStatus | undefined
    if (runStatus === undefined) throw new NotFoundError({ kind: 'run', id: input.runId })
    // Check everything first: a refused commit writes nothing.
    if (terminalRunStatuses.has(runStatus)) {
      return { status: 'run-ended', run: runFromRow(sql.getRun.get(input.runId) as Row) }
    }
    if (input.task) {
      const fence = sql.getTaskFence.get(input.task.id) as number | undefined
      if (fence === undefined || fence !== input.task.fence) return { status: 'stale' }
    }
    if (input.step && sql.hasStep.get(input.runId, input.step.key) !== undefined) {
      return { status: 'duplicate' }
    }
    if (input.closeScope !== undefined) {
      const scope = sql.getScope.get(input.runId, input.closeScope) as Row | undefined
      if (!scope || scope.closed === 1) return { status: 'duplicate' }
    }
    if (input.join && sql.getScope.get(input.runId, input.join.scopeKey) === undefined) {
      throw new StoreError(
        provider,
        `Run "${input.runId}" has no scope "${input.join.scopeKey}" to join`,
      )
    }
    // Apply.
    if (input.task) {
      if (input.retry) {
        sql.retryTask.run(
          input.retry.attempt,
          input.retry.availableAt,
          toJson(input.retry.error),
          input.task.id,
        )
      } else {
        sql.deleteTask.run(input.task.id)
      }
    }
    const step = input.step
    if (step) {
      sql.insertStep.run(
        input.runId,
        step.key,
        step.nodeId,
        JSON.stringify(step.path),
        step.status,
        toJson(step.output),
        toJson(step.error),
        step.attempts,
        step.startedAt,
        step.endedAt,
      )
    }
    if (input.scopes) for (const scope of input.scopes) insertScope(scope)
    let join: JoinOutcome | undefined
    if (input.join) {
      const { scopeKey, index, output } = input.join
      const added = sql.insertScopeResult.run(input.runId, scopeKey, index, toJson(output))
      const scope = (
        added.changes === 1
          ? sql.countJoin.get(input.runId, scopeKey)
          : sql.getScope.get(input.runId, scopeKey)
      ) as Row
      join = {
        key: scopeKey,
        expected: scope.expected as number,
        completed: scope.completed as number,
        closed: scope.closed === 1,
      }
      // Only the join that completes the scope reads every child's output back.
      if (join.completed === join.expected) join.results = scopeResults(input.runId, scopeKey)
    }
    if (input.closeScope !== undefined) sql.closeScope.run(input.runId, input.closeScope)
    if (input.tasks) for (const task of input.tasks) insertTask(task)
    if (input.run) {
      const { status, output, error, updatedAt, endedAt } = input.run
      sql.patchRun.run(
        status ?? null,
        toJson(output),
        toJson(error),
        updatedAt,
        endedAt ?? null,
        input.runId,
      )
      if (terminalRunStatuses.has(status ?? runStatus)) {
        sql.deleteRunTasks.run(input.runId)
      }
    }
    return join ? { status: 'committed', join } : COMMITTED
  })

  const historyTx = db.transaction((runId: string): RunHistory | undefined => {
    const runRow = sql.getRun.get(runId) as Row | undefined
    if (!runRow) return undefined
    const resultsByScope = new Map<string, Record<number, unknown>>()
    for (const row of sql.getRunScopeResults.all(runId) as Row[]) {
      const key = row.scope_key as string
      let results = resultsByScope.get(key)
      if (!results) resultsByScope.set(key, (results = {}))
      results[row.idx as number] = fromJson(row.output)
    }
    return {
      run: runFromRow(runRow),
      steps: (sql.getSteps.all(runId) as Row[]).map(stepFromRow),
      scopes: (sql.getScopes.all(runId) as Row[]).map((row) =>
        scopeFromRow(row, resultsByScope.get(row.key as string) ?? {}),
      ),
      tasks: (sql.getTasks.all(runId) as Row[]).map(taskFromRow),
    }
  })

  const scopeTx = db.transaction((runId: string, key: string): ScopeRecord | undefined => {
    const row = sql.getScope.get(runId, key) as Row | undefined
    return row ? scopeFromRow(row, scopeResults(runId, key)) : undefined
  })

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

  return {
    specificationVersion: 'v1',
    provider,
    // A file is durable and may be shared by several processes; an in-memory database is neither.
    capabilities: db.memory
      ? { durable: false, shared: false, transport: false }
      : { durable: true, shared: true, transport: false },

    async createRun({ run, tasks, scopes }) {
      checkOpen()
      return guard('create a run', () => createRunTx.immediate(run, tasks, scopes))
    },

    async getRun(runId) {
      checkOpen()
      return guard('read a run', () => {
        const row = sql.getRun.get(runId) as Row | undefined
        return row ? runFromRow(row) : undefined
      })
    },

    async listRuns(query: ListRunsQuery = {}): Promise<RunPage> {
      checkOpen()
      const limit = query.limit ?? 50
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new InvalidArgumentError({
          fn: 'listRuns',
          argument: 'limit',
          expected: 'an integer from 1 to 1000',
          received: query.limit,
        })
      }
      const after = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor)
      const statuses =
        query.status === undefined
          ? undefined
          : [...new Set(Array.isArray(query.status) ? query.status : [query.status])]
      if (statuses && statuses.length === 0) return { runs: [] }
      return guard('list runs', () => {
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
        const runs = rows.slice(0, limit).map(runFromRow)
        const last = runs[runs.length - 1]
        return rows.length > limit && last ? { runs, nextCursor: encodeRunCursor(last) } : { runs }
      })
    },

    async getRunHistory(runId) {
      checkOpen()
      return guard('read a run history', () => historyTx(runId))
    },

    async getScope(runId, key) {
      checkOpen()
      return guard('read a scope', () => scopeTx(runId, key))
    },

    claimTask({ taskId, owner, leaseMs, now }): ClaimResult {
      checkOpen()
      return guard('claim a task', () => {
        // Fast path: one statement claims a claimable task.
        const row = sql.claimTask.get(owner, now + leaseMs, taskId, now, now) as Row | undefined
        if (row) return { status: 'claimed', task: taskFromRow(row) }
        return claimSlowTx.immediate(taskId, owner, leaseMs, now)
      })
    },

    async renewTask({ taskId, fence, leaseMs, now }) {
      checkOpen()
      return guard(
        'renew a lease',
        () => sql.renewTask.run(now + leaseMs, taskId, fence).changes === 1,
      )
    },

    commit(input: CommitInput): CommitResult {
      checkOpen()
      return guard('commit', () => commitTx.immediate(input))
    },

    async listStaleTasks({ now, olderThan, limit }) {
      checkOpen()
      return guard('list stale tasks', () =>
        (sql.staleTasks.all(now - olderThan, now, limit) as Row[]).map(taskFromRow),
      )
    },

    async close() {
      if (closed) return
      closed = true
      if (owned) guard('close the database', () => db.close())
    },
  }
}

function isDatabase(value: unknown): value is Database.Database {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Database.Database).prepare === 'function' &&
    typeof (value as Database.Database).transaction === 'function'
  )
}
