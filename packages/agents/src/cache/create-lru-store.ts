import { InvalidArgumentError } from '@tessera/core'
import type { CachedResponse, ResponseCacheStore } from './create-response-cache'

/**
 * The default store of a response cache: an in-memory `Map` that keeps the `maxEntries` most
 * recently used answers and drops the least recently used one when full. Lives as long as the
 * process; pass your own store (Redis, a database) to share answers across processes.
 *
 * @example
 * ```ts
 * const cache = createResponseCache({ store: createLruStore(500) })
 * ```
 */
export function createLruStore(maxEntries = 1000): ResponseCacheStore {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new InvalidArgumentError({
      fn: 'createLruStore',
      argument: 'maxEntries',
      expected: 'an integer >= 1',
      received: maxEntries,
    })
  }
  const entries = new Map<string, CachedResponse>()
  return {
    get(key) {
      const entry = entries.get(key)
      if (entry !== undefined) {
        // Re-inserting moves the key to the end: Map keeps insertion order, oldest first.
        entries.delete(key)
        entries.set(key, entry)
      }
      return entry
    },
    set(key, entry) {
      entries.delete(key)
      entries.set(key, entry)
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    },
    delete(key) {
      entries.delete(key)
    },
  }
}
