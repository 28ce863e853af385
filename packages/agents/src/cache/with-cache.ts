import {
  InvalidArgumentError,
  type LanguageModelV1,
  type ModelRequest,
  type ModelResponse,
} from '@tessera/core'
import { assertLanguageModel } from '../reliability/assert-language-model'
import type { ResponseCache } from './create-response-cache'
import { replayResponse } from '../reliability/replay-response'
import { wrapLanguageModel } from '../reliability/wrap-language-model'

/**
 * Wraps a model with a response cache: a request the cache accepts (by default `temperature: 0`)
 * is answered from the cache when an equal request was answered before, without calling the
 * model; the answer then has `cached: true` and `costUsd: 0`. A stream served from the cache
 * replays the text as word-sized `text-delta` parts (and each tool call as one
 * `tool-call-delta`), then the `finish` part. A streamed answer is stored once it is complete.
 * Put it outermost, above retries and rate limits: a hit needs neither.
 *
 * @example
 * ```ts
 * const model = withCache(openai('gpt-4o-mini'), createResponseCache())
 * await model.generate({ messages, temperature: 0 }) // calls OpenAI
 * await model.generate({ messages, temperature: 0 }) // { …, cached: true }
 * ```
 */
export function withCache(model: LanguageModelV1, cache: ResponseCache): LanguageModelV1 {
  assertLanguageModel(model, 'withCache', 'model')
  if (
    typeof cache !== 'object' ||
    cache === null ||
    typeof cache.accepts !== 'function' ||
    typeof cache.get !== 'function'
  ) {
    throw new InvalidArgumentError({
      fn: 'withCache',
      argument: 'cache',
      expected: 'a ResponseCache from createResponseCache()',
      received: cache,
    })
  }
  /** The request's key, or undefined when it is not to be cached (or has no JSON form). */
  const keyOf = async (request: ModelRequest): Promise<string | undefined> => {
    if (!cache.accepts(request)) return undefined
    try {
      return await cache.keyOf(model, request)
    } catch {
      return undefined
    }
  }
  const hit = (response: ModelResponse): ModelResponse => ({
    ...response,
    cached: true,
    costUsd: 0,
  })
  return wrapLanguageModel(model, {
    async generate(request) {
      request.signal?.throwIfAborted()
      const key = await keyOf(request)
      if (key === undefined) return model.generate(request)
      const stored = await cache.get(key)
      if (stored !== undefined) return hit(stored)
      const response = await model.generate(request)
      await cache.set(key, response)
      return response
    },
    async *stream(request) {
      request.signal?.throwIfAborted()
      const key = await keyOf(request)
      if (key === undefined) {
        yield* model.stream(request)
        return
      }
      const stored = await cache.get(key)
      if (stored !== undefined) {
        yield* replayResponse(hit(stored), request.signal)
        return
      }
      for await (const part of model.stream(request)) {
        if (part.type === 'finish') await cache.set(key, part.response)
        yield part
      }
    },
  })
}
