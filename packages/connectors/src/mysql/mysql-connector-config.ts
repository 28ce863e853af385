import { z } from 'zod'
import { secretRef } from '@tessera/core'

/**
 * The configuration schema of the MySQL/MariaDB connector: either a `url` (a secret, as it
 * holds the password) or `host`/`port`/`user`/`database` with a `password` secret; TLS, a
 * statement timeout, the pool size and the optional exactly-once `idempotencyTable`.
 *
 * @example
 * ```ts
 * mysqlConnectorConfigSchema.parse({ url: { $secret: 'SHOP_MYSQL_URL' } })
 * mysqlConnectorConfigSchema.parse({ host: 'db.internal', user: 'app', database: 'shop', password: { $secret: 'SHOP_DB_PASSWORD' } })
 * ```
 */
export const mysqlConnectorConfigSchema = z
  .object({
    url: secretRef({
      title: 'Connection URL',
      description:
        'A secret holding a URL such as mysql://user:password@host:3306/database (it holds the password). Give either this or host.',
    }).optional(),
    host: z.string().min(1).optional().describe('The server host name or address (instead of url)'),
    port: z.number().int().min(1).max(65_535).optional().describe('The server port. Default 3306'),
    user: z.string().min(1).optional().describe('The user name'),
    database: z.string().min(1).optional().describe('The default database'),
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
          })
          .strict(),
      ])
      .optional()
      .describe('TLS: true (verify the server against the system CAs), or TLS options'),
    statementTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(86_400_000)
      .optional()
      .describe('A statement running longer is killed (KILL QUERY) and fails with reason timeout'),
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
    idempotencyTable: z
      .string()
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_]{0,63})?$/,
        'a table name such as "tessera_idempotency" or "ops.idempotency"',
      )
      .optional()
      .describe(
        'When set, execute and transaction record the step idempotency key and their result in this table (created if missing) in the same transaction, and a repeated key returns the recorded result without running the statements again',
      ),
  })
  .strict()
  .refine((config) => (config.url === undefined) !== (config.host === undefined), {
    message: 'either url or host (exactly one of them)',
    path: ['host'],
  })

/**
 * The configuration of the MySQL/MariaDB connector, as written in a definition.
 *
 * @example
 * ```ts
 * const config: MysqlConnectorConfig = { url: { $secret: 'SHOP_MYSQL_URL' } }
 * ```
 */
export type MysqlConnectorConfig = z.input<typeof mysqlConnectorConfigSchema>
