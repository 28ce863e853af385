import { defineConnector, type ConnectorAction } from '@tessera/core'
import type { z } from 'zod'
import { assertSingleStatement } from '../sql-single-statement'
import { mysqlConnectorConfigSchema } from './mysql-connector-config'
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
import {
  runStatement,
  runTransaction,
  statementResult,
  withSession,
  type MysqlResolvedConfig as Config,
  type MysqlStatement as Statement,
} from './mysql-connector-session'

export { closeMysqlConnectorPools } from './mysql-connector-session'

type Transaction = z.output<typeof mysqlTransactionInputSchema>

/**
 * Settings of {@link createMysqlConnector}.
 *
 * @example
 * ```ts
 * const settings: MysqlConnectorSettings = { id: 'shop-db' }
 * ```
 */
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
      assertSingleStatement({ connector: id, action: 'query', dialect: 'mysql' }, input.sql)
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
      assertSingleStatement({ connector: id, action: 'execute', dialect: 'mysql' }, input.sql)
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
      const context = { connector: id, action: 'transaction', dialect: 'mysql' } as const
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

/**
 * The connector that {@link createMysqlConnector} returns.
 *
 * @example
 * ```ts
 * const shop: MysqlConnector = createMysqlConnector({ id: 'shop-db' })
 * ```
 */
export type MysqlConnector = ReturnType<typeof createMysqlConnector>
