import { z } from 'zod'
import { secretRef } from '@tessera/core'
import {
  connectTimeoutMsSchema,
  idempotencyTableSchema,
  passwordSecretSchema,
  poolMaxSchema,
  serverPortSchema,
  statementTimeoutMsSchema,
  tlsClientCertificateFields,
  tlsSchema,
  urlOrHost,
} from '../connection-config-schemas'

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
    port: serverPortSchema(5432),
    user: z.string().min(1).optional().describe('The user name'),
    database: z.string().min(1).optional().describe('The database name'),
    password: passwordSecretSchema("A secret holding the user's password"),
    ssl: tlsSchema(
      {
        ...tlsClientCertificateFields,
        servername: z.string().optional().describe('The server name for SNI and verification'),
      },
      'TLS: true, or TLS options. Default: no TLS unless the connection string asks for it',
    ),
    statementTimeoutMs: statementTimeoutMsSchema(
      'Server-side statement_timeout in milliseconds; a statement over it fails with reason timeout',
    ),
    connectTimeoutMs: connectTimeoutMsSchema,
    poolMax: poolMaxSchema,
    applicationName: z
      .string()
      .max(63)
      .optional()
      .describe('application_name shown in pg_stat_activity. Default tessera'),
    idempotencyTable: idempotencyTableSchema(63),
  })
  .strict()
  .refine(...urlOrHost('connectionString'))

/**
 * The configuration of the PostgreSQL connector, as written in a definition.
 *
 * @example
 * ```ts
 * const config: PostgresConnectorConfig = { connectionString: { $secret: 'ORDERS_DATABASE_URL' } }
 * ```
 */
export type PostgresConnectorConfig = z.input<typeof postgresConnectorConfigSchema>
