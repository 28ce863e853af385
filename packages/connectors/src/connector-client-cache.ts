import { createHash } from 'node:crypto'

/**
 * Clients of a connector (pools, SDK clients) cached per resolved configuration. The key is a
 * SHA-256 of the configuration, so credentials never sit in a map key; `close()` disposes of
 * every client (the connectors' `close…()` functions call it so tests and hosts exit cleanly).
 *
 * @example
 * ```ts
 * const pools = createClientCache<pg.Pool>((pool) => pool.end())
 * const pool = pools.get(config, () => new pg.Pool(options))
 * ```
 */
export interface ClientCache<T> {
  get(config: unknown, create: () => T): T
  /** Forgets and disposes of the client of `config` (after a broken connection, an abort). */
  evict(config: unknown): Promise<void>
  close(): Promise<void>
  readonly size: number
}

/**
 * Creates a {@link ClientCache} whose clients `dispose` closes.
 *
 * @example
 * ```ts
 * const clients = createClientCache<S3Client>((client) => client.destroy())
 * ```
 */
export function createClientCache<T>(dispose: (client: T) => unknown): ClientCache<T> {
  const clients = new Map<string, T>()
  const keyOf = clientCacheKey
  return {
    get(config, create) {
      const key = keyOf(config)
      let client = clients.get(key)
      if (client === undefined) {
        client = create()
        clients.set(key, client)
      }
      return client
    },
    async evict(config) {
      const key = keyOf(config)
      const client = clients.get(key)
      if (client === undefined) return
      clients.delete(key)
      await Promise.resolve(dispose(client)).catch(() => undefined)
    },
    async close() {
      const all = [...clients.values()]
      clients.clear()
      await Promise.all(
        all.map((client) => Promise.resolve(dispose(client)).catch(() => undefined)),
      )
    },
    get size() {
      return clients.size
    },
  }
}

/**
 * The key of a client cache: a SHA-256 of the configuration as JSON with sorted keys (the same
 * configuration in another key order is the same client), so credentials never sit in a map key.
 */
export function clientCacheKey(config: unknown): string {
  return createHash('sha256').update(stableJson(config)).digest('base64url')
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  return JSON.stringify(value) ?? 'null'
}
