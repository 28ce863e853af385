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
    port: serverPortSchema(3306),
    user: z.string().min(1).optional().describe('The user name'),
    database: z.string().min(1).optional().describe('The default database'),
    password: passwordSecretSchema("A secret holding the user's password"),
    ssl: tlsSchema(
      tlsClientCertificateFields,
      'TLS: true (verify the server against the system CAs), or TLS options',
    ),
    statementTimeoutMs: statementTimeoutMsSchema(
      'A statement running longer is killed (KILL QUERY) and fails with reason timeout',
    ),
    connectTimeoutMs: connectTimeoutMsSchema,
    poolMax: poolMaxSchema,
    idempotencyTable: idempotencyTableSchema(64),
  })
  .strict()
  .refine(...urlOrHost('url'))

/**
 * The configuration of the MySQL/MariaDB connector, as written in a definition.
 *
 * @example
 * ```ts
 * const config: MysqlConnectorConfig = { url: { $secret: 'SHOP_MYSQL_URL' } }
 * ```
 */
export type MysqlConnectorConfig = z.input<typeof mysqlConnectorConfigSchema>
