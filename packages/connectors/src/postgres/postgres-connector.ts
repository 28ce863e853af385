import { createHash } from 'node:crypto'
import type pg from 'pg'
import {
  ConnectorError,
  defineConnector,
  type ConnectorAction,
  type Logger,
  type WithSecretsResolved,
} from '@tessera/core'
import { createClientCache } from '../connector-client-cache'
import { findSecondStatement } from '../sql-single-statement'
import { toJsonValue } from '../sql-json-value'
import { postgresConnectorConfigSchema } from './postgres-connector-config'
import { postgresFailure } from './postgres-connector-errors'
import {
  postgresExecuteOutputSchema,
  postgresQueryOutputSchema,
  postgresStatementInputSchema,
  postgresTransactionInputSchema,
  postgresTransactionOutputSchema,
  type PostgresExecuteOutput,
  type PostgresQueryOutput,
  type PostgresTransactionOutput,
} from './postgres-connector-schemas'
import type { z } from 'zod'

type Config = WithSecretsResolved<z.output<typeof postgresConnectorConfigSchema>>
type Statement = z.output<typeof postgresStatementInputSchema>
type Transaction = z.output<typeof postgresTransactionInputSchema>

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

/** Settings of {@link createPostgresConnector}. */
export interface PostgresConnectorSettings {
  /** Default `postgres`. Give each instance its own id to register several in one engine. */
  id?: string
}

/**
 * Creates the PostgreSQL connector: `query` (rows), `execute` (row count) and `transaction`
 * (statements between BEGIN and COMMIT), with `$1…$n` parameters only and one statement per
 * `sql`. Aborting the step cancels the running statement on the server
 * (`pg_cancel_backend`). With `idempotencyTable`, `execute` and `transaction` run exactly once
 * per step idempotency key. Loads `pg` (an optional peer) on first use.
 *
 * @example
 * ```ts
 * const orders = createPostgresConnector({ id: 'orders-db' })
 * const workflow = createWorkflow({ id: 'ship', input: z.object({ id: z.number() }) })
 *   .map(({ input }) => ({ sql: 'UPDATE orders SET shipped = true WHERE id = $1', params: [input.id] }))
 *   .action(orders, 'execute', { connectionString: { $secret: 'ORDERS_DATABASE_URL' } })
 *   .commit()
 * ```
 */
export function createPostgresConnector(settings: PostgresConnectorSettings = {}) {
  const id = settings.id ?? 'postgres'
  const query: ConnectorAction<Config, Statement, PostgresQueryOutput> = {
    title: 'Run a query',
    description:
      'Runs one parameterised SQL statement ($1…$n) and returns its rows, row count and columns',
    examples: [
      {
        title: 'Orders of a customer',
        input: {
          sql: 'SELECT id, total FROM orders WHERE customer_id = $1 AND status = $2',
          params: [42, 'open'],
        },
      },
    ],
    input: postgresStatementInputSchema,
    output: postgresQueryOutputSchema,
    run: async ({ config, input, signal, idempotencyKey, logger }) => {
      checkStatement(id, 'query', input.sql)
      return withClient(id, 'query', config, signal, async (client) => {
        const result = await runStatement(client, input, idempotencyKey)
        logger.debug('postgres query', { rowCount: result.rowCount })
        return {
          rows: result.rows.map((row) => toJsonValue(row) as Record<string, unknown>),
          rowCount: result.rowCount ?? result.rows.length,
          fields: result.fields.map((field) => ({
            name: field.name,
            dataTypeId: field.dataTypeID,
          })),
        }
      })
    },
  }
  const execute: ConnectorAction<Config, Statement, PostgresExecuteOutput> = {
    title: 'Execute a statement',
    description:
      'Runs one parameterised INSERT/UPDATE/DELETE/DDL statement and returns the affected row count; exactly once per step with idempotencyTable',
    examples: [
      {
        title: 'Mark an order shipped',
        input: { sql: 'UPDATE orders SET status = $1 WHERE id = $2', params: ['shipped', 42] },
      },
    ],
    input: postgresStatementInputSchema,
    output: postgresExecuteOutputSchema,
    run: async ({ config, input, signal, idempotencyKey, logger }) => {
      checkStatement(id, 'execute', input.sql)
      const transaction = await runTransaction(id, 'execute', config, [input], {
        signal,
        idempotencyKey,
        logger,
        atomic: config.idempotencyTable !== undefined,
      })
      return { rowCount: transaction.results[0]!.rowCount, replayed: transaction.replayed }
    },
  }
  const transaction: ConnectorAction<Config, Transaction, PostgresTransactionOutput> = {
    title: 'Run a transaction',
    description:
      'Runs parameterised statements in order in one transaction (BEGIN … COMMIT); any failure rolls all back',
    examples: [
      {
        title: 'Move money between accounts',
        input: {
          statements: [
            { sql: 'UPDATE accounts SET balance = balance - $1 WHERE id = $2', params: [25, 1] },
            { sql: 'UPDATE accounts SET balance = balance + $1 WHERE id = $2', params: [25, 2] },
          ],
        },
      },
    ],
    input: postgresTransactionInputSchema,
    output: postgresTransactionOutputSchema,
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
    name: 'PostgreSQL',
    description:
      'Runs parameterised SQL on PostgreSQL: queries, statements and transactions, cancelled on abort, optionally exactly once per step',
    docs: 'https://tessera.dev/docs/connectors/postgres',
    config: postgresConnectorConfigSchema,
    actions: { query, execute, transaction },
    check: async ({ config, signal }) => {
      await withClient(id, 'check', config, signal, (client) => client.query('SELECT 1'))
    },
  })
}

/**
 * The PostgreSQL connector (see {@link createPostgresConnector}).
 *
 * @example
 * ```ts
 * const engine = createEngine({ secrets: envSecrets({ prefix: 'TESSERA_SECRET_' }) })
 * engine.register(postgresConnector)
 * ```
 */
export const postgresConnector = /* @__PURE__ */ createPostgresConnector()

/** The connector that {@link createPostgresConnector} returns. */
export type PostgresConnector = ReturnType<typeof createPostgresConnector>

function checkStatement(connector: string, action: string, sql: string, where?: string): void {
  const second = findSecondStatement(sql, 'postgres')
  if (second === -1) return
  throw new ConnectorError({
    connector,
    action,
    reason: 'invalid-request',
    message: `${where === undefined ? '' : `${where}: `}expected one SQL statement, but a second one starts at character ${second + 1}; use the transaction action for several`,
  })
}

async function loadDriver(connector: string, action: string): Promise<typeof pg> {
  try {
    const module = (await import('pg')) as { default?: typeof pg } & typeof pg
    return module.default ?? module
  } catch (error) {
    throw new ConnectorError({
      connector,
      action,
      reason: 'invalid-config',
      message: 'install pg to use the PostgreSQL connector',
      cause: error,
    })
  }
}

function poolOptions(config: Config): pg.PoolConfig {
  const ssl =
    typeof config.ssl === 'object'
      ? Object.fromEntries(Object.entries(config.ssl).filter(([, value]) => value !== undefined))
      : config.ssl
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
async function withClient<T>(
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
    broken = true
    throw ConnectorError.isInstance(error) ? error : fail(error)
  } finally {
    signal.removeEventListener('abort', onAbort)
    await cancelling
    client.release(broken || signal.aborted)
  }
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

/** Resolves like `promise`, or rejects with the signal's reason; `late` gets a late value. */
function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  late: (value: T) => void,
): Promise<T> {
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

function runStatement(
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

async function runTransaction(
  connector: string,
  action: string,
  config: Config,
  statements: readonly Statement[],
  options: { signal: AbortSignal; idempotencyKey: string; logger: Logger; atomic: boolean },
): Promise<PostgresTransactionOutput> {
  const table = config.idempotencyTable
  return withClient(connector, action, config, options.signal, async (client, entry) => {
    if (table !== undefined) await ensureIdempotencyTable(entry, table, client)
    const key = storedKey(options.idempotencyKey)
    let index = -1
    try {
      if (options.atomic) await client.query('BEGIN')
      if (table !== undefined) {
        // The key's row lock makes a concurrent attempt with the same key wait for this one.
        const claimed = await client.query(
          `INSERT INTO ${quoteTable(table)} (idempotency_key) VALUES ($1) ON CONFLICT (idempotency_key) DO NOTHING`,
          [key],
        )
        if (claimed.rowCount === 0) {
          const recorded = await client.query<{ result: PostgresTransactionOutput | null }>(
            `SELECT result FROM ${quoteTable(table)} WHERE idempotency_key = $1`,
            [key],
          )
          await client.query('ROLLBACK')
          options.logger.debug('postgres replayed', { action })
          const result = recorded.rows[0]?.result
          return { results: result?.results ?? [], replayed: true }
        }
      }
      const results: PostgresTransactionOutput['results'] = []
      for (index = 0; index < statements.length; index++) {
        const result = await runStatement(client, statements[index]!, options.idempotencyKey)
        results.push({
          rowCount: result.rowCount ?? result.rows.length,
          rows: result.rows.map((row) => toJsonValue(row) as Record<string, unknown>),
        })
      }
      index = -1
      const output = { results, replayed: false }
      if (table !== undefined)
        await client.query(
          `UPDATE ${quoteTable(table)} SET result = $2 WHERE idempotency_key = $1`,
          [key, JSON.stringify({ results })],
        )
      if (options.atomic) await client.query('COMMIT')
      options.logger.debug('postgres committed', { action, statements: statements.length })
      return output
    } catch (error) {
      if (options.atomic && !options.signal.aborted)
        await client.query('ROLLBACK').catch(() => undefined)
      throw postgresFailure({
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
  client: pg.PoolClient,
): Promise<void> {
  let ready = entry.tables.get(table)
  if (ready === undefined) {
    ready = client
      .query(
        `CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (idempotency_key text PRIMARY KEY, result jsonb, created_at timestamptz NOT NULL DEFAULT now())`,
      )
      .then(
        () => undefined,
        (error: { code?: string }) => {
          // Two first uses at once: the other one created it.
          if (error.code === '23505' || error.code === '42P07') return
          entry.tables.delete(table)
          throw error
        },
      )
    entry.tables.set(table, ready)
  }
  await ready
}

/** Keys longer than an index entry comfortably holds are stored as their SHA-256. */
function storedKey(key: string): string {
  return key.length <= 255 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`
}

function quoteTable(table: string): string {
  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.')
}
