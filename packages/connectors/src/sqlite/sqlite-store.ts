import Database from 'better-sqlite3'
import {
  checkPurgeRunsInput,
  checkThreadInput,
  checkRecordInput,
  InvalidArgumentError,
  StoreError,
  type ClaimResult,
  type CommitInput,
  type CommitResult,
  type ListRunsQuery,
  type RunPage,
  type StoreV1,
  type TaskRecord,
} from '@tessera/core'
import { createWriters } from './sqlite-commit'
import { guard, provider } from './sqlite-errors'
import { checkSchema, migrate } from './sqlite-migrate'
import { checkTablePrefix, defaultSqliteTablePrefix, tableNames } from './sqlite-migrations'
import { createQueries } from './sqlite-queries'
import type { Row } from './sqlite-rows'
import { createRules } from './sqlite-rules'
import { prepareStatements, type SqliteContext } from './sqlite-statements'
import { createThreads } from './sqlite-threads'
import { createKeyedRecords } from './sqlite-keyed-records'
import { createWaits } from './sqlite-waits'

/** Where the store keeps its data: a file it opens, or a connection the caller owns. */
export type SqliteStoreTarget =
  | {
      /** Path of the database file (created if missing); `':memory:'` for a throwaway store. */
      filename: string
    }
  | {
      /**
       * An open better-sqlite3 connection. The caller owns it: its pragmas are left as they are
       * (WAL, `synchronous = NORMAL` and a `busy_timeout` are recommended), and `close()` does
       * not close it.
       */
      database: Database.Database
    }

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Prefix of every table and index name. Default `tessera_`. */
  tablePrefix?: string
  /**
   * Create the tables, or bring those of an older version up to date, when the store is
   * created. Default true; turn it off when the schema is applied with your own tool from
   * {@link sqliteMigrations}.
   */
  migrate?: boolean
  /**
   * With `filename`: how long a statement waits for another process's write lock before
   * failing with a retryable `StoreError`. Default 5000 ms.
   */
  busyTimeoutMs?: number
}

const nonNegativeInteger = (fn: string, argument: string, value: unknown) => {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new InvalidArgumentError({
      fn,
      argument,
      expected: 'a non-negative integer',
      received: value,
    })
  }
}

/** Opens a file with the pragmas the store is measured with. */
function openFile(filename: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(filename)
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`)
    if (!db.memory) {
      db.pragma('journal_mode = WAL')
      // Checkpoints copy the log into the file in the background of commits; after one, the log
      // file is cut back to 64 MiB so that a burst does not leave it large forever.
      db.pragma('journal_size_limit = 67108864')
    }
    // With WAL, NORMAL keeps the database consistent after any crash; a power loss may lose
    // the last commits, which then run again (steps run at least once).
    db.pragma('synchronous = NORMAL')
  } catch (error) {
    db.close()
    throw error
  }
  return db
}

/**
 * A durable `StoreV1` on SQLite through better-sqlite3: one file, safe for several processes
 * (WAL; leases and fences are enforced in the database), which can also hand work out to them
 * (`claimNext`). Every commit is one IMMEDIATE transaction. better-sqlite3 is synchronous, so
 * `claimTask`, `commit` and `claimNext` answer synchronously, like the memory store: a step
 * costs no promise on the store's side.
 *
 * Values (inputs, outputs, errors, items, event payloads, thread messages, records) are stored
 * as JSON text: they must be JSON-serialisable, as they must be for every durable store. It keeps
 * conversation threads (`capabilities.threads`) in the `threads` and `messages` tables, and keyed
 * records (`capabilities.records`) in the `records` table.
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
  nonNegativeInteger('createSqliteStore', 'busyTimeoutMs', busyTimeoutMs)
  const owned = target !== null && typeof target === 'object' && 'filename' in target
  if (owned ? typeof target.filename !== 'string' : !isDatabase((target as Row)?.database)) {
    throw new InvalidArgumentError({
      fn: 'createSqliteStore',
      argument: 'target',
      expected: '{ filename: string } or { database: an open better-sqlite3 Database }',
      received: target,
    })
  }

  const db = guard('open the database', () =>
    owned
      ? openFile((target as { filename: string }).filename, busyTimeoutMs)
      : (target as { database: Database.Database }).database,
  )
  const t = tableNames(prefix)
  let ctx: SqliteContext
  try {
    guard('check the schema', () =>
      options.migrate === false ? checkSchema(db, t) : migrate(db, t),
    )
    // Prepared once. Tables must exist by now (migrated above, or by the caller's tool).
    const sql = guard('prepare statements', () => prepareStatements(db, t))
    ctx = { db, sql, t }
  } catch (error) {
    if (owned) db.close()
    throw error
  }
  const { sql } = ctx
  const rules = createRules(ctx)
  const writers = createWriters(ctx, rules)
  const waits = createWaits(ctx, rules)
  const queries = createQueries(ctx)
  const threads = createThreads(ctx)
  const records = createKeyedRecords(db, t)
  let closed = false

  const checkOpen = () => {
    if (closed) throw new StoreError(provider, 'The store is closed')
  }

  return {
    specificationVersion: 'v1',
    provider,
    // A file is durable, may be shared by several processes and hands out work (claimNext: SQLite
    // serialises writers); an in-memory database is none of these.
    capabilities: db.memory
      ? { durable: false, shared: false, transport: false, threads: true, records: true }
      : { durable: true, shared: true, transport: true, threads: true, records: true },

    async createRun({ run, tasks, scopes }) {
      checkOpen()
      return guard('create a run', () => writers.createRun(run, tasks, scopes))
    },

    async getRun(runId) {
      checkOpen()
      return guard('read a run', () => queries.getRun(runId))
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
      return guard('list runs', () => queries.listRuns(query, limit))
    },

    async getRunHistory(runId) {
      checkOpen()
      return guard('read a run history', () => queries.history(runId))
    },

    async getScope(runId, key) {
      checkOpen()
      return guard('read a scope', () => queries.scope(runId, key))
    },

    claimTask({ taskId, owner, leaseMs, now }): ClaimResult {
      checkOpen()
      return guard('claim a task', () => writers.claim(taskId, owner, leaseMs, now))
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
      return guard('commit', () => writers.commit(input))
    },

    async listStaleTasks({ now, olderThan, limit }) {
      checkOpen()
      return guard('list stale tasks', () => queries.staleTasks(now, olderThan, limit))
    },

    claimNext({ owner, leaseMs, now, limit }): TaskRecord[] {
      checkOpen()
      if (!Number.isInteger(limit) || limit < 1) {
        throw new InvalidArgumentError({
          fn: 'claimNext',
          argument: 'limit',
          expected: 'a positive integer',
          received: limit,
        })
      }
      return guard('claim tasks', () => queries.claimNext(owner, leaseMs, now, limit))
    },

    async deliverEvent({ event, now }) {
      checkOpen()
      return guard('deliver an event', () => ({ delivered: waits.deliverEvent(event, now) }))
    },

    async resolveWait(input) {
      checkOpen()
      return guard('resolve a wait', () => waits.resolveWait(input))
    },

    async reopenRun({ runId, tasks, now }) {
      checkOpen()
      return guard('reopen a run', () => waits.reopenRun(runId, tasks, now))
    },

    async purgeRuns(input) {
      checkOpen()
      checkPurgeRunsInput(input)
      return guard('purge runs', () => queries.purge(input))
    },

    async appendThreadMessages(input) {
      checkOpen()
      const checked = checkThreadInput('appendThreadMessages', input)
      return guard('append thread messages', () => threads.append(checked))
    },

    async getThread(input) {
      checkOpen()
      const { threadId } = checkThreadInput('getThread', input)
      return guard('read a thread', () => threads.read(threadId))
    },

    async summarizeThread(input) {
      checkOpen()
      const checked = checkThreadInput('summarizeThread', input)
      return guard('summarize a thread', () => threads.summarize(checked))
    },

    async deleteThread(input) {
      checkOpen()
      const { threadId } = checkThreadInput('deleteThread', input)
      return guard('delete a thread', () => threads.delete(threadId))
    },

    async putRecord(input) {
      checkOpen()
      const checked = checkRecordInput('putRecord', input)
      return guard('write a record', () => records.put(checked))
    },

    async getRecord(input) {
      checkOpen()
      const { collection, key } = checkRecordInput('getRecord', input)
      return guard('read a record', () => records.get(collection, key))
    },

    async listRecords(query) {
      checkOpen()
      const checked = checkRecordInput('listRecords', query)
      return guard('list records', () => records.list(checked))
    },

    async deleteRecord(input) {
      checkOpen()
      const checked = checkRecordInput('deleteRecord', input)
      return guard('delete a record', () => records.delete(checked))
    },

    /** The file is opened and its schema checked by `createSqliteStore` itself: ready at once. */
    async ready() {
      checkOpen()
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
