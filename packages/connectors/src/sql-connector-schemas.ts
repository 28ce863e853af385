import { z } from 'zod'

// Schema pieces that the PostgreSQL and MySQL connectors' action inputs and outputs share; the
// dialect-specific descriptions (placeholders, type conversions) come from each connector.

/**
 * A parameter value of a SQL statement: a string, number, boolean, null, array or object;
 * `description` says how the driver sends arrays and objects.
 *
 * @example
 * ```ts
 * const paramSchema = sqlParamSchema('A parameter value: arrays become PostgreSQL arrays, objects JSON')
 * ```
 */
export function sqlParamSchema(description: string) {
  return z
    .union([
      z.string(),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(z.unknown()),
      z.record(z.string(), z.unknown()),
    ])
    .describe(description)
}

/**
 * The `sql` text of a statement: 1 to 1 000 000 characters; `description` names the
 * placeholders.
 *
 * @example
 * ```ts
 * z.object({ sql: sqlTextSchema('One SQL statement with $1…$n placeholders') })
 * ```
 */
export function sqlTextSchema(description: string) {
  return z.string().min(1).max(1_000_000).describe(description)
}

/**
 * The input of a SQL `transaction` action: 1 to 1000 statements of `statement`'s shape, in
 * order.
 *
 * @example
 * ```ts
 * export const postgresTransactionInputSchema = sqlTransactionInputSchema(postgresStatementInputSchema)
 * ```
 */
export function sqlTransactionInputSchema<Statement extends z.ZodType>(statement: Statement) {
  return z
    .object({
      statements: z.array(statement).min(1).max(1_000).describe('The statements, in order'),
    })
    .strict()
}

/**
 * The rows of a result; `description` says how the driver's types become JSON.
 *
 * @example
 * ```ts
 * const rowsSchema = sqlRowsSchema('The rows: dates as ISO strings')
 * ```
 */
export function sqlRowsSchema(description: string) {
  return z.array(z.record(z.string(), z.unknown())).describe(description)
}

/**
 * The `replayed` flag of `execute` and `transaction`: true when the idempotency table already
 * held the step's key and the recorded result came back instead of running again.
 *
 * @example
 * ```ts
 * z.object({ rowCount: z.number().int(), replayed: sqlReplayedSchema })
 * ```
 */
export const sqlReplayedSchema = z
  .boolean()
  .describe('True when an earlier attempt with the same key already committed')
