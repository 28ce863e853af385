import { createHash } from 'node:crypto'
import type * as mysql from 'mysql2/promise'
import {
  ConnectorError,
  defineConnector,
  type ConnectorAction,
  type Logger,
  type WithSecretsResolved,
} from '@tessera/core'
import type { z } from 'zod'
import { createClientCache } from '../connector-client-cache'
import { findSecondStatement } from '../sql-single-statement'
import { toJsonValue } from '../sql-json-value'
import { mysqlConnectorConfigSchema } from './mysql-connector-config'
import { mysqlFailure } from './mysql-connector-errors'
import {
  mysqlExecuteOutputSchema,
  mysqlQueryOutputSchema,
  mysqlStatementInputSchema,
  mysqlTransactionInputSchema,
  mysqlTransactionOutputSchema,
  type MysqlExecuteOutput,
  type MysqlQueryOutput,
  type MysqlTransactionOutput,
} from './mysql-connector-schemas'

type Config = WithSecretsResolved<z.output<typeof mysqlConnectorConfigSchema>>
type Statement = z.output<typeof mysqlStatementInputSchema>
type Transaction = z.output<typeof mysqlTransactionInputSchema>
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

/** Settings of {@link createMysqlConnector}. */
export interface MysqlConnectorSettings {
  /** Default `mysql`. Give each instance its own id to register several in one engine. */
  id?: string
}

/**
 * Creates the MySQL/MariaDB connector: `query` (rows), `execute` (affected rows, insert id)
 * and `transaction`, as server-side prepared statements with `?` or `:name` placeholders and
 * one statement per `sql` (`multipleStatements` is off). Aborting the step kills the running
 * statement (`KILL QUERY`). With `idempotencyTable`, `execute` and `transaction` run exactly
 * once per step idempotency key. Loads `mysql2` (an optional peer) on first use.
 *
 * @example
 * ```ts
 * const shop = createMysqlConnector({ id: 'shop-db' })
 * const workflow = createWorkflow({ id: 'reserve', input: z.object({ sku: z.string() }) })
 *   .map(({ input }) => ({ sql: 'UPDATE stock SET reserved = reserved + 1 WHERE sku = :sku', params: { sku: input.sku } }))
 *   .action(shop, 'execute', { url: { $secret: 'SHOP_MYSQL_URL' } })
 *   .commit()
 * ```
 */
export function createMysqlConnector(settings: MysqlConnectorSettings = {}) {
  const id = settings.id ?? 'mysql'
  const query: ConnectorAction<Config, Statement, MysqlQueryOutput> = {
    title: 'Run a query',
    description:
      'Runs one parameterised SQL statement (? or :name placeholders) and returns its rows and row count',
    examples: [
      {
        title: 'Open orders of a customer',
        input: {
          sql: 'SELECT id, total FROM orders WHERE customer_id = :customer AND status = :status',
          params: { customer: 42, status: 'open' },
        },
      },
    ],
    input: mysqlStatementInputSchema,
    output: mysqlQueryOutputSchema,
    run: async ({ config, input, signal, idempotencyKey, logger }) => {
      checkStatement(id, 'query', input.sql)
      return withSession(id, 'query', config, signal, async (session) => {
        const [result, fields] = await runStatement(session, input, idempotencyKey)
        const output = statementResult(result)
        logger.debug('mysql query', { rowCount: output.rowCount })
        return {
          ...output,
          fields: (fields ?? []).map((field) => ({
            name: field.name,
            ...(field.columnType !== undefined ? { columnType: field.columnType } : {}),
          })),
        }
      })
    },
  }
  const execute: ConnectorAction<Config, Statement, MysqlExecuteOutput> = {
    title: 'Execute a statement',
    description:
      'Runs one parameterised INSERT/UPDATE/DELETE statement and returns the affected rows and insert id; exactly once per step with idempotencyTable',
    examples: [
      {
        title: 'Add an order line',
        input: {
          sql: 'INSERT INTO order_lines (order_id, sku, quantity) VALUES (?, ?, ?)',
          params: [42, 'A-1', 3],
        },
      },
    ],
    input: mysqlStatementInputSchema,
    output: mysqlExecuteOutputSchema,
    run: async ({ config, input, signal, idempotencyKey, logger }) => {
      checkStatement(id, 'execute', input.sql)
      const transaction = await runTransaction(id, 'execute', config, [input], {
        signal,
        idempotencyKey,
        logger,
        atomic: config.idempotencyTable !== undefined,
      })
      const { rowCount, insertId } = transaction.results[0] ?? { rowCount: 0 }
      return {
        rowCount,
        ...(insertId !== undefined ? { insertId } : {}),
        replayed: transaction.replayed,
      }
    },
  }
  const transaction: ConnectorAction<Config, Transaction, MysqlTransactionOutput> = {
    title: 'Run a transaction',
    description:
      'Runs parameterised statements in order in one transaction; any failure rolls all back',
    examples: [
      {
        title: 'Move stock between warehouses',
        input: {
          statements: [
            {
              sql: 'UPDATE stock SET count = count - ? WHERE sku = ? AND warehouse = ?',
              params: [5, 'A-1', 'north'],
            },
            {
              sql: 'UPDATE stock SET count = count + ? WHERE sku = ? AND warehouse = ?',
              params: [5, 'A-1', 'south'],
            },
          ],
        },
      },
    ],
    input: mysqlTransactionInputSchema,
    output: mysqlTransactionOutputSchema,
    run: async ({ config, input, signal, idempotencyKey, logger }) => {
      input.statements.forEach((statement, index) =>
        checkStatement(id, 'transaction', statement.sql, `statement ${index + 1}`),
      )
      return runTransaction(id, 'transaction', config, input.statements, {
        signal,
        idempotencyKey,
        logger,
        atomic: true,
      })
    },
  }
  return defineConnector({
    id,
    name: 'MySQL / MariaDB',
    description:
      'Runs parameterised SQL on MySQL or MariaDB: queries, statements and transactions, killed on abort, optionally exactly once per step',
    docs: 'https://tessera.dev/docs/connectors/mysql',
    config: mysqlConnectorConfigSchema,
    actions: { query, execute, transaction },
    check: async ({ config, signal }) => {
      await withSession(id, 'check', config, signal, (session) =>
        session.connection.query('SELECT 1'),
      )
    },
  })
}

/**
 * The MySQL/MariaDB connector (see {@link createMysqlConnector}).
 *
 * @example
 * ```ts
 * engine.register(mysqlConnector)
 * ```
 */
export const mysqlConnector = /* @__PURE__ */ createMysqlConnector()

/** The connector that {@link createMysqlConnector} returns. */
export type MysqlConnector = ReturnType<typeof createMysqlConnector>

function checkStatement(connector: string, action: string, sql: string, where?: string): void {
  const second = findSecondStatement(sql, 'mysql')
  if (second === -1) return
  throw new ConnectorError({
    connector,
    action,
    reason: 'invalid-request',
    message: `${where === undefined ? '' : `${where}: `}expected one SQL statement, but a second one starts at character ${second + 1}; use the transaction action for several`,
  })
}

async function loadDriver(connector: string, action: string): Promise<Driver> {
  try {
    const module = (await import('mysql2/promise')) as Driver & { default?: Driver }
    return module.default ?? module
  } catch (error) {
    throw new ConnectorError({
      connector,
      action,
      reason: 'invalid-config',
      message: 'install mysql2 to use the MySQL / MariaDB connector',
      cause: error,
    })
  }
}

function poolOptions(config: Config): mysql.PoolOptions {
  const ssl =
    typeof config.ssl === 'object'
      ? Object.fromEntries(Object.entries(config.ssl).filter(([, value]) => value !== undefined))
      : config.ssl === true
        ? {}
        : undefined
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

async function withSession<T>(
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
  try {
    const result = await work(session, entry)
    // A killed SLEEP() returns 1 instead of failing: the step was aborted all the same.
    if (signal.aborted) throw signal.reason
    return result
  } catch (error) {
    throw ConnectorError.isInstance(error) ? error : fail(error)
  } finally {
    signal.removeEventListener('abort', onAbort)
    await Promise.all(killing)
    if (session.killedFor !== undefined) connection.destroy()
    else connection.release()
  }
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

function abortable<T>(promise: Promise<T>, signal: AbortSignal, late: (value: T) => void) {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        if (signal.aborted) late(value)
        else resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

type StatementResult = [mysql.QueryResult, mysql.FieldPacket[] | undefined]

async function runStatement(
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

function statementResult(result: mysql.QueryResult): {
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

async function runTransaction(
  connector: string,
  action: string,
  config: Config,
  statements: readonly Statement[],
  options: { signal: AbortSignal; idempotencyKey: string; logger: Logger; atomic: boolean },
): Promise<MysqlTransactionOutput> {
  const table = config.idempotencyTable
  return withSession(connector, action, config, options.signal, async (session, entry) => {
    const { connection } = session
    if (table !== undefined) await ensureIdempotencyTable(entry, table, connection)
    const key = storedKey(options.idempotencyKey)
    let index = -1
    try {
      if (options.atomic) await connection.query('START TRANSACTION')
      if (table !== undefined) {
        try {
          // The key's row lock makes a concurrent attempt with the same key wait for this one.
          await connection.execute(
            `INSERT INTO ${quoteTable(table)} (idempotency_key) VALUES (?)`,
            [key],
          )
        } catch (error) {
          if ((error as { code?: string }).code !== 'ER_DUP_ENTRY') throw error
          const [rows] = (await connection.execute(
            `SELECT result FROM ${quoteTable(table)} WHERE idempotency_key = ?`,
            [key],
          )) as [{ result: string | null }[], unknown]
          await connection.query('ROLLBACK')
          options.logger.debug('mysql replayed', { action })
          const recorded = rows[0]?.result
          const parsed = (recorded ? JSON.parse(recorded) : { results: [] }) as {
            results: MysqlTransactionOutput['results']
          }
          return { results: parsed.results, replayed: true }
        }
      }
      const results: MysqlTransactionOutput['results'] = []
      for (index = 0; index < statements.length; index++) {
        const [result] = await runStatement(session, statements[index]!, options.idempotencyKey)
        results.push(statementResult(result))
      }
      index = -1
      if (table !== undefined)
        await connection.execute(
          `UPDATE ${quoteTable(table)} SET result = ? WHERE idempotency_key = ?`,
          [JSON.stringify({ results }), key],
        )
      if (options.atomic) await connection.query('COMMIT')
      options.logger.debug('mysql committed', { action, statements: statements.length })
      return { results, replayed: false }
    } catch (error) {
      if (options.atomic && session.killedFor === undefined)
        await connection.query('ROLLBACK').catch(() => undefined)
      throw mysqlFailure({
        connector,
        action,
        error,
        signal: options.signal,
        where: index >= 0 && statements.length > 1 ? `statement ${index + 1}` : undefined,
      })
    }
  })
}

async function ensureIdempotencyTable(
  entry: PoolEntry,
  table: string,
  connection: mysql.PoolConnection,
): Promise<void> {
  let ready = entry.tables.get(table)
  if (ready === undefined) {
    ready = connection
      .query(
        `CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (idempotency_key VARCHAR(255) NOT NULL PRIMARY KEY, result LONGTEXT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
      )
      .then(
        () => undefined,
        (error: unknown) => {
          entry.tables.delete(table)
          throw error
        },
      )
    entry.tables.set(table, ready)
  }
  await ready
}

function storedKey(key: string): string {
  return key.length <= 255 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`
}

function quoteTable(table: string): string {
  return table
    .split('.')
    .map((part) => `\`${part}\``)
    .join('.')
}
