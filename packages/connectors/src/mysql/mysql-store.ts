import { createHash } from 'node:crypto'
import { createPool, type Pool, type PoolConnection, type ResultSetHeader } from 'mysql2/promise'
import {
  checkPurgeRunsInput,
  decodeRunCursor,
  encodeRunCursor,
  eventMatchKey,
  eventMatchesWait,
  InvalidArgumentError,
  NotFoundError,
  StoreError,
  terminalRunStatuses,
  type ClaimResult,
  type CommitInput,
  type CommitResult,
  type EventRecord,
  type JoinOutcome,
  type ListRunsQuery,
  type PurgeRunsInput,
  type ResolveWaitResult,
  type RunHistory,
  type RunPage,
  type RunRecord,
  type RunStatus,
  type ScopeRecord,
  type StoreV1,
  type TaskRecord,
  type TaskWait,
  type WaitResolution,
} from '@tessera/core'
import { errnoOf, isFatal, isLockConflict, provider, toStoreError } from './mysql-errors'
import {
  checkTablePrefix,
  defaultMysqlTablePrefix,
  mysqlMigrations,
  mysqlSchemaVersion,
  tableNames,
} from './mysql-migrations'
import {
  eventHash,
  inboxFromRow,
  isOpenEventWait,
  lockFieldsHash,
  metaVersion,
  runColumns,
  runFromRow,
  runParams,
  runStatusOf,
  scopeFromRow,
  scopeParams,
  scopeResultFromRow,
  sha256,
  stepFromRow,
  stepParams,
  taskColumns,
  taskFromRow,
  taskInsertColumns,
  taskParamCount,
  taskParams,
  toJson,
  waitFieldsFromRow,
  waitFieldsOf,
  type Param,
  type Row,
} from './mysql-rows'
import { chunks, inboxPageSize, marks, padded, rowMarks, statements } from './mysql-sql'
import { createMysqlThreads } from './mysql-threads'
import { createMysqlRecords } from './mysql-keyed-records'

/**
 * Where the store keeps its data: a database it connects to, or a pool the caller owns.
 *
 * @example
 * ```ts
 * createMysqlStore({ uri: 'mysql://app:secret@db:3306/app' })
 * createMysqlStore({ pool: createPool({ uri, connectionLimit: 20 }) })
 * ```
 */
export type MysqlStoreTarget =
  | {
      /**
       * A connection URI with the database, e.g. `mysql://user:pass@host:3306/app`. The store
       * creates a pool (`poolSize` connections) and closes it on `close()`.
       */
      uri: string
    }
  | {
      /**
       * A `mysql2/promise` pool with a database selected. The caller owns it: `close()` leaves it
       * open. Keep mysql2's default row format (no `rowsAsArray`, `nestTables` or `typeCast`).
       */
      pool: Pool
    }

/**
 * Options of {@link createMysqlStore}.
 *
 * @example
 * ```ts
 * createMysqlStore({ uri }, { tablePrefix: 'orders_', poolSize: 20, lockRetries: 5 })
 * ```
 */
export interface MysqlStoreOptions {
  /** Prefix of every table name. Default `tessera_`. At most 50 characters. */
  tablePrefix?: string
  /**
   * Create or upgrade the tables (idempotently, under `GET_LOCK`) before the first call.
   * Default true; turn it off when the schema is applied with your own tool from
   * {@link mysqlMigrations}: the store then only checks the schema version.
   */
  migrate?: boolean
  /** With `uri`: how many connections the store's pool opens at most. Default 10. */
  poolSize?: number
  /**
   * How many times a transaction that hit a deadlock (1213) or a lock wait timeout (1205) is
   * run again before the call fails with a retryable `StoreError`. Default 3.
   */
  lockRetries?: number
}

/**
 * The MySQL / MariaDB store: a `StoreV1` that is also a task transport and keeps conversation
 * threads and keyed records. Every call returns a promise (the store does I/O), `claimTask` and `commit` included.
 *
 * @example
 * ```ts
 * const store: MysqlStore = createMysqlStore({ pool }, { tablePrefix: 'orders_' })
 * const tasks = await store.claimNext({ owner: 'worker-1', leaseMs: 30_000, now: Date.now(), limit: 8 })
 * ```
 */
export interface MysqlStore extends StoreV1 {
  claimTask(input: {
    taskId: string
    owner: string
    leaseMs: number
    now: number
  }): Promise<ClaimResult>
  commit(input: CommitInput): Promise<CommitResult>
  claimNext(input: {
    owner: string
    leaseMs: number
    now: number
    limit: number
  }): Promise<TaskRecord[]>
  /**
   * Resolves once the schema is checked (and migrated, with `migrate: true`). Every call waits
   * for it; call it at start-up to fail fast (a newer schema, a missing database).
   */
  ready(): Promise<void>
  appendThreadMessages: NonNullable<StoreV1['appendThreadMessages']>
  getThread: NonNullable<StoreV1['getThread']>
  summarizeThread: NonNullable<StoreV1['summarizeThread']>
  deleteThread: NonNullable<StoreV1['deleteThread']>
  putRecord: NonNullable<StoreV1['putRecord']>
  getRecord: NonNullable<StoreV1['getRecord']>
  listRecords: NonNullable<StoreV1['listRecords']>
  deleteRecord: NonNullable<StoreV1['deleteRecord']>
}

/** Shared answer of a commit that has nothing to report (never mutated). */
const COMMITTED: CommitResult = Object.freeze({ status: 'committed' })

const ER_DUP_ENTRY = 1062
const ER_NO_SUCH_TABLE = 1146

/** A suspended run with a task that is not an unresolved wait runs again, and vice versa. */
function derivedStatus(tasks: TaskRecord[]): RunStatus | undefined {
  if (tasks.length === 0) return undefined
  return tasks.every((task) => task.wait !== undefined && task.wait.resolution === undefined)
    ? 'suspended'
    : 'running'
}

/** A task whose wait an inbox event resolved: available at once. */
function resolvedTask(task: TaskRecord, resolution: WaitResolution, now: number): TaskRecord {
  return { ...task, availableAt: now, wait: { ...task.wait!, resolution } }
}

/** One transaction on one pooled connection. */
class Tx {
  /** Set by a refused change: the transaction is rolled back instead of committed. */
  rollbackOnly = false
  constructor(readonly connection: PoolConnection) {}

  async rows(sql: string, params: Param[]): Promise<Row[]> {
    const [rows] = await this.connection.execute(sql, params)
    return rows as Row[]
  }

  async run(sql: string, params: Param[]): Promise<ResultSetHeader> {
    const [result] = await this.connection.execute(sql, params)
    return result as ResultSetHeader
  }

  /** Runs an insert; false when it hit a unique key (ER_DUP_ENTRY) and inserted nothing. */
  async insertOnce(sql: string, params: Param[]): Promise<boolean> {
    try {
      await this.connection.execute(sql, params)
      return true
    } catch (error) {
      if (errnoOf(error) === ER_DUP_ENTRY) return false
      throw error
    }
  }
}

const isPool = (value: unknown): value is Pool =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Pool).getConnection === 'function' &&
  typeof (value as Pool).execute === 'function' &&
  typeof (value as Pool).end === 'function' &&
  // A callback pool has `promise()`; its methods take callbacks.
  typeof (value as { promise?: unknown }).promise !== 'function'

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A durable `StoreV1` on MySQL 8.0+ or MariaDB 10.6+ through mysql2, shared by any number of
 * processes: leases and fences are enforced in the database, every change is one transaction
 * that locks the run's row, and `claimNext` hands tasks to workers with
 * `SELECT … FOR UPDATE SKIP LOCKED`, so the database can be the task transport as well.
 *
 * The store is returned at once; the schema is checked (and migrated) before the first call
 * runs — await `store.ready()` to fail fast at start-up. Values (inputs, outputs, errors,
 * items, payloads, thread messages, records) are stored as JSON text: they must be
 * JSON-serialisable. Conversation threads (`capabilities.threads`) live in the `threads` and
 * `messages` tables, keyed records (`capabilities.records`) in the `records` table.
 *
 * @example
 * ```ts
 * import { createEngine } from '@tessera/core'
 * import { createMysqlStore } from '@tessera/connectors/mysql'
 *
 * const store = createMysqlStore({ uri: 'mysql://app:secret@db:3306/app' })
 * await store.ready()
 * const engine = createEngine({ store })
 * ```
 */
export function createMysqlStore(
  target: MysqlStoreTarget,
  options: MysqlStoreOptions = {},
): MysqlStore {
  const fn = 'createMysqlStore'
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options',
      expected: 'an object',
      received: options,
    })
  }
  const prefix = checkTablePrefix(fn, options.tablePrefix ?? defaultMysqlTablePrefix)
  const migrate = options.migrate ?? true
  if (typeof migrate !== 'boolean') {
    throw new InvalidArgumentError({
      fn,
      argument: 'migrate',
      expected: 'a boolean',
      received: options.migrate,
    })
  }
  const poolSize = options.poolSize ?? 10
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
    throw new InvalidArgumentError({
      fn,
      argument: 'poolSize',
      expected: 'an integer from 1 to 1000',
      received: options.poolSize,
    })
  }
  const lockRetries = options.lockRetries ?? 3
  if (!Number.isInteger(lockRetries) || lockRetries < 0 || lockRetries > 10) {
    throw new InvalidArgumentError({
      fn,
      argument: 'lockRetries',
      expected: 'an integer from 0 to 10',
      received: options.lockRetries,
    })
  }
  const owned = typeof target === 'object' && target !== null && 'uri' in target
  if (owned) {
    const uri = (target as { uri: unknown }).uri
    if (!isMysqlUri(uri)) {
      throw new InvalidArgumentError({
        fn,
        argument: 'target.uri',
        expected: 'a mysql:// or mariadb:// connection URI',
        received: uri === undefined ? uri : '(not a mysql:// URI)',
      })
    }
  } else if (!isPool((target as { pool?: unknown } | null)?.pool)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'target',
      expected: '{ uri: string } or { pool: a mysql2/promise Pool }',
      received: target,
    })
  } else if (options.poolSize !== undefined) {
    throw new InvalidArgumentError({
      fn,
      argument: 'poolSize',
      expected: 'absent with a pool of your own (size it when you create the pool)',
      received: options.poolSize,
    })
  }

  const pool: Pool = owned
    ? ownPool((target as { uri: string }).uri, poolSize)
    : (target as { pool: Pool }).pool
  const t = tableNames(prefix)
  const sql = statements(t)
  let closed = false
  let initialized = false
  let initializing: Promise<void> | undefined

  // ---------------------------------------------------------------------------------------------
  // Connections, transactions, retries

  const getConnection = async (operation: string): Promise<PoolConnection> => {
    try {
      return await pool.getConnection()
    } catch (error) {
      throw toStoreError(operation, error)
    }
  }

  /** Gives a connection back to the pool, or drops it when it broke. */
  const finish = (connection: PoolConnection, error?: unknown) => {
    if (error !== undefined && isFatal(error)) connection.destroy()
    else connection.release()
  }

  const backoff = (attempt: number) => wait(5 * 2 ** attempt + Math.random() * 10 * (attempt + 1))

  const retryNote = (attempts: number) =>
    attempts > 1 ? ` (a lock conflict, ${attempts} attempts)` : ''

  /**
   * Runs `body` in one transaction, committing unless it set `rollbackOnly`; a deadlock or lock
   * wait timeout runs it again (up to `lockRetries` times), then fails retryable. Every write
   * is correct under REPEATABLE READ and READ COMMITTED (decisions rest on locking reads and on
   * the run and event-name locks). The store's own connections use READ COMMITTED: no gap
   * locks, so far fewer lock waits and deadlocks. On a caller's pool, `readCommitted` asks for
   * it for this one transaction (one more round trip).
   */
  async function transaction<T>(
    operation: string,
    body: (tx: Tx) => Promise<T>,
    readCommitted = false,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const connection = await getConnection(operation)
      try {
        if (readCommitted && !owned) {
          await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')
        }
        await connection.query('START TRANSACTION')
        const tx = new Tx(connection)
        const value = await body(tx)
        await connection.query(tx.rollbackOnly ? 'ROLLBACK' : 'COMMIT')
        finish(connection)
        return value
      } catch (error) {
        let broken = error
        if (!isFatal(error)) {
          try {
            await connection.query('ROLLBACK')
          } catch (rollbackError) {
            broken = rollbackError
          }
        }
        finish(connection, broken)
        if (isLockConflict(error) && attempt < lockRetries) {
          await backoff(attempt)
          continue
        }
        throw toStoreError(operation, error, retryNote(attempt + 1))
      }
    }
  }

  /** Reads in one snapshot (REPEATABLE READ, consistent snapshot, read only). */
  async function snapshot<T>(operation: string, body: (tx: Tx) => Promise<T>): Promise<T> {
    const connection = await getConnection(operation)
    try {
      await connection.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ')
      await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')
      const value = await body(new Tx(connection))
      await connection.query('COMMIT')
      finish(connection)
      return value
    } catch (error) {
      let broken = error
      if (!isFatal(error)) {
        try {
          await connection.query('ROLLBACK')
        } catch (rollbackError) {
          broken = rollbackError
        }
      }
      finish(connection, broken)
      throw toStoreError(operation, error)
    }
  }

  /** One statement outside a transaction (autocommit), retried on a lock conflict. */
  async function execute(operation: string, text: string, params: Param[]): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        const [result] = await pool.execute(text, params)
        return result
      } catch (error) {
        if (isLockConflict(error) && attempt < lockRetries) {
          await backoff(attempt)
          continue
        }
        throw toStoreError(operation, error, retryNote(attempt + 1))
      }
    }
  }

  const selectRows = async (operation: string, text: string, params: Param[]) =>
    (await execute(operation, text, params)) as Row[]
  const update = async (operation: string, text: string, params: Param[]) =>
    (await execute(operation, text, params)) as ResultSetHeader

  // ---------------------------------------------------------------------------------------------
  // Opening: the schema-version guard and the migration

  const readVersion = async (connection: PoolConnection): Promise<number | undefined> => {
    try {
      const [rows] = await connection.execute(
        `SELECT value FROM ${t.meta} WHERE name = 'schema_version'`,
      )
      const row = (rows as Row[])[0]
      return row === undefined ? undefined : metaVersion(t.meta, row)
    } catch (error) {
      if (errnoOf(error) === ER_NO_SUCH_TABLE) return undefined
      throw error
    }
  }

  const refuseNewer = (version: number | undefined) => {
    if (version !== undefined && version > mysqlSchemaVersion) {
      throw new StoreError(
        provider,
        `The database has schema version ${version} (table ${t.meta}), newer than the version ` +
          `${mysqlSchemaVersion} this version of @tessera/connectors knows: upgrade ` +
          '@tessera/connectors to open it. Nothing was written.',
      )
    }
  }

  async function initialize(): Promise<void> {
    const connection = await getConnection('open the database')
    let failure: unknown
    try {
      const [rows] = await connection.query('SELECT DATABASE() AS name')
      const database = (rows as Row[])[0]?.name
      if (typeof database !== 'string') {
        throw new StoreError(
          provider,
          'No database is selected: name one in the URI (mysql://host/database) or the pool options',
        )
      }
      // A schema already at this version is only read: workers starting together do not queue
      // for the migration lock.
      const current = await readVersion(connection)
      refuseNewer(current)
      if (current === mysqlSchemaVersion) return
      if (!migrate) {
        const from = current === undefined ? '' : `, from: ${current}`
        throw new StoreError(
          provider,
          `No schema version ${mysqlSchemaVersion} in table ${t.meta} (found: ` +
            `${current ?? 'none'}): apply mysqlMigrations({ tablePrefix: '${prefix}'${from} }) ` +
            'first, or open the store with migrate: true',
        )
      }
      // GET_LOCK names are server-wide and at most 64 characters.
      const lockName = `tessera:migrate:${createHash('sha256')
        .update(`${database}.${prefix}`)
        .digest('hex')
        .slice(0, 40)}`
      const [locked] = await connection.execute('SELECT GET_LOCK(?, 60) AS locked', [lockName])
      if ((locked as Row[])[0]?.locked !== 1) {
        throw new StoreError(
          provider,
          `Timed out waiting for the migration lock ${lockName} held by another process`,
          { retryable: true },
        )
      }
      try {
        const version = await readVersion(connection)
        refuseNewer(version)
        if (version === mysqlSchemaVersion) return
        for (const statement of mysqlMigrations({ tablePrefix: prefix })) {
          await connection.query(statement)
        }
      } finally {
        await connection.execute('SELECT RELEASE_LOCK(?)', [lockName])
      }
    } catch (error) {
      failure = error
      throw toStoreError('open the database', error)
    } finally {
      finish(connection, failure)
    }
  }

  const ready = (): Promise<void> => {
    if (initialized) return Promise.resolve()
    initializing ??= initialize().then(
      () => {
        initialized = true
      },
      (error: unknown) => {
        // A lost connection may come back: the next call tries again. A newer schema does not.
        if (StoreError.isInstance(error) && error.retryable) initializing = undefined
        throw error
      },
    )
    return initializing
  }

  const open = async () => {
    if (closed) throw new StoreError(provider, 'The store is closed')
    if (!initialized) await ready()
  }

  // ---------------------------------------------------------------------------------------------
  // Shared pieces of the writes

  const readRun = async (tx: Tx, runId: string): Promise<RunRecord> => {
    const [row] = await tx.rows(sql.getRun, [runId])
    if (!row) throw new NotFoundError({ kind: 'run', id: runId })
    return runFromRow(t.runs, row)
  }

  /**
   * Takes the lock rows of the event names of new event waits (and records their match-field
   * sets), in one statement and a fixed order: registering a wait and delivering an event of
   * the same name never interleave, so an event is never missed by a wait registered meanwhile.
   */
  const lockEventNames = async (tx: Tx, waits: TaskRecord[]) => {
    const rows = new Map<string, [Buffer, Buffer, string | null]>()
    for (const task of waits) {
      const name = sha256(task.wait!.name ?? '')
      const fields = waitFieldsOf(task)
      const fieldsHash = sha256(fields)
      rows.set(name.toString('hex') + lockFieldsHash.toString('hex'), [name, lockFieldsHash, null])
      rows.set(name.toString('hex') + fieldsHash.toString('hex'), [name, fieldsHash, fields])
    }
    const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row)
    for (const chunk of chunks(sorted)) {
      const rowsOf = padded(chunk)
      await tx.run(
        `INSERT INTO ${t.waitFields} (name_hash, fields_hash, fields) VALUES ${rowMarks(rowsOf.length, 3)}
          ON DUPLICATE KEY UPDATE fields_hash = fields_hash`,
        rowsOf.flat(),
      )
    }
  }

  /**
   * The oldest unexpired inbox event that a new event wait matches (not one already `taken` by
   * another wait of the same change), locked; the caller deletes it once the wait is written.
   */
  const findInInbox = async (
    tx: Tx,
    task: TaskRecord,
    now: number,
    taken: Set<number>,
  ): Promise<{ seq: number; resolution: WaitResolution } | undefined> => {
    const nameHash = sha256(task.wait!.name ?? '')
    let after = 0
    for (;;) {
      const rows = await tx.rows(sql.inboxPage, [nameHash, now, task.runId, after])
      for (const row of rows) {
        const event = inboxFromRow(t.inbox, row)
        after = event.seq
        if (taken.has(event.seq)) continue
        if (!eventMatchesWait(event.payload, task.wait!)) continue
        return {
          seq: event.seq,
          resolution: { type: 'event', eventId: event.eventId, payload: event.payload, at: now },
        }
      }
      if (rows.length < inboxPageSize) return undefined
    }
  }

  const deleteInbox = async (tx: Tx, seqs: number[]) => {
    for (const chunk of chunks(seqs)) {
      const ids = padded(chunk)
      await tx.run(`DELETE FROM ${t.inbox} WHERE seq IN (${marks(ids.length)})`, ids)
    }
  }

  /** Inserts tasks, leaving a task whose id exists as it is. */
  const insertTasks = async (tx: Tx, tasks: TaskRecord[]) => {
    for (const chunk of chunks(tasks)) {
      const rowsOf = padded(chunk)
      await tx.run(
        `INSERT INTO ${t.tasks} (${taskInsertColumns}) VALUES ${rowMarks(rowsOf.length, taskParamCount)}
          ON DUPLICATE KEY UPDATE id_hash = id_hash`,
        rowsOf.flatMap(taskParams),
      )
    }
  }

  /** Inserts scopes (an existing key is left as it is) with the results they already have. */
  const insertScopes = async (tx: Tx, runId: string, scopes: ScopeRecord[]) => {
    if (scopes.length === 0) return
    const withResults = scopes.some((scope) => Object.keys(scope.results).length > 0)
    if (!withResults) {
      for (const chunk of chunks(scopes)) {
        const rowsOf = padded(chunk)
        await tx.run(
          `INSERT INTO ${t.scopes} (run_id, key_hash, scope_key, expected, completed, items, closed)
            VALUES ${rowMarks(rowsOf.length, 7)} ON DUPLICATE KEY UPDATE key_hash = key_hash`,
          rowsOf.flatMap((scope) => scopeParams(scope, runId)),
        )
      }
      return
    }
    // Rare: a scope opened with results. Its results are written only when the scope is new.
    for (const scope of scopes) {
      if (!(await tx.insertOnce(sql.insertScope, scopeParams(scope, runId)))) continue
      for (const [index, output] of Object.entries(scope.results)) {
        await tx.run(sql.insertScopeResult, [
          runId,
          sha256(scope.key),
          Number(index),
          toJson(output),
        ])
      }
    }
  }

  const readScopeResults = async (tx: Tx, runId: string, key: string) => {
    const results: Record<number, unknown> = {}
    for (const row of await tx.rows(sql.getScopeResults, [runId, sha256(key)])) {
      const { index, output } = scopeResultFromRow(t.scopeResults, row, key)
      results[index] = output
    }
    return results
  }

  /** Makes the suspended runs of these tasks `running` (a wait was claimed or resolved). */
  const wakeRuns = async (runIds: string[], tx?: Tx) => {
    const unique = [...new Set(runIds)]
    for (const chunk of chunks(unique)) {
      const ids = padded(chunk)
      const text = `UPDATE ${t.runs} SET status = 'running'
        WHERE id IN (${marks(ids.length)}) AND status = 'suspended'`
      if (tx) await tx.run(text, ids)
      else await update('wake a suspended run', text, ids)
    }
  }

  /** The UPDATE of a commit's run row: the patch, and the suspension rule when asked. */
  const runUpdate = (
    runId: string,
    patch: CommitInput['run'],
    derive: boolean,
    fallback: RunStatus,
  ): [string, Param[]] => {
    const sets: string[] = []
    const params: Param[] = []
    if (derive) {
      sets.push(`status = CASE
        WHEN EXISTS (SELECT 1 FROM ${t.tasks} WHERE run_id = ? AND wait_open = 0) THEN 'running'
        WHEN EXISTS (SELECT 1 FROM ${t.tasks} WHERE run_id = ?) THEN 'suspended'
        ELSE ? END`)
      params.push(runId, runId, fallback)
    } else if (patch?.status !== undefined) {
      sets.push('status = ?')
      params.push(patch.status)
    }
    if (patch) {
      sets.push(
        'output = COALESCE(?, output)',
        'error = COALESCE(?, error)',
        'updated_at = ?',
        'ended_at = COALESCE(?, ended_at)',
      )
      params.push(toJson(patch.output), toJson(patch.error), patch.updatedAt, patch.endedAt ?? null)
    }
    params.push(runId)
    return [`UPDATE ${t.runs} SET ${sets.join(', ')} WHERE id = ?`, params]
  }

  /** The locking read a commit starts with: the run, and what its checks need. */
  const commitCheck = (input: CommitInput): [string, Param[]] => {
    const columns = ['r.status']
    const joins: string[] = []
    const params: Param[] = []
    if (input.task) {
      columns.push('tk.fence AS task_fence')
      joins.push(`LEFT JOIN ${t.tasks} tk ON tk.id_hash = ?`)
      params.push(sha256(input.task.id))
    }
    if (input.join) {
      columns.push(
        'js.expected AS join_expected',
        'js.completed AS join_completed',
        'js.closed AS join_closed',
      )
      joins.push(`LEFT JOIN ${t.scopes} js ON js.run_id = r.id AND js.key_hash = ?`)
      params.push(sha256(input.join.scopeKey))
    }
    if (input.closeScope !== undefined) {
      columns.push('cs.closed AS close_closed')
      joins.push(`LEFT JOIN ${t.scopes} cs ON cs.run_id = r.id AND cs.key_hash = ?`)
      params.push(sha256(input.closeScope))
    }
    params.push(input.runId)
    return [
      `SELECT ${columns.join(', ')} FROM ${t.runs} r ${joins.join(' ')} WHERE r.id = ? FOR UPDATE`,
      params,
    ]
  }

  /** Inserts a commit's new tasks in order, resolving new event waits from the inbox. */
  const insertCommitTasks = async (
    tx: Tx,
    tasks: TaskRecord[],
    now: number,
  ): Promise<string[] | undefined> => {
    let woken: string[] | undefined
    const taken = new Set<number>()
    let plain: TaskRecord[] = []
    for (const task of tasks) {
      if (!isOpenEventWait(task) || task.parked === true) {
        plain.push(task)
        continue
      }
      if (plain.length > 0) await insertTasks(tx, plain)
      plain = []
      // Inserted alone, to know whether it is new: an existing task is left as it is.
      const hit = await findInInbox(tx, task, now, taken)
      const row = hit ? resolvedTask(task, hit.resolution, now) : task
      const inserted = await tx.insertOnce(sql.insertTask, taskParams(row))
      if (inserted && hit) {
        taken.add(hit.seq)
        ;(woken ??= []).push(task.id)
      }
    }
    if (plain.length > 0) await insertTasks(tx, plain)
    if (taken.size > 0) await deleteInbox(tx, [...taken])
    return woken
  }

  // ---------------------------------------------------------------------------------------------
  // The port

  return {
    specificationVersion: 'v1',
    provider,
    capabilities: { durable: true, shared: true, transport: true, threads: true, records: true },
    ...createMysqlThreads({ t, open, transaction, snapshot }),
    ...createMysqlRecords({ t, open, transaction, execute }),

    ready: async () => {
      if (closed) throw new StoreError(provider, 'The store is closed')
      await ready()
    },

    async createRun({ run, tasks, scopes }) {
      await open()
      const terminal = terminalRunStatuses.has(run.status)
      const first = terminal ? [] : tasks
      const openWaits = first.filter((task) => isOpenEventWait(task) && task.parked !== true)
      const now = run.createdAt
      return transaction('create a run', async (tx) => {
        if (openWaits.length > 0) await lockEventNames(tx, openWaits)
        // The inbox is read (and locked) first: the run's status depends on what it resolves.
        let woken: string[] | undefined
        const taken = new Set<number>()
        const stored = []
        for (const task of first) {
          const hit =
            isOpenEventWait(task) && task.parked !== true
              ? await findInInbox(tx, task, now, taken)
              : undefined
          if (hit) {
            taken.add(hit.seq)
            ;(woken ??= []).push(task.id)
            stored.push(resolvedTask(task, hit.resolution, now))
          } else stored.push(task)
        }
        let status = run.status
        if (!terminal && stored.some((task) => task.wait !== undefined)) {
          status = derivedStatus(stored) ?? status
        }
        if (!(await tx.insertOnce(sql.insertRun, runParams(run, status)))) {
          // The id or the idempotency key exists: return that run, write nothing.
          tx.rollbackOnly = true
          const rows = await tx.rows(sql.getRunByIdOrKey, [
            run.workflowId,
            run.idempotencyKey === undefined ? null : sha256(run.idempotencyKey),
            run.id,
          ])
          const byKey = rows.find(
            (row) =>
              run.idempotencyKey !== undefined &&
              Buffer.isBuffer(row.idempotency_hash) &&
              row.idempotency_hash.equals(sha256(run.idempotencyKey)),
          )
          const existing = byKey ?? rows[0]
          if (!existing) {
            throw new StoreError(provider, `Run "${run.id}" collided with a run that is gone`, {
              retryable: true,
            })
          }
          return { run: runFromRow(t.runs, existing), created: false }
        }
        await insertScopes(tx, run.id, scopes)
        if (stored.length > 0) await insertTasks(tx, stored)
        if (taken.size > 0) await deleteInbox(tx, [...taken])
        // The caller's record is returned as it is, unless the store changed its status.
        const record = status === run.status ? run : { ...run, status }
        return woken ? { run: record, created: true, woken } : { run: record, created: true }
      })
    },

    async getRun(runId) {
      await open()
      const [row] = await selectRows('read a run', sql.getRun, [runId])
      return row ? runFromRow(t.runs, row) : undefined
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
      const after = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor)
      const statuses =
        query.status === undefined
          ? undefined
          : [...new Set(Array.isArray(query.status) ? query.status : [query.status])]
      if (statuses && statuses.length === 0) return { runs: [] }
      await open()
      const where: string[] = []
      const params: Param[] = []
      if (query.workflowId !== undefined) {
        where.push('workflow_id = ?')
        params.push(query.workflowId)
      }
      if (statuses) {
        // Five placeholders whatever the count: one statement shape.
        where.push('status IN (?, ?, ?, ?, ?)')
        for (let i = 0; i < 5; i++) params.push(statuses[Math.min(i, statuses.length - 1)]!)
      }
      if (query.createdAfter !== undefined) {
        where.push('created_at >= ?')
        params.push(query.createdAfter)
      }
      if (query.createdBefore !== undefined) {
        where.push('created_at < ?')
        params.push(query.createdBefore)
      }
      if (after) {
        where.push('(created_at < ? OR (created_at = ? AND id < ?))')
        params.push(after.createdAt, after.createdAt, after.id)
      }
      params.push(String(limit + 1))
      const rows = await selectRows(
        'list runs',
        `SELECT ${runColumns} FROM ${t.runs}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
          ORDER BY created_at DESC, id DESC LIMIT ?`,
        params,
      )
      const runs = rows.slice(0, limit).map((row) => runFromRow(t.runs, row))
      const last = runs[runs.length - 1]
      return rows.length > limit && last ? { runs, nextCursor: encodeRunCursor(last) } : { runs }
    },

    async getRunHistory(runId): Promise<RunHistory | undefined> {
      await open()
      return snapshot('read a run history', async (tx) => {
        const [runRow] = await tx.rows(sql.getRun, [runId])
        if (!runRow) return undefined
        const steps = await tx.rows(sql.getSteps, [runId])
        const scopeRows = await tx.rows(sql.getScopes, [runId])
        const resultRows =
          scopeRows.length > 0 ? await tx.rows(sql.getRunScopeResults, [runId]) : []
        const tasks = await tx.rows(sql.getTasks, [runId])
        const results = new Map<string, Record<number, unknown>>()
        const keyByHash = new Map<string, string>()
        for (const row of scopeRows) {
          const hash = (row.key_hash as Buffer).toString('hex')
          keyByHash.set(hash, String(row.scope_key))
          results.set(hash, {})
        }
        for (const row of resultRows) {
          const hash = (row.key_hash as Buffer).toString('hex')
          const { index, output } = scopeResultFromRow(
            t.scopeResults,
            row,
            keyByHash.get(hash) ?? hash,
          )
          const into = results.get(hash)
          if (into) into[index] = output
        }
        return {
          run: runFromRow(t.runs, runRow),
          steps: steps.map((row) => stepFromRow(t.steps, row)),
          scopes: scopeRows.map((row) =>
            scopeFromRow(t.scopes, row, results.get((row.key_hash as Buffer).toString('hex'))!),
          ),
          tasks: tasks.map((row) => taskFromRow(t.tasks, row)),
        }
      })
    },

    async getScope(runId, key) {
      await open()
      return snapshot('read a scope', async (tx) => {
        const [row] = await tx.rows(sql.getScope, [runId, sha256(key)])
        return row ? scopeFromRow(t.scopes, row, await readScopeResults(tx, runId, key)) : undefined
      })
    },

    async claimTask({ taskId, owner, leaseMs, now }): Promise<ClaimResult> {
      await open()
      const idHash = sha256(taskId)
      const leaseExpiresAt = now + leaseMs
      // A handful of rounds: the read that explains a refused claim may find it claimable.
      for (let round = 0; round < 5; round++) {
        const claimed = await update('claim a task', sql.claimTask, [
          owner,
          leaseExpiresAt,
          idHash,
          now,
          now,
        ])
        if (claimed.affectedRows > 0) {
          // LAST_INSERT_ID(fence + 1): the OK packet carries the new fence.
          const fence = Number(claimed.insertId)
          const [row] = await selectRows('read a claimed task', sql.getTask, [idHash])
          if (!row) return { status: 'missing' }
          const task = taskFromRow(t.tasks, row)
          task.fence = fence
          task.leaseOwner = owner
          task.leaseExpiresAt = leaseExpiresAt
          if (task.wait !== undefined) await wakeRuns([task.runId])
          return { status: 'claimed', task }
        }
        const [row] = await selectRows('claim a task', sql.getTaskState, [idHash])
        if (!row || Number(row.parked) !== 0) return { status: 'missing' }
        const availableAt = Number(row.available_at)
        if (availableAt > now) return { status: 'not-ready', availableAt }
        const expires = row.lease_expires_at === null ? 0 : Number(row.lease_expires_at)
        if (row.lease_owner !== null && expires > now) {
          return { status: 'leased', leaseExpiresAt: expires }
        }
      }
      throw new StoreError(provider, `Could not claim task "${taskId}": it kept changing`, {
        retryable: true,
      })
    },

    async renewTask({ taskId, fence, leaseMs, now }) {
      await open()
      const idHash = sha256(taskId)
      const renewed = await update('renew a lease', sql.renewTask, [now + leaseMs, idHash, fence])
      if (renewed.affectedRows > 0) return true
      // Without the FOUND_ROWS flag an UPDATE that changes nothing counts 0 rows: look.
      const [row] = await selectRows('renew a lease', sql.getTaskState, [idHash])
      return row !== undefined && Number(row.fence) === fence && Number(row.parked) === 0
    },

    async commit(input: CommitInput): Promise<CommitResult> {
      await open()
      const now = input.now ?? input.run?.updatedAt ?? Date.now()
      const openWaits = (input.tasks ?? []).filter(
        (task) => isOpenEventWait(task) && task.parked !== true,
      )
      const [checkSql, checkParams] = commitCheck(input)
      return transaction('commit', async (tx): Promise<CommitResult> => {
        // Lock order: event names, then the run, then its rows.
        if (openWaits.length > 0) await lockEventNames(tx, openWaits)
        const [check] = await tx.rows(checkSql, checkParams)
        if (!check) throw new NotFoundError({ kind: 'run', id: input.runId })
        const status = runStatusOf(t.runs, input.runId, check)
        // Check everything first: a refused commit writes nothing.
        const refuse = <T extends CommitResult>(result: T): T => {
          tx.rollbackOnly = true
          return result
        }
        if (terminalRunStatuses.has(status)) {
          return refuse({ status: 'run-ended', run: await readRun(tx, input.runId) })
        }
        if (
          input.task &&
          (check.task_fence === null || Number(check.task_fence) !== input.task.fence)
        ) {
          return refuse({ status: 'stale' })
        }
        const step = input.step
        // Inserted once: the primary key refuses a second step with the key.
        if (step && !(await tx.insertOnce(sql.insertStep, stepParams(step, input.runId)))) {
          return refuse({ status: 'duplicate' })
        }
        if (
          input.closeScope !== undefined &&
          (check.close_closed === null || Number(check.close_closed) !== 0)
        ) {
          return refuse({ status: 'duplicate' })
        }
        if (input.join && check.join_expected === null) {
          throw new StoreError(
            provider,
            `Run "${input.runId}" has no scope "${input.join.scopeKey}" to join`,
          )
        }
        const patch = input.run
        const finalStatus = patch?.status ?? status
        const ending = terminalRunStatuses.has(finalStatus)
        if (input.task) {
          if (input.retry) {
            await tx.run(sql.retryTask, [
              input.retry.attempt,
              input.retry.availableAt,
              toJson(input.retry.error),
              sha256(input.task.id),
            ])
          } else if (!ending || finalStatus === 'failed') {
            // (A succeeded or cancelled run loses every task below.)
            await tx.run(sql.deleteTask, [sha256(input.task.id)])
          }
        }
        if (input.scopes && input.scopes.length > 0) {
          await insertScopes(tx, input.runId, input.scopes)
        }
        let join: JoinOutcome | undefined
        if (input.join) {
          const { scopeKey, index, output } = input.join
          const keyHash = sha256(scopeKey)
          let completed = Number(check.join_completed)
          const expected = Number(check.join_expected)
          if (
            await tx.insertOnce(sql.insertScopeResult, [
              input.runId,
              keyHash,
              index,
              toJson(output),
            ])
          ) {
            await tx.run(sql.countJoin, [input.runId, keyHash])
            completed++
          }
          join = { key: scopeKey, expected, completed, closed: Number(check.join_closed) !== 0 }
          // Only the join that completes the scope reads every child's output back.
          if (completed === expected)
            join.results = await readScopeResults(tx, input.runId, scopeKey)
        }
        if (input.closeScope !== undefined) {
          await tx.run(sql.closeScope, [input.runId, sha256(input.closeScope)])
        }
        let woken: string[] | undefined
        if (input.tasks && input.tasks.length > 0) {
          woken = await insertCommitTasks(tx, input.tasks, now)
        }
        if (ending) {
          const [text, params] = runUpdate(input.runId, patch, false, finalStatus)
          await tx.run(text, params)
          // Parked, not deleted, when failed: reopenRun continues the run from them.
          await tx.run(finalStatus === 'failed' ? sql.parkTasks : sql.deleteRunTasks, [input.runId])
        } else {
          const waitsAdded = input.tasks?.some((task) => task.wait !== undefined) ?? false
          const runnableAdded = input.tasks?.some((task) => task.wait === undefined) ?? false
          const derive =
            waitsAdded ||
            finalStatus === 'suspended' ||
            (input.task !== undefined && input.retry === undefined && !runnableAdded)
          if (patch || derive) {
            const [text, params] = runUpdate(input.runId, patch, derive, finalStatus)
            await tx.run(text, params)
          }
        }
        if (join || woken) {
          const result: CommitResult = { status: 'committed' }
          if (join) result.join = join
          if (woken) result.woken = woken
          return result
        }
        return COMMITTED
      })
    },

    async listStaleTasks({ now, olderThan, limit }) {
      checkLimit('listStaleTasks', limit, 100_000)
      await open()
      const rows = await selectRows('list stale tasks', sql.staleTasks, [
        now,
        now - olderThan,
        String(limit),
      ])
      return rows.map((row) => taskFromRow(t.tasks, row))
    },

    async claimNext({ owner, leaseMs, now, limit }) {
      checkLimit('claimNext', limit, 10_000)
      await open()
      const leaseExpiresAt = now + leaseMs
      const claimed = await transaction(
        'claim tasks',
        async (tx) => {
          const rows = await tx.rows(sql.claimable, [now, String(limit)])
          if (rows.length === 0) return []
          const hashes = rows.map((row) => row.id_hash as Buffer)
          for (const chunk of chunks(hashes)) {
            const ids = padded(chunk)
            await tx.run(
              `UPDATE ${t.tasks} SET fence = fence + 1, lease_owner = ?, lease_expires_at = ?
              WHERE id_hash IN (${marks(ids.length)})`,
              [owner, leaseExpiresAt, ...ids],
            )
          }
          return rows.map((row) => {
            const task = taskFromRow(t.tasks, row)
            task.fence++
            task.leaseOwner = owner
            task.leaseExpiresAt = leaseExpiresAt
            return task
          })
        },
        true,
      )
      const waiting = claimed.filter((task) => task.wait !== undefined).map((task) => task.runId)
      if (waiting.length > 0) await wakeRuns(waiting)
      // Oldest availableAt first (the index orders expired leases by their expiry).
      return claimed.sort((a, b) => a.availableAt - b.availableAt)
    },

    async deliverEvent({ event, now }: { event: EventRecord; now: number }) {
      await open()
      const nameHash = sha256(event.name)
      return transaction('deliver an event', async (tx) => {
        // The name's lock row: waits of this name are not registered meanwhile.
        await tx.run(sql.lockEventName, [nameHash, lockFieldsHash])
        const fieldSets = (await tx.rows(sql.getWaitFields, [nameHash])).map((row) =>
          waitFieldsFromRow(t.waitFields, row),
        )
        const hashes = new Map<string, Buffer>()
        for (const fields of fieldSets) {
          const key = eventMatchKey(event.payload, fields)
          if (key === undefined) continue
          const hash = eventHash(event.name, key)
          hashes.set(hash.toString('hex'), hash)
        }
        const delivered: TaskRecord[] = []
        const resolution: WaitResolution = {
          type: 'event',
          eventId: event.id,
          payload: event.payload,
          at: now,
        }
        const runFilter = event.runId === undefined ? '' : ' AND run_id = ?'
        const filterParams: Param[] = event.runId === undefined ? [now] : [event.runId, now]
        const waiting = (n: number) =>
          `event_hash IN (${marks(n)})${runFilter} AND parked = 0 AND available_at > ?`
        for (const chunk of chunks([...hashes.values()])) {
          const keys = padded(chunk)
          // The lock order of every change: runs first, then their tasks. Who waits is read
          // without locks; the waits are read again, locked, once their runs are.
          const runIds = (
            await tx.rows(`SELECT DISTINCT run_id FROM ${t.tasks} WHERE ${waiting(keys.length)}`, [
              ...keys,
              ...filterParams,
            ])
          )
            .map((row) => row.run_id as Buffer)
            .sort(Buffer.compare)
          if (runIds.length === 0) continue
          for (const runChunk of chunks(runIds)) {
            const ids = padded(runChunk)
            await tx.rows(
              `SELECT id FROM ${t.runs} WHERE id IN (${marks(ids.length)}) ORDER BY id FOR UPDATE`,
              ids,
            )
          }
          const rows = await tx.rows(
            `SELECT ${taskColumns}, id_hash FROM ${t.tasks} WHERE ${waiting(keys.length)}
              ORDER BY seq FOR UPDATE`,
            [...keys, ...filterParams],
          )
          for (const row of rows) {
            const task = taskFromRow(t.tasks, row)
            // The hash found it; the payload decides (a hash collision never delivers).
            if (task.wait?.kind !== 'event' || !eventMatchesWait(event.payload, task.wait)) continue
            delivered.push(resolvedTask(task, resolution, now))
          }
        }
        if (delivered.length > 0) {
          const ids = delivered.map((task) => sha256(task.id))
          for (const chunk of chunks(ids)) {
            const keys = padded(chunk)
            await tx.run(
              `UPDATE ${t.tasks} SET wait_resolution = ?, wait_open = 0, event_hash = NULL, available_at = ?
                WHERE id_hash IN (${marks(keys.length)})`,
              [toJson(resolution), now, ...keys],
            )
          }
          await wakeRuns(
            delivered.map((task) => task.runId),
            tx,
          )
        } else if (event.expiresAt > now && event.expiresAt > event.receivedAt) {
          await tx.run(sql.insertInbox, [
            nameHash,
            event.id,
            event.name,
            toJson(event.payload),
            event.runId ?? null,
            event.receivedAt,
            event.expiresAt,
          ])
        }
        return { delivered }
      })
    },

    async resolveWait({ runId, kind, name, key, resolution, now }): Promise<ResolveWaitResult> {
      await open()
      return transaction('resolve a wait', async (tx): Promise<ResolveWaitResult> => {
        const [runRow] = await tx.rows(sql.lockRun, [runId])
        if (!runRow) throw new NotFoundError({ kind: 'run', id: runId })
        const run = runFromRow(t.runs, runRow)
        if (terminalRunStatuses.has(run.status)) {
          tx.rollbackOnly = true
          return { status: 'run-ended', run }
        }
        let found: { task: TaskRecord; hash: Buffer } | undefined
        for (const row of await tx.rows(sql.openWaits, [runId, now])) {
          const task = taskFromRow(t.tasks, row)
          const taskWait: TaskWait | undefined = task.wait
          if (taskWait?.kind !== kind || taskWait.resolution !== undefined) continue
          if (name !== undefined && taskWait.name !== name) continue
          if (
            key !== undefined ? task.key !== key : found !== undefined && found.task.key < task.key
          )
            continue
          found = { task, hash: row.id_hash as Buffer }
        }
        if (!found) {
          tx.rollbackOnly = true
          return { status: 'not-waiting' }
        }
        await tx.run(sql.resolveTask, [toJson(resolution), now, found.hash])
        if (run.status === 'suspended') await tx.run(sql.setRunStatus, ['running', runId])
        return { status: 'resolved', task: resolvedTask(found.task, resolution, now) }
      })
    },

    async reopenRun({ runId, tasks, now }) {
      await open()
      const openWaits = tasks.filter((task) => isOpenEventWait(task) && task.parked !== true)
      return transaction(
        'reopen a run',
        async (
          tx,
        ): Promise<
          { status: 'reopened'; run: RunRecord } | { status: 'not-failed'; run: RunRecord }
        > => {
          if (openWaits.length > 0) await lockEventNames(tx, openWaits)
          const [runRow] = await tx.rows(sql.lockRun, [runId])
          if (!runRow) throw new NotFoundError({ kind: 'run', id: runId })
          const run = runFromRow(t.runs, runRow)
          if (run.status !== 'failed') {
            tx.rollbackOnly = true
            return { status: 'not-failed', run }
          }
          await tx.run(sql.deleteFailedSteps, [runId])
          await tx.run(sql.unparkTasks, [runId])
          if (tasks.length > 0) {
            // Replaced: the old rows go, the new ones come last (as they would in memory), each
            // keeping the larger fence: a worker still holding an old claim never commits.
            const fences = new Map<string, number>()
            for (const chunk of chunks(tasks.map((task) => sha256(task.id)))) {
              const ids = padded(chunk)
              const list = marks(ids.length)
              const rows = await tx.rows(
                `SELECT id_hash, fence FROM ${t.tasks} WHERE id_hash IN (${list}) FOR UPDATE`,
                ids,
              )
              for (const row of rows) {
                fences.set((row.id_hash as Buffer).toString('hex'), Number(row.fence))
              }
              if (rows.length > 0) {
                await tx.run(`DELETE FROM ${t.tasks} WHERE id_hash IN (${list})`, ids)
              }
            }
            const fenced = tasks.map((task) => {
              const fence = fences.get(sha256(task.id).toString('hex'))
              return fence !== undefined && fence > task.fence ? { ...task, fence } : task
            })
            await insertCommitTasks(tx, fenced, now)
          }
          const [counts] = await tx.rows(sql.countTasks, [runId])
          const total = Number(counts?.total ?? 0)
          const runnable = Number(counts?.runnable ?? 0)
          const status: RunStatus = total > 0 && runnable === 0 ? 'suspended' : 'running'
          await tx.run(sql.reopenRun, [status, now, runId])
          const reopened: RunRecord = { ...run, status, updatedAt: now }
          delete reopened.error
          delete reopened.output
          delete reopened.endedAt
          return { status: 'reopened', run: reopened }
        },
      )
    },

    async purgeRuns(input: PurgeRunsInput) {
      checkPurgeRunsInput(input)
      await open()
      const { endedBefore, keepLast, workflowId, limit, now } = input
      const params: Param[] = []
      let text: string
      if (keepLast === undefined) {
        text = `SELECT id FROM ${t.runs} WHERE retention_at < ?${workflowId === undefined ? '' : ' AND workflow_id = ?'}
          ORDER BY retention_at, id LIMIT ?`
        params.push(endedBefore!)
        if (workflowId !== undefined) params.push(workflowId)
      } else {
        text = `SELECT id FROM (
            SELECT id, retention_at, ROW_NUMBER() OVER (
              PARTITION BY workflow_id ORDER BY retention_at DESC, id DESC) AS newer
            FROM ${t.runs}
            WHERE retention_at IS NOT NULL${workflowId === undefined ? '' : ' AND workflow_id = ?'}
          ) ranked
          WHERE newer > ?${endedBefore === undefined ? '' : ' OR retention_at < ?'}
          ORDER BY retention_at, id LIMIT ?`
        if (workflowId !== undefined) params.push(workflowId)
        params.push(keepLast)
        if (endedBefore !== undefined) params.push(endedBefore)
      }
      params.push(String(limit))
      const ids = (await selectRows('choose runs to purge', text, params)).map(
        (row) => row.id as Buffer,
      )
      let runs = 0
      for (const chunk of chunks(ids)) {
        runs += await transaction('purge runs', async (tx) => {
          const keys = padded(chunk)
          const list = marks(keys.length)
          // Still ended (a failed run may have been reopened since): locked, then deleted.
          const locked = (
            await tx.rows(
              `SELECT id FROM ${t.runs} WHERE id IN (${list}) AND retention_at IS NOT NULL FOR UPDATE`,
              keys,
            )
          ).map((row) => row.id as Buffer)
          if (locked.length === 0) return 0
          const doomed = padded(locked)
          const doomedList = marks(doomed.length)
          for (const table of [t.scopeResults, t.scopes, t.steps, t.tasks]) {
            await tx.run(`DELETE FROM ${table} WHERE run_id IN (${doomedList})`, doomed)
          }
          await tx.run(`DELETE FROM ${t.runs} WHERE id IN (${doomedList})`, doomed)
          return locked.length
        })
      }
      let events = 0
      for (;;) {
        const deleted = await update('purge expired events', sql.purgeInbox, [now, '10000'])
        events += deleted.affectedRows
        if (deleted.affectedRows < 10_000) break
      }
      return { runs, events }
    },

    async close() {
      if (closed) return
      closed = true
      if (owned) {
        try {
          await pool.end()
        } catch (error) {
          throw toStoreError('close the pool', error)
        }
      }
    },
  }
}

function checkLimit(fn: string, limit: unknown, max: number): void {
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > max) {
    throw new InvalidArgumentError({
      fn,
      argument: 'limit',
      expected: `an integer from 1 to ${max}`,
      received: limit,
    })
  }
}

/**
 * The store's own pool. Its connections run READ COMMITTED (set once per connection, before
 * any other statement: mysql2 runs a connection's statements in order).
 */
interface CallbackConnection {
  query(sql: string, done: () => void): unknown
}

function ownPool(uri: string, connectionLimit: number): Pool {
  const pool = createPool({ uri, connectionLimit })
  // mysql2 hands this event the pool's callback connection (its typings say the promise one).
  // With a callback, a failure does not become an unhandled 'error' event; it shows in the
  // connection's next statement.
  pool.on('connection', (connection) => {
    ;(connection as unknown as CallbackConnection).query(
      'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
      () => undefined,
    )
  })
  return pool
}

function isMysqlUri(uri: unknown): uri is string {
  if (typeof uri !== 'string') return false
  try {
    const url = new URL(uri)
    return url.protocol === 'mysql:' || url.protocol === 'mariadb:'
  } catch {
    return false
  }
}
