import { defineConnector, type ConnectorAction } from '@tessera/core'
import type { z } from 'zod'
import { assertSingleStatement } from '../sql-single-statement'
import { toJsonValue } from '../sql-json-value'
import { postgresConnectorConfigSchema } from './postgres-connector-config'
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
import {
  runStatement,
  runTransaction,
  withClient,
  type PostgresResolvedConfig as Config,
  type PostgresStatement as Statement,
} from './postgres-connector-session'

export { closePostgresConnectorPools } from './postgres-connector-session'

type Transaction = z.output<typeof postgresTransactionInputSchema>

/**
 * Settings of {@link createPostgresConnector}.
 *
 * @example
 * ```ts
 * const settings: PostgresConnectorSettings = { id: 'orders-db' }
 * ```
 */
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
      assertSingleStatement({ connector: id, action: 'query', dialect: 'postgres' }, input.sql)
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
      assertSingleStatement({ connector: id, action: 'execute', dialect: 'postgres' }, input.sql)
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
      const context = { connector: id, action: 'transaction', dialect: 'postgres' } as const
      input.statements.forEach((statement, index) =>
        assertSingleStatement(context, statement.sql, `statement ${index + 1}`),
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

/**
 * The connector that {@link createPostgresConnector} returns.
 *
 * @example
 * ```ts
 * const orders: PostgresConnector = createPostgresConnector({ id: 'orders-db' })
 * ```
 */
export type PostgresConnector = ReturnType<typeof createPostgresConnector>
