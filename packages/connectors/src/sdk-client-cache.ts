import { clientCacheKey } from './connector-client-cache'

/**
 * SDK clients made asynchronously (a connection to open, an SDK to import) and shared per
 * resolved configuration, keyed by `clientCacheKey` as the synchronous client cache is (so
 * credentials never sit in a map key); a client whose creation failed is forgotten, so the next
 * call tries again.
 *
 * @example
 * ```ts
 * const clients: SdkClientCache<ChannelModel> = createSdkClientCache((connection) => connection.close())
 * ```
 */
export interface SdkClientCache<T> {
  /** The client of `config`, made by `create` on first use. */
  get(config: unknown, create: () => Promise<T>): Promise<T>
  /** Forgets a client (after its connection broke) so the next call makes a new one. */
  forget(config: unknown): void
  /** Forgets every client and disposes of those that were made. */
  close(): Promise<void>
}

/**
 * Creates an {@link SdkClientCache} whose clients `dispose` ends (a no-op for clients that hold
 * no sockets of their own).
 *
 * @example
 * ```ts
 * const clients = createSdkClientCache<ChannelModel>((connection) => connection.close())
 * const connection = await clients.get(config, () => amqp.connect(config.url))
 * ```
 */
export function createSdkClientCache<T>(
  dispose: (client: T) => Promise<unknown> | unknown,
): SdkClientCache<T> {
  const clients = new Map<string, Promise<T>>()
  const keyOf = clientCacheKey
  return {
    get(config, create) {
      const key = keyOf(config)
      let client = clients.get(key)
      if (client === undefined) {
        client = create()
        clients.set(key, client)
        client.catch(() => {
          if (clients.get(key) === client) clients.delete(key)
        })
      }
      return client
    },
    forget(config) {
      clients.delete(keyOf(config))
    },
    async close() {
      const all = [...clients.values()]
      clients.clear()
      await Promise.allSettled(
        all.map(async (client) => {
          await dispose(await client)
        }),
      )
    },
  }
}
