import { z } from 'zod'
import {
  sqlParamSchema,
  sqlReplayedSchema,
  sqlRowsSchema,
  sqlTextSchema,
  sqlTransactionInputSchema,
} from '../sql-connector-schemas'

const paramSchema = sqlParamSchema('A parameter value; arrays and objects are sent as JSON text')

/**
 * The input of the MySQL `query` and `execute` actions: one statement with `?` placeholders
 * and an array of values, or `:name` placeholders and a record of values. With a record,
 * `:idempotencyKey` is the step's idempotency key unless the record sets it; with an array,
 * `idempotencyKeyParam` appends the key as one more `?` value.
 *
 * @example
 * ```ts
 * mysqlStatementInputSchema.parse({ sql: 'SELECT * FROM orders WHERE id = ?', params: [42] })
 * mysqlStatementInputSchema.parse({ sql: 'SELECT * FROM orders WHERE customer = :customer', params: { customer: 7 } })
 * ```
 */
export const mysqlStatementInputSchema = z
  .object({
    sql: sqlTextSchema(
      'One SQL statement with ? or :name placeholders for the values; never put values in the text',
    ),
    params: z
      .union([z.array(paramSchema).max(65_535), z.record(z.string(), paramSchema)])
      .default([])
      .describe('Values of the ? placeholders in order, or of the :name placeholders by name'),
    idempotencyKeyParam: z
      .boolean()
      .optional()
      .describe("With array params: pass the step's idempotency key as one more ? value"),
  })
  .strict()

/**
 * The input of the MySQL `transaction` action: statements run in order between START
 * TRANSACTION and COMMIT; the first failure rolls every one back.
 *
 * @example
 * ```ts
 * mysqlTransactionInputSchema.parse({ statements: [{ sql: 'UPDATE stock SET count = count - ? WHERE sku = ?', params: [1, 'A-1'] }] })
 * ```
 */
export const mysqlTransactionInputSchema = sqlTransactionInputSchema(mysqlStatementInputSchema)

const rowsSchema = sqlRowsSchema(
  'The rows: DATE/DATETIME as strings, BLOB as base64, BIGINT/DECIMAL as strings',
)
const insertIdSchema = z
  .union([z.number(), z.string()])
  .optional()
  .describe('The AUTO_INCREMENT id of an INSERT')

/**
 * The output of the `query` action.
 *
 * @example
 * ```ts
 * const { rows, rowCount } = mysqlQueryOutputSchema.parse(output)
 * ```
 */
export const mysqlQueryOutputSchema = z.object({
  rows: rowsSchema,
  rowCount: z.number().int().describe('Rows returned, or affected by INSERT/UPDATE/DELETE'),
  insertId: insertIdSchema,
  fields: z
    .array(z.object({ name: z.string(), columnType: z.number().int().optional() }))
    .describe('The columns of a result set'),
})

/**
 * The output of the `execute` action. `replayed` is true when the idempotency table already
 * held the step's key: the statement did not run again and the counts are the recorded ones.
 *
 * @example
 * ```ts
 * const { rowCount, insertId } = mysqlExecuteOutputSchema.parse(output)
 * ```
 */
export const mysqlExecuteOutputSchema = z.object({
  rowCount: z.number().int().describe('Rows affected'),
  insertId: insertIdSchema,
  replayed: sqlReplayedSchema,
})

/**
 * The output of the `transaction` action: one result per statement.
 *
 * @example
 * ```ts
 * const { results } = mysqlTransactionOutputSchema.parse(output)
 * ```
 */
export const mysqlTransactionOutputSchema = z.object({
  results: z.array(
    z.object({
      rowCount: z.number().int().describe('Rows returned or affected'),
      rows: rowsSchema,
      insertId: insertIdSchema,
    }),
  ),
  replayed: sqlReplayedSchema,
})

/**
 * The input of `query` and `execute`.
 *
 * @example
 * ```ts
 * const input: MysqlStatementInput = { sql: 'SELECT * FROM orders WHERE id = :id', params: { id: 42 } }
 * ```
 */
export type MysqlStatementInput = z.input<typeof mysqlStatementInputSchema>
/**
 * The input of `transaction`.
 *
 * @example
 * ```ts
 * const input: MysqlTransactionInput = { statements: [{ sql: 'DELETE FROM carts WHERE id = ?', params: [7] }] }
 * ```
 */
export type MysqlTransactionInput = z.input<typeof mysqlTransactionInputSchema>
/**
 * The output of `query`.
 *
 * @example
 * ```ts
 * const ids = (output as MysqlQueryOutput).rows.map((row) => row.id)
 * ```
 */
export type MysqlQueryOutput = z.output<typeof mysqlQueryOutputSchema>
/**
 * The output of `execute`.
 *
 * @example
 * ```ts
 * const newId = (output as MysqlExecuteOutput).insertId
 * ```
 */
export type MysqlExecuteOutput = z.output<typeof mysqlExecuteOutputSchema>
/**
 * The output of `transaction`.
 *
 * @example
 * ```ts
 * const counts = (output as MysqlTransactionOutput).results.map((result) => result.rowCount)
 * ```
 */
export type MysqlTransactionOutput = z.output<typeof mysqlTransactionOutputSchema>
