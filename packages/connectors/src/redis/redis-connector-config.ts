import { z } from 'zod'
import { secretRef } from '@tessera/core'
import {
  connectTimeoutMsSchema,
  passwordSecretSchema,
  serverPortSchema,
  tlsSchema,
  urlOrHost,
} from '../connection-config-schemas'

/**
 * The configuration schema of the Redis connector: either a `url` (a secret, as it may hold the
 * password) or `host`/`port` with an optional `username` and `password` secret; the database
 * number, TLS, a key prefix applied to every key, and timeouts.
 *
 * @example
 * ```ts
 * redisConnectorConfigSchema.parse({ url: { $secret: 'CACHE_REDIS_URL' }, keyPrefix: 'shop:' })
 * redisConnectorConfigSchema.parse({ host: 'cache.internal', password: { $secret: 'CACHE_REDIS_PASSWORD' }, db: 2 })
 * ```
 */
export const redisConnectorConfigSchema = z
  .object({
    url: secretRef({
      title: 'Connection URL',
      description:
        'A secret holding a URL such as redis://:password@host:6379/0 or rediss://… for TLS. Give either this or host.',
    }).optional(),
    host: z.string().min(1).optional().describe('The server host name or address (instead of url)'),
    port: serverPortSchema(6379),
    username: z.string().min(1).optional().describe('The ACL user name (Redis 6+)'),
    password: passwordSecretSchema('A secret holding the password (AUTH)'),
    db: z
      .number()
      .int()
      .min(0)
      .max(1_000)
      .optional()
      .describe('The database number (SELECT). Default 0'),
    tls: tlsSchema(
      { servername: z.string().optional().describe('The server name for SNI') },
      'TLS: true, or TLS options (a rediss:// URL turns it on too)',
    ),
    keyPrefix: z
      .string()
      .max(200)
      .optional()
      .describe(
        'Prepended to every key the actions address (not to pub/sub channels), such as "shop:"',
      ),
    connectTimeoutMs: connectTimeoutMsSchema,
    commandTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(600_000)
      .optional()
      .describe('A command without an answer in this time fails with reason timeout'),
    idempotencyTtlSeconds: z
      .number()
      .int()
      .min(1)
      .max(31_536_000)
      .optional()
      .describe(
        'How long increment and stream-add with once: true remember a step idempotency key. Default 604800 (7 days)',
      ),
  })
  .strict()
  .refine(...urlOrHost('url'))

/**
 * The configuration of the Redis connector, as written in a definition.
 *
 * @example
 * ```ts
 * const config: RedisConnectorConfig = { url: { $secret: 'CACHE_REDIS_URL' }, keyPrefix: 'shop:' }
 * ```
 */
export type RedisConnectorConfig = z.input<typeof redisConnectorConfigSchema>
