import { createHash } from 'node:crypto'
import type { ConnectorError, Logger } from '@tessera/core'
import type { SqlDialect } from './sql-single-statement'

// What the PostgreSQL and MySQL connectors' sessions share: the mark on a failure that leaves
// its connection unusable, and the transaction with the optional idempotency table. Each
// driver supplies its own statements through SqlTransactionSession.

/** Failures after which the connection must not go back to the pool. */
const unusable = new WeakSet<object>()

/**
 * True when `error` was marked by {@link runSqlTransaction} as leaving its connection unusable
 * (a ROLLBACK that failed): the session destroys the connection instead of releasing it.
 *
 * @example
 * ```ts
 * broken = leavesConnectionUnusable(error) || !reportedByServer(error)
 * ```
 */
export function leavesConnectionUnusable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && unusable.has(error)
}

/**
 * Creates the idempotency table `table` once per pool: the first call runs `create`, later
 * calls wait for it; a failed creation is forgotten so the next call tries again. `create`
 * itself ignores the error of a concurrent creation where its driver reports one.
 *
 * @example
 * ```ts
 * await ensureIdempotencyTable(entry.tables, table, () => client.query(createStatement))
 * ```
 */
export async function ensureIdempotencyTable(
  tables: Map<string, Promise<void>>,
  table: string,
  create: () => Promise<unknown>,
): Promise<void> {
  let ready = tables.get(table)
  if (ready === undefined) {
    ready = create().then(
      () => undefined,
      (error: unknown) => {
        tables.delete(table)
        throw error
      },
    )
    tables.set(table, ready)
  }
  await ready
}

/**
 * The idempotency key as the table stores it: keys longer than an index entry comfortably holds
 * (255 characters) become `sha256:<hex>`.
 *
 * @example
 * ```ts
 * storedIdempotencyKey('run-1:charge') // 'run-1:charge'
 * ```
 */
export function storedIdempotencyKey(key: string): string {
  return key.length <= 255 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`
}

/**
 * Quotes a table name (optionally `schema.table`, already checked against the configuration's
 * pattern) as an identifier of `dialect`: `"a"."b"` for PostgreSQL, `` `a`.`b` `` for MySQL.
 *
 * @example
 * ```ts
 * quoteSqlTable('ops.idempotency', 'postgres') // '"ops"."idempotency"'
 * ```
 */
export function quoteSqlTable(table: string, dialect: SqlDialect): string {
  const quote = dialect === 'postgres' ? '"' : '`'
  return table
    .split('.')
    .map((part) => `${quote}${part}${quote}`)
    .join('.')
}

/**
 * What the `execute` and `transaction` actions pass to a SQL connector's transaction: the
 * step's signal, idempotency key and logger, and whether to wrap the statements in BEGIN …
 * COMMIT (always for `transaction`; for `execute` only with an idempotency table).
 *
 * @example
 * ```ts
 * const options: SqlTransactionOptions = { signal, idempotencyKey, logger, atomic: true }
 * ```
 */
export interface SqlTransactionOptions {
  signal: AbortSignal
  idempotencyKey: string
  logger: Logger
  atomic: boolean
}

/**
 * One driver's statements for {@link runSqlTransaction}, on a checked-out connection.
 *
 * @example
 * ```ts
 * const session: SqlTransactionSession<Result> = { begin: () => client.query('BEGIN'), … }
 * ```
 */
export interface SqlTransactionSession<Result> {
  begin(): Promise<unknown>
  commit(): Promise<unknown>
  rollback(): Promise<unknown>
  /** Inserts the key's row in the idempotency table; false when an earlier attempt holds it. */
  claim(key: string): Promise<boolean>
  /** The results that the attempt which committed `key` recorded. */
  recorded(key: string): Promise<Result[]>
  /** Records the results of this attempt in the key's row. */
  record(key: string, results: Result[]): Promise<unknown>
  /** Runs statement `index` of the transaction. */
  run(index: number): Promise<Result>
}

/**
 * Runs `count` statements through `session`, between BEGIN and COMMIT when `atomic`. With
 * `table`, the step's idempotency key is claimed first in the same transaction: a key that an
 * earlier attempt committed rolls back and returns that attempt's results with `replayed:
 * true` (the key's row lock makes a concurrent attempt wait). A failure rolls back (when
 * `mayRollback()` says the connection can still take a statement) and is thrown as
 * `fail(error, where)`, `where` naming the statement when there are several; a failure whose
 * ROLLBACK did not happen is marked for {@link leavesConnectionUnusable}.
 *
 * @example
 * ```ts
 * return runSqlTransaction(session, { count: 2, table, idempotencyKey, atomic: true, dialect: 'postgres', action, logger, mayRollback: () => !signal.aborted, fail })
 * ```
 */
export async function runSqlTransaction<Result>(
  session: SqlTransactionSession<Result>,
  options: Omit<SqlTransactionOptions, 'signal'> & {
    count: number
    table: string | undefined
    dialect: SqlDialect
    action: string
    mayRollback: () => boolean
    fail: (error: unknown, where: string | undefined) => ConnectorError
  },
): Promise<{ results: Result[]; replayed: boolean }> {
  const { count, table, atomic, logger, action } = options
  const key = storedIdempotencyKey(options.idempotencyKey)
  let index = -1
  try {
    if (atomic) await session.begin()
    if (table !== undefined && !(await session.claim(key))) {
      const results = await session.recorded(key)
      await session.rollback()
      logger.debug(`${options.dialect} replayed`, { action })
      return { results, replayed: true }
    }
    const results: Result[] = []
    for (index = 0; index < count; index++) results.push(await session.run(index))
    index = -1
    if (table !== undefined) await session.record(key, results)
    if (atomic) await session.commit()
    logger.debug(`${options.dialect} committed`, { action, statements: count })
    return { results, replayed: false }
  } catch (error) {
    let rolledBack = !atomic
    if (atomic && options.mayRollback())
      rolledBack = await session.rollback().then(
        () => true,
        () => false,
      )
    const failure = options.fail(
      error,
      index >= 0 && count > 1 ? `statement ${index + 1}` : undefined,
    )
    if (!rolledBack) unusable.add(failure)
    throw failure
  }
}
