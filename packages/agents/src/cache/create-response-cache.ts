import {
  InvalidArgumentError,
  parseDuration,
  systemClock,
  type Clock,
  type Duration,
  type ModelRequest,
  type ModelResponse,
} from '@tessera/core'
import { createLruStore } from './create-lru-store'
import { responseCacheKey } from './response-cache-key'

/** One stored answer. */
export interface CachedResponse {
  response: ModelResponse
  /** When it was stored, in ms since the epoch (the cache's clock). */
  storedAt: number
}

/**
 * Where a response cache keeps its answers: any key-value store. Values are plain JSON-safe
 * objects; `ttlMs` lets a store that can expire keys do so (the cache checks ages itself too).
 */
export interface ResponseCacheStore {
  get(key: string): CachedResponse | undefined | Promise<CachedResponse | undefined>
  set(key: string, entry: CachedResponse, options: { ttlMs?: number }): void | Promise<void>
  delete?(key: string): void | Promise<void>
}

/**
 * Which requests may be answered from the cache: `'temperature-zero'` (the default: requests
 * with `temperature: 0`, whose answer is meant to be repeatable), `'always'`, or a function.
 */
export type ResponseCacheRule = 'temperature-zero' | 'always' | ((request: ModelRequest) => boolean)

/** Settings of {@link createResponseCache}. */
export interface ResponseCacheSettings {
  /** Default: an in-memory LRU store of `maxEntries` answers ({@link createLruStore}). */
  store?: ResponseCacheStore
  /** Size of the default store. Default 1000. */
  maxEntries?: number
  /** How long an answer stays valid. Default: until the store drops it. */
  ttl?: Duration
  /** Which requests are cached. Default `'temperature-zero'`. */
  when?: ResponseCacheRule
  /**
   * Called when the store fails; the call then goes to the model as on a miss (a broken cache
   * never fails a call). Default: ignore.
   */
  onError?: (error: unknown) => void
  /** Injected for tests. Default: `Date.now`. */
  clock?: Pick<Clock, 'now'>
}

/** A response cache, used through {@link withCache}; one can serve many models. */
export interface ResponseCache {
  /** Whether answers to this request may be cached (the `when` rule). */
  accepts(request: ModelRequest): boolean
  /** The request's key (see {@link responseCacheKey}). */
  keyOf(model: { provider: string; modelId: string }, request: ModelRequest): Promise<string>
  /** The stored answer, if any and not expired. */
  get(key: string): Promise<ModelResponse | undefined>
  /** Stores an answer, if it is complete (finish reason `stop`, `tool-calls` or `length`). */
  set(key: string, response: ModelResponse): Promise<void>
}

/**
 * A cache of model answers for {@link withCache}. Only deterministic-worthy requests are cached:
 * by default those with `temperature: 0` (set `when: 'always'` or a function to choose
 * otherwise), and only complete answers (finish reason `stop`, `tool-calls` or `length`; never
 * `error`, `content-filter` or `other`). Keys hash the provider, model id and request
 * ({@link responseCacheKey}).
 *
 * @example
 * ```ts
 * const cache = createResponseCache({ ttl: '1h', maxEntries: 500 })
 * const model = withCache(openai('gpt-4o-mini'), cache)
 * ```
 */
export function createResponseCache(settings: ResponseCacheSettings = {}): ResponseCache {
  const fail = (argument: string, expected: string, received: unknown): never => {
    throw new InvalidArgumentError({ fn: 'createResponseCache', argument, expected, received })
  }
  if (typeof settings !== 'object' || settings === null) fail('settings', 'an object', settings)
  const { store = createLruStore(settings.maxEntries ?? 1000), when = 'temperature-zero' } =
    settings
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.get !== 'function' ||
    typeof store.set !== 'function'
  ) {
    fail('store', 'an object with get(key) and set(key, entry, options)', store)
  }
  if (when !== 'temperature-zero' && when !== 'always' && typeof when !== 'function') {
    fail('when', '"temperature-zero", "always" or a function of the request', when)
  }
  const ttlMs =
    settings.ttl === undefined ? undefined : parseDuration(settings.ttl, 'createResponseCache.ttl')
  const clock = settings.clock ?? systemClock
  const reportError = (error: unknown) => {
    try {
      settings.onError?.(error)
    } catch {
      // A failing error handler must not fail the call either.
    }
  }
  return {
    accepts(request) {
      if (when === 'always') return true
      if (when === 'temperature-zero') return request.temperature === 0
      return when(request) === true
    },
    keyOf: responseCacheKey,
    async get(key) {
      let entry: CachedResponse | undefined
      try {
        entry = await store.get(key)
      } catch (error) {
        reportError(error)
        return undefined
      }
      if (entry === undefined || entry === null) return undefined
      if (ttlMs !== undefined && clock.now() - entry.storedAt >= ttlMs) {
        try {
          await store.delete?.(key)
        } catch (error) {
          reportError(error)
        }
        return undefined
      }
      return structuredClone(entry.response)
    },
    async set(key, response) {
      if (!completeReasons.has(response.finishReason)) return
      // What describes this one call, not the answer, stays out: a hit is a new call.
      const { cached: _cached, fallbacks: _fallbacks, costUsd: _costUsd, ...answer } = response
      try {
        await store.set(
          key,
          { response: structuredClone(answer), storedAt: clock.now() },
          ttlMs === undefined ? {} : { ttlMs },
        )
      } catch (error) {
        reportError(error)
      }
    },
  }
}

const completeReasons = new Set<ModelResponse['finishReason']>(['stop', 'tool-calls', 'length'])
