import { z } from 'zod'
import { secretRef } from '@tessera/core'

/**
 * A table name, optionally schema-qualified: letters, digits and `_`, quoted when used.
 *
 * @example
 * ```ts
 * sqlTableNamePattern.test('ops.idempotency') // true
 * ```
 */
export const sqlTableNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}(?:\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/

/**
 * The configuration schema of the PostgreSQL connector: either a `connectionString` (a secret,
 * as it holds the password) or `host`/`port`/`user`/`database` with a `password` secret; TLS,
 * a statement timeout, the pool size and the optional exactly-once `idempotencyTable`.
 *
 * @example
 * ```ts
 * postgresConnectorConfigSchema.parse({ connectionString: { $secret: 'ORDERS_DATABASE_URL' }, idempotencyTable: 'tessera_idempotency' })
 * postgresConnectorConfigSchema.parse({ host: 'db.internal', user: 'app', database: 'orders', password: { $secret: 'ORDERS_DB_PASSWORD' }, ssl: true })
 * ```
 */
export const postgresConnectorConfigSchema = z
  .object({
    connectionString: secretRef({
      title: 'Connection string',
      description:
        'A secret holding a libpq URL such as postgres://user:password@host:5432/database (it holds the password). Give either this or host.',
    }).optional(),
    host: z
      .string()
      .min(1)
      .optional()
      .describe('The server host name or address (instead of connectionString)'),
    port: z.number().int().min(1).max(65_535).optional().describe('The server port. Default 5432'),
    user: z.string().min(1).optional().describe('The user name'),
    database: z.string().min(1).optional().describe('The database name'),
    password: secretRef({
      title: 'Password',
      description: "A secret holding the user's password",
    }).optional(),
    ssl: z
      .union([
        z.boolean(),
        z
          .object({
            rejectUnauthorized: z
              .boolean()
              .optional()
              .describe("Verify the server's certificate. Default true"),
            ca: z.string().optional().describe('PEM certificate(s) of the authority to trust'),
            cert: z.string().optional().describe('PEM client certificate'),
            key: secretRef({
              description: 'A secret holding the PEM private key of cert',
            }).optional(),
            servername: z.string().optional().describe('The server name for SNI and verification'),
          })
          .strict(),
      ])
      .optional()
      .describe(
        'TLS: true, or TLS options. Default: no TLS unless the connection string asks for it',
      ),
    statementTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(86_400_000)
      .optional()
      .describe(
        'Server-side statement_timeout in milliseconds; a statement over it fails with reason timeout',
      ),
    connectTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(600_000)
      .optional()
      .describe('How long to wait for a connection, in milliseconds. Default 10000'),
    poolMax: z
      .number()
      .int()
      .min(1)
      .max(200)
      .optional()
      .describe('The most connections the pool of this configuration opens. Default 10'),
    applicationName: z
      .string()
      .max(63)
      .optional()
      .describe('application_name shown in pg_stat_activity. Default tessera'),
    idempotencyTable: z
      .string()
      .regex(sqlTableNamePattern, 'a table name such as "tessera_idempotency" or "ops.idempotency"')
      .optional()
      .describe(
        'When set, execute and transaction record the step idempotency key and their result in this table (created if missing) in the same transaction, and a repeated key returns the recorded result without running the statements again',
      ),
  })
  .strict()
  .refine((config) => (config.connectionString === undefined) !== (config.host === undefined), {
    message: 'either connectionString or host (exactly one of them)',
    path: ['host'],
  })

/**
 * The configuration of the PostgreSQL connector, as written in a definition.
 *
 * @example
 * ```ts
 * const config: PostgresConnectorConfig = { connectionString: { $secret: 'ORDERS_DATABASE_URL' } }
 * ```
 */
export type PostgresConnectorConfig = z.input<typeof postgresConnectorConfigSchema>
