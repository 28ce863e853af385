import { Redis } from 'ioredis'

/**
 * Connects to Redis at `url` once and pings it, with no retries: the probe of `requireService`
 * for the Redis tests. Rejects when the server is not there.
 *
 * @example
 * ```ts
 * const up = await requireService('Redis', url, () => pingRedis(url))
 * ```
 */
export async function pingRedis(url: string): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  probe.on('error', () => {})
  try {
    await probe.connect()
    await probe.ping()
  } finally {
    probe.disconnect()
  }
}
