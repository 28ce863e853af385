import type pg from 'pg'
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
import type { postgresConnectorConfigSchema } from './postgres-connector-config'
import { postgresFailure } from './postgres-connector-errors'
import type {
  postgresStatementInputSchema,
  PostgresTransactionOutput,
} from './postgres-connector-schemas'

// The PostgreSQL connector's connections: pools cached per configuration, statements,
// transactions with the optional idempotency table, and server-side cancellation on abort.

/**
 * The resolved configuration an action receives.
 *
 * @example
 * ```ts
 * const config: PostgresResolvedConfig = { host: 'db', password: 'resolved-value' }
 * ```
 */
export type PostgresResolvedConfig = WithSecretsResolved<
  z.output<typeof postgresConnectorConfigSchema>
>
type Config = PostgresResolvedConfig
/**
 * One statement of an action's input.
 *
 * @example
 * ```ts
 * const statement: PostgresStatement = { sql: 'SELECT 1', params: [] }
 * ```
 */
export type PostgresStatement = z.output<typeof postgresStatementInputSchema>
type Statement = PostgresStatement

interface PoolEntry {
  pool: pg.Pool
  options: pg.PoolConfig
  driver: typeof pg
  /** Idempotency tables created through this pool. */
  tables: Map<string, Promise<void>>
}

const pools = createClientCache<PoolEntry>((entry) => entry.pool.end())

/**
 * Closes every pool that the PostgreSQL connectors opened (they are cached per resolved
 * configuration). Call it when the host shuts down, or after tests; the next action opens a
 * new pool.
 *
 * @example
 * ```ts
 * await engine.close()
 * await closePostgresConnectorPools()
 * ```
 */
export function closePostgresConnectorPools(): Promise<void> {
  return pools.close()
}

const loadDriver = createSdkLoader(
  async () => {
    const module = (await import('pg')) as { default?: typeof pg } & typeof pg
    return module.default ?? module
  },
  'pg',
  'PostgreSQL',
)

function poolOptions(config: Config): pg.PoolConfig {
  // pg takes `ssl: true` as it is (with sslmode from a connection string); options as an object.
  const ssl = typeof config.ssl === 'object' ? tlsOptions(config.ssl) : config.ssl
  return {
    ...(config.connectionString !== undefined ? { connectionString: config.connectionString } : {}),
    ...(config.host !== undefined ? { host: config.host } : {}),
    ...(config.port !== undefined ? { port: config.port } : {}),
    ...(config.user !== undefined ? { user: config.user } : {}),
    ...(config.database !== undefined ? { database: config.database } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(ssl !== undefined ? { ssl } : {}),
    ...(config.statementTimeoutMs !== undefined
      ? { statement_timeout: config.statementTimeoutMs }
      : {}),
    application_name: config.applicationName ?? 'tessera',
    connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
    max: config.poolMax ?? 10,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  }
}

async function poolFor(connector: string, action: string, config: Config): Promise<PoolEntry> {
  const driver = await loadDriver(connector, action)
  const { idempotencyTable: _table, ...connection } = config
  return pools.get(connection, () => {
    const options = poolOptions(config)
    const pool = new driver.Pool(options)
    // An idle connection that the server drops emits an error on the pool; the next checkout
    // gets a new connection.
    pool.on('error', () => undefined)
    return { pool, options, driver, tables: new Map() }
  })
}

/**
 * Checks a client out of the configuration's pool for `work`, and cancels the running
 * statement on the server when `signal` aborts (a second connection calls
 * pg_cancel_backend). A client that was cancelled or broke is destroyed, not reused.
 */
export async function withClient<T>(
  connector: string,
  action: string,
  config: Config,
  signal: AbortSignal,
  work: (client: pg.PoolClient, entry: PoolEntry) => Promise<T>,
): Promise<T> {
  const fail = (error: unknown, where?: string) =>
    postgresFailure({ connector, action, error, signal, where })
  if (signal.aborted) throw fail(signal.reason)
  const entry = await poolFor(connector, action, config)
  let client: pg.PoolClient
  try {
    client = await abortable(entry.pool.connect(), signal, (late) => late.release())
  } catch (error) {
    throw fail(error)
  }
  let cancelling: Promise<void> | undefined
  const onAbort = () => {
    cancelling = cancelBackend(entry, (client as unknown as { processID: number }).processID)
  }
  signal.addEventListener('abort', onAbort, { once: true })
  let broken = false
  try {
    const result = await work(client, entry)
    if (signal.aborted) throw signal.reason
    return result
  } catch (error) {
    // An error the server reported (a SQLSTATE) leaves the connection usable, unless a
    // transaction could not be rolled back; anything else (a broken socket) discards it.
    broken = leavesConnectionUnusable(error) || !reportedByServer(error)
    throw ConnectorError.isInstance(error) ? error : fail(error)
  } finally {
    signal.removeEventListener('abort', onAbort)
    await cancelling
    client.release(broken || signal.aborted)
  }
}

/** True for an error the server answered with (a SQLSTATE), directly or as the cause. */
function reportedByServer(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return true
  return ConnectorError.isInstance(error) && reportedByServer(error.cause)
}

/** Cancels the statement that backend `processId` runs, from a connection of its own. */
async function cancelBackend(entry: PoolEntry, processId: number): Promise<void> {
  const canceller = new entry.driver.Client({ ...entry.options, statement_timeout: 10_000 })
  canceller.on('error', () => undefined)
  try {
    await canceller.connect()
    await canceller.query('SELECT pg_cancel_backend($1)', [processId])
  } catch {
    // The statement ends anyway when its connection is destroyed on release.
  } finally {
    await canceller.end().catch(() => undefined)
  }
}

export function runStatement(
  client: pg.PoolClient,
  statement: Statement,
  idempotencyKey: string,
): Promise<pg.QueryResult<Record<string, unknown>>> {
  const values = statement.idempotencyKeyParam
    ? [...statement.params, idempotencyKey]
    : statement.params
  // The extended protocol even without parameters: the server then refuses a second statement.
  return client.query({ text: statement.sql, values, queryMode: 'extended' } as pg.QueryConfig)
}

export async function runTransaction(
  connector: string,
  action: string,
  config: Config,
  statements: readonly Statement[],
  options: SqlTransactionOptions,
): Promise<PostgresTransactionOutput> {
  const table = config.idempotencyTable
  type Result = PostgresTransactionOutput['results'][number]
  return withClient(connector, action, config, options.signal, async (client, entry) => {
    if (table !== undefined)
      await ensureIdempotencyTable(entry.tables, table, () =>
        client
          .query(
            `CREATE TABLE IF NOT EXISTS ${quoteSqlTable(table, 'postgres')} (idempotency_key text PRIMARY KEY, result jsonb, created_at timestamptz NOT NULL DEFAULT now())`,
          )
          .catch((error: { code?: string }) => {
            // Two first uses at once: the other one created it.
            if (error.code !== '23505' && error.code !== '42P07') throw error
          }),
      )
    const quoted = table === undefined ? '' : quoteSqlTable(table, 'postgres')
    const session: SqlTransactionSession<Result> = {
      begin: () => client.query('BEGIN'),
      commit: () => client.query('COMMIT'),
      rollback: () => client.query('ROLLBACK'),
      claim: async (key) => {
        const claimed = await client.query(
          `INSERT INTO ${quoted} (idempotency_key) VALUES ($1) ON CONFLICT (idempotency_key) DO NOTHING`,
          [key],
        )
        return claimed.rowCount !== 0
      },
      recorded: async (key) => {
        const recorded = await client.query<{ result: PostgresTransactionOutput | null }>(
          `SELECT result FROM ${quoted} WHERE idempotency_key = $1`,
          [key],
        )
        return recorded.rows[0]?.result?.results ?? []
      },
      record: (key, results) =>
        client.query(`UPDATE ${quoted} SET result = $2 WHERE idempotency_key = $1`, [
          key,
          JSON.stringify({ results }),
        ]),
      run: async (index) => {
        const result = await runStatement(client, statements[index]!, options.idempotencyKey)
        return {
          rowCount: result.rowCount ?? result.rows.length,
          rows: result.rows.map((row) => toJsonValue(row) as Record<string, unknown>),
        }
      },
    }
    return runSqlTransaction(session, {
      ...options,
      count: statements.length,
      table,
      dialect: 'postgres',
      action,
      mayRollback: () => !options.signal.aborted,
      fail: (error, where) =>
        postgresFailure({ connector, action, error, signal: options.signal, where }),
    })
  })
}
