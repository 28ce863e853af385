import { z } from 'zod'
import {
  sqlParamSchema,
  sqlReplayedSchema,
  sqlRowsSchema,
  sqlTextSchema,
  sqlTransactionInputSchema,
} from '../sql-connector-schemas'

const paramSchema = sqlParamSchema(
  'A parameter value: arrays become PostgreSQL arrays, objects JSON',
)

const sqlSchema = sqlTextSchema(
  'One SQL statement with $1…$n placeholders for the values; never put values in the text',
)

/**
 * The input of the PostgreSQL `query` and `execute` actions: one statement and its
 * parameters. With `idempotencyKeyParam`, the step's idempotency key is passed as one more
 * parameter after `params` (`$n+1`).
 *
 * @example
 * ```ts
 * postgresStatementInputSchema.parse({ sql: 'SELECT * FROM orders WHERE id = $1', params: [42] })
 * ```
 */
export const postgresStatementInputSchema = z
  .object({
    sql: sqlSchema,
    params: z.array(paramSchema).max(65_535).default([]).describe('Values of $1…$n, in order'),
    idempotencyKeyParam: z
      .boolean()
      .optional()
      .describe("Pass the step's idempotency key as the parameter after params ($n+1)"),
  })
  .strict()

/**
 * The input of the PostgreSQL `transaction` action: statements run in order between BEGIN and
 * COMMIT; the first failure rolls every one back.
 *
 * @example
 * ```ts
 * postgresTransactionInputSchema.parse({ statements: [{ sql: 'UPDATE accounts SET balance = balance - $1 WHERE id = $2', params: [10, 1] }] })
 * ```
 */
export const postgresTransactionInputSchema = sqlTransactionInputSchema(
  postgresStatementInputSchema,
)

const rowsSchema = sqlRowsSchema(
  'The rows: dates as ISO strings, bytea as base64, int8 and numeric as strings',
)

/**
 * The output of the `query` action.
 *
 * @example
 * ```ts
 * const { rows, rowCount } = postgresQueryOutputSchema.parse(output)
 * ```
 */
export const postgresQueryOutputSchema = z.object({
  rows: rowsSchema,
  rowCount: z.number().int().describe('Rows returned, or affected by INSERT/UPDATE/DELETE'),
  fields: z
    .array(z.object({ name: z.string(), dataTypeId: z.number().int() }))
    .describe('The columns: name and PostgreSQL type OID'),
})

/**
 * The output of the `execute` action. `replayed` is true when the idempotency table already
 * held the step's key: the statement did not run again and `rowCount` is the recorded one.
 *
 * @example
 * ```ts
 * const { rowCount, replayed } = postgresExecuteOutputSchema.parse(output)
 * ```
 */
export const postgresExecuteOutputSchema = z.object({
  rowCount: z.number().int().describe('Rows affected'),
  replayed: sqlReplayedSchema,
})

/**
 * The output of the `transaction` action: one result per statement.
 *
 * @example
 * ```ts
 * const { results } = postgresTransactionOutputSchema.parse(output)
 * ```
 */
export const postgresTransactionOutputSchema = z.object({
  results: z
    .array(
      z.object({
        rowCount: z.number().int().describe('Rows returned or affected'),
        rows: rowsSchema,
      }),
    )
    .describe('One result per statement, in order'),
  replayed: sqlReplayedSchema,
})

/**
 * The input of `query` and `execute`.
 *
 * @example
 * ```ts
 * const input: PostgresStatementInput = { sql: 'SELECT * FROM orders WHERE id = $1', params: [42] }
 * ```
 */
export type PostgresStatementInput = z.input<typeof postgresStatementInputSchema>
/**
 * The input of `transaction`.
 *
 * @example
 * ```ts
 * const input: PostgresTransactionInput = { statements: [{ sql: 'DELETE FROM carts WHERE id = $1', params: [7] }] }
 * ```
 */
export type PostgresTransactionInput = z.input<typeof postgresTransactionInputSchema>
/**
 * The output of `query`.
 *
 * @example
 * ```ts
 * const ids = (output as PostgresQueryOutput).rows.map((row) => row.id)
 * ```
 */
export type PostgresQueryOutput = z.output<typeof postgresQueryOutputSchema>
/**
 * The output of `execute`.
 *
 * @example
 * ```ts
 * if ((output as PostgresExecuteOutput).replayed) logger.info('already applied')
 * ```
 */
export type PostgresExecuteOutput = z.output<typeof postgresExecuteOutputSchema>
/**
 * The output of `transaction`.
 *
 * @example
 * ```ts
 * const counts = (output as PostgresTransactionOutput).results.map((result) => result.rowCount)
 * ```
 */
export type PostgresTransactionOutput = z.output<typeof postgresTransactionOutputSchema>
