import type { Redis, RedisOptions } from 'ioredis'
import { defineConnector, type WithSecretsResolved } from '@tessera/core'
import type { z } from 'zod'
import { abortable } from '../abortable'
import { tlsOptions } from '../connection-config-schemas'
import { createClientCache } from '../connector-client-cache'
import { createSdkLoader } from '../load-sdk'
import { redisConnectorConfigSchema } from './redis-connector-config'
import { redisFailure } from './redis-connector-errors'
import { createRedisActions, type RedisRunner } from './redis-connector-actions'

type Config = WithSecretsResolved<z.output<typeof redisConnectorConfigSchema>>

const clients = createClientCache<Redis>((client) => client.disconnect())

/**
 * Closes every Redis connection that the Redis connectors opened (cached per resolved
 * configuration). Call it when the host shuts down, or after tests.
 *
 * @example
 * ```ts
 * await engine.close()
 * await closeRedisConnectorClients()
 * ```
 */
export function closeRedisConnectorClients(): Promise<void> {
  return clients.close()
}

/**
 * Settings of {@link createRedisConnector}.
 *
 * @example
 * ```ts
 * const settings: RedisConnectorSettings = { id: 'cache' }
 * ```
 */
export interface RedisConnectorSettings {
  /** Default `redis`. Give each instance its own id to register several in one engine. */
  id?: string
}

/**
 * Creates the Redis connector: `get`, `set` (EX, NX/XX), `delete`, `increment`, `hash-get`,
 * `hash-set`, `publish`, `stream-add` (XADD, with the step's idempotency key in a field) and
 * `command` (an allowlist of read/write commands, arguments as an array). `increment` and
 * `stream-add` with `once: true` run exactly once per step idempotency key. Loads `ioredis`
 * (an optional peer) on first use.
 *
 * @example
 * ```ts
 * const cache = createRedisConnector({ id: 'cache' })
 * const workflow = createWorkflow({ id: 'count', input: z.object({ page: z.string() }) })
 *   .map(({ input }) => ({ key: `visits:${input.page}` }))
 *   .action(cache, 'increment', { url: { $secret: 'CACHE_REDIS_URL' }, keyPrefix: 'shop:' })
 *   .commit()
 * ```
 */
export function createRedisConnector(settings: RedisConnectorSettings = {}) {
  const id = settings.id ?? 'redis'
  const run: RedisRunner = async (action, { config, signal }, work) => {
    const fail = (error: unknown) => redisFailure({ connector: id, action, error, signal })
    if (signal.aborted) throw fail(signal.reason)
    const client = await clientFor(id, action, config)
    try {
      // Redis has no way to cancel a command once sent: the step stops waiting at once; a write
      // already sent may still apply (use nx or once for writes that must not repeat).
      return await abortable(work(client), signal)
    } catch (error) {
      const failure = fail(error)
      if (failure.reason === 'network' || failure.reason === 'unauthorized')
        await clients.evict(config)
      throw failure
    }
  }
  return defineConnector({
    id,
    name: 'Redis',
    description:
      'Reads and writes Redis keys, hashes and streams, publishes messages, and runs allowed commands',
    docs: 'https://tessera.dev/docs/connectors/redis',
    config: redisConnectorConfigSchema,
    actions: createRedisActions(run),
    check: (context) =>
      run('check', context, async (client) => {
        await client.ping()
      }),
  })
}

/**
 * The Redis connector (see {@link createRedisConnector}).
 *
 * @example
 * ```ts
 * engine.register(redisConnector)
 * ```
 */
export const redisConnector = /* @__PURE__ */ createRedisConnector()

/**
 * The connector that {@link createRedisConnector} returns.
 *
 * @example
 * ```ts
 * const cache: RedisConnector = createRedisConnector({ id: 'cache' })
 * ```
 */
export type RedisConnector = ReturnType<typeof createRedisConnector>

const loadRedisClass = createSdkLoader(
  async () => {
    const module = (await import('ioredis')) as { Redis?: typeof Redis; default?: typeof Redis }
    return (module.Redis ?? module.default)!
  },
  'ioredis',
  'Redis',
)

async function clientFor(connector: string, action: string, config: Config): Promise<Redis> {
  const RedisClass = await loadRedisClass(connector, action)
  const { idempotencyTtlSeconds: _ttl, ...connection } = config
  return clients.get(connection, () => {
    const tls = tlsOptions(config.tls)
    const options: RedisOptions = {
      ...(config.host !== undefined ? { host: config.host } : {}),
      ...(config.port !== undefined ? { port: config.port } : {}),
      ...(config.username !== undefined ? { username: config.username } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(config.db !== undefined ? { db: config.db } : {}),
      ...(tls !== undefined ? { tls } : {}),
      ...(config.keyPrefix !== undefined ? { keyPrefix: config.keyPrefix } : {}),
      ...(config.commandTimeoutMs !== undefined ? { commandTimeout: config.commandTimeoutMs } : {}),
      connectTimeout: config.connectTimeoutMs ?? 10_000,
      // Fail a command after one reconnection attempt instead of queueing it for long: the
      // engine's step retry policy decides what happens next.
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    }
    const client =
      config.url !== undefined ? new RedisClass(config.url, options) : new RedisClass(options)
    client.on('error', () => undefined)
    return client
  })
}
