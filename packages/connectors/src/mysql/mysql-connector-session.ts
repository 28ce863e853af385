import type * as mysql from 'mysql2/promise'
import { ConnectorError, type WithSecretsResolved } from '@tessera/core'
import type { z } from 'zod'
import { abortable } from '../abortable'
import { tlsOptions } from '../connection-config-schemas'
import { createClientCache } from '../connector-client-cache'
import { createSdkLoader } from '../load-sdk'
import {
  ensureIdempotencyTable,
  leavesConnectionUnusable,
  quoteSqlTable,
  runSqlTransaction,
  type SqlTransactionOptions,
  type SqlTransactionSession,
} from '../sql-connector-session'
import { toJsonValue } from '../sql-json-value'
import type { mysqlConnectorConfigSchema } from './mysql-connector-config'
import { mysqlFailure } from './mysql-connector-errors'
import type { mysqlStatementInputSchema, MysqlTransactionOutput } from './mysql-connector-schemas'

// The MySQL connector's connections: pools cached per configuration, prepared statements,
// transactions with the optional idempotency table, and KILL QUERY on abort or timeout.

/**
 * The resolved configuration an action receives.
 *
 * @example
 * ```ts
 * const config: MysqlResolvedConfig = { host: 'db', password: 'resolved-value' }
 * ```
 */
export type MysqlResolvedConfig = WithSecretsResolved<z.output<typeof mysqlConnectorConfigSchema>>
type Config = MysqlResolvedConfig
/**
 * One statement of an action's input.
 *
 * @example
 * ```ts
 * const statement: MysqlStatement = { sql: 'SELECT 1', params: [] }
 * ```
 */
export type MysqlStatement = z.output<typeof mysqlStatementInputSchema>
type Statement = MysqlStatement
type Driver = typeof import('mysql2/promise')

interface PoolEntry {
  pool: mysql.Pool
  options: mysql.PoolOptions
  driver: Driver
  tables: Map<string, Promise<void>>
}

/** A checked-out connection, and how to kill its running statement. */
interface Session {
  connection: mysql.PoolConnection
  /** Kills the running statement (KILL QUERY from a second connection). */
  kill(reason: 'aborted' | 'timeout'): void
  killedFor: 'aborted' | 'timeout' | undefined
  statementTimeoutMs: number | undefined
}

const pools = createClientCache<PoolEntry>((entry) => entry.pool.end())

/**
 * Closes every pool that the MySQL connectors opened (they are cached per resolved
 * configuration). Call it when the host shuts down, or after tests.
 *
 * @example
 * ```ts
 * await engine.close()
 * await closeMysqlConnectorPools()
 * ```
 */
export function closeMysqlConnectorPools(): Promise<void> {
  return pools.close()
}

const loadDriver = createSdkLoader(
  async () => {
    const module = (await import('mysql2/promise')) as Driver & { default?: Driver }
    return module.default ?? module
  },
  'mysql2',
  'MySQL / MariaDB',
)

function poolOptions(config: Config): mysql.PoolOptions {
  const ssl = tlsOptions(config.ssl)
  return {
    ...(config.url !== undefined ? { uri: config.url } : {}),
    ...(config.host !== undefined ? { host: config.host } : {}),
    ...(config.port !== undefined ? { port: config.port } : {}),
    ...(config.user !== undefined ? { user: config.user } : {}),
    ...(config.database !== undefined ? { database: config.database } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(ssl !== undefined ? { ssl } : {}),
    connectTimeout: config.connectTimeoutMs ?? 10_000,
    connectionLimit: config.poolMax ?? 10,
    maxIdle: 2,
    idleTimeout: 10_000,
    namedPlaceholders: true,
    multipleStatements: false,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  }
}

async function poolFor(connector: string, action: string, config: Config): Promise<PoolEntry> {
  const driver = await loadDriver(connector, action)
  const { idempotencyTable: _table, statementTimeoutMs: _timeout, ...connection } = config
  return pools.get(connection, () => {
    const options = poolOptions(config)
    const pool = driver.createPool(options)
    pool.on('connection', (connection) => connection.on('error', () => undefined))
    return { pool, options, driver, tables: new Map() }
  })
}

export async function withSession<T>(
  connector: string,
  action: string,
  config: Config,
  signal: AbortSignal,
  work: (session: Session, entry: PoolEntry) => Promise<T>,
): Promise<T> {
  const fail = (error: unknown) => mysqlFailure({ connector, action, error, signal })
  if (signal.aborted) throw fail(signal.reason)
  const entry = await poolFor(connector, action, config)
  let connection: mysql.PoolConnection
  try {
    connection = await abortable(entry.pool.getConnection(), signal, (late) => late.release())
  } catch (error) {
    throw fail(error)
  }
  const killing: Promise<void>[] = []
  const session: Session = {
    connection,
    killedFor: undefined,
    statementTimeoutMs: config.statementTimeoutMs,
    kill(reason) {
      if (session.killedFor !== undefined) return
      session.killedFor = reason
      killing.push(killQuery(entry, connection.threadId))
    },
  }
  const onAbort = () => session.kill('aborted')
  signal.addEventListener('abort', onAbort, { once: true })
  let broken = false
  try {
    const result = await work(session, entry)
    // A killed SLEEP() returns 1 instead of failing: the step was aborted all the same.
    if (signal.aborted) throw signal.reason
    return result
  } catch (error) {
    // A server error leaves the connection usable; a fatal one (the socket) or a transaction
    // that could not be rolled back does not.
    broken = leavesConnectionUnusable(error) || fatal(error)
    throw ConnectorError.isInstance(error) ? error : fail(error)
  } finally {
    signal.removeEventListener('abort', onAbort)
    await Promise.all(killing)
    if (broken || session.killedFor !== undefined) connection.destroy()
    else connection.release()
  }
}

/** True when mysql2 marked the error (or its cause) fatal: the connection is gone. */
function fatal(error: unknown): boolean {
  if ((error as { fatal?: unknown } | null)?.fatal === true) return true
  return ConnectorError.isInstance(error) && fatal(error.cause)
}

/** Kills the statement that connection `threadId` runs, from a connection of its own. */
async function killQuery(entry: PoolEntry, threadId: number): Promise<void> {
  const {
    connectionLimit: _limit,
    maxIdle: _idle,
    idleTimeout: _timeout,
    ...options
  } = entry.options
  let killer: mysql.Connection | undefined
  try {
    killer = await entry.driver.createConnection(options)
    killer.on('error', () => undefined)
    await killer.query('KILL QUERY ?', [threadId])
  } catch {
    // The statement also ends when its connection is destroyed.
  } finally {
    await killer?.end().catch(() => undefined)
  }
}

type StatementResult = [mysql.QueryResult, mysql.FieldPacket[] | undefined]

export async function runStatement(
  session: Session,
  statement: Statement,
  idempotencyKey: string,
): Promise<StatementResult> {
  const values = parameters(statement, idempotencyKey)
  const timer =
    session.statementTimeoutMs === undefined
      ? undefined
      : setTimeout(() => session.kill('timeout'), session.statementTimeoutMs)
  try {
    const result = (await session.connection.execute(
      statement.sql,
      values as mysql.ExecuteValues,
    )) as StatementResult
    if (session.killedFor === 'timeout') throw timeoutError()
    return result
  } catch (error) {
    if (session.killedFor === 'timeout') throw timeoutError(error)
    throw error
  } finally {
    clearTimeout(timer)
  }

  function timeoutError(cause?: unknown) {
    return Object.assign(
      new Error(
        `the statement exceeded statementTimeoutMs (${session.statementTimeoutMs} ms) and was killed`,
      ),
      {
        code: 'STATEMENT_TIMEOUT',
        cause,
      },
    )
  }
}

function parameters(
  statement: Statement,
  idempotencyKey: string,
): unknown[] | Record<string, unknown> {
  const encode = (value: unknown) =>
    value !== null && typeof value === 'object' ? JSON.stringify(value) : value
  if (Array.isArray(statement.params)) {
    const values = statement.params.map(encode)
    return statement.idempotencyKeyParam ? [...values, idempotencyKey] : values
  }
  const values: Record<string, unknown> = { idempotencyKey }
  for (const [name, value] of Object.entries(statement.params)) values[name] = encode(value)
  return values
}

export function statementResult(result: mysql.QueryResult): {
  rows: Record<string, unknown>[]
  rowCount: number
  insertId?: number | string
} {
  if (Array.isArray(result)) {
    const rows = (result as unknown[]).map((row) => toJsonValue(row) as Record<string, unknown>)
    return { rows, rowCount: rows.length }
  }
  const header = result as mysql.ResultSetHeader
  const insertId = header.insertId as number | string | undefined
  return {
    rows: [],
    rowCount: header.affectedRows ?? 0,
    ...(insertId !== undefined && insertId !== 0 && insertId !== '0' ? { insertId } : {}),
  }
}

export async function runTransaction(
  connector: string,
  action: string,
  config: Config,
  statements: readonly Statement[],
  options: SqlTransactionOptions,
): Promise<MysqlTransactionOutput> {
  const table = config.idempotencyTable
  type Result = MysqlTransactionOutput['results'][number]
  return withSession(connector, action, config, options.signal, async (session, entry) => {
    const { connection } = session
    if (table !== undefined)
      await ensureIdempotencyTable(entry.tables, table, () =>
        connection.query(
          `CREATE TABLE IF NOT EXISTS ${quoteSqlTable(table, 'mysql')} (idempotency_key VARCHAR(255) NOT NULL PRIMARY KEY, result LONGTEXT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
        ),
      )
    const quoted = table === undefined ? '' : quoteSqlTable(table, 'mysql')
    const transaction: SqlTransactionSession<Result> = {
      begin: () => connection.query('START TRANSACTION'),
      commit: () => connection.query('COMMIT'),
      rollback: () => connection.query('ROLLBACK'),
      claim: async (key) => {
        try {
          await connection.execute(`INSERT INTO ${quoted} (idempotency_key) VALUES (?)`, [key])
          return true
        } catch (error) {
          if ((error as { code?: string }).code !== 'ER_DUP_ENTRY') throw error
          return false
        }
      },
      recorded: async (key) => {
        const [rows] = (await connection.execute(
          `SELECT result FROM ${quoted} WHERE idempotency_key = ?`,
          [key],
        )) as [{ result: string | null }[], unknown]
        const recorded = rows[0]?.result
        return recorded ? (JSON.parse(recorded) as { results: Result[] }).results : []
      },
      record: (key, results) =>
        connection.execute(`UPDATE ${quoted} SET result = ? WHERE idempotency_key = ?`, [
          JSON.stringify({ results }),
          key,
        ]),
      run: async (index) => {
        const [result] = await runStatement(session, statements[index]!, options.idempotencyKey)
        return statementResult(result)
      },
    }
    return runSqlTransaction(transaction, {
      ...options,
      count: statements.length,
      table,
      dialect: 'mysql',
      action,
      mayRollback: () => session.killedFor === undefined,
      fail: (error, where) =>
        mysqlFailure({ connector, action, error, signal: options.signal, where }),
    })
  })
}
