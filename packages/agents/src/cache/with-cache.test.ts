import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, type ModelStreamPart } from '@tessera/core'
import { createManualClock } from '@tessera/core/testing'
import { withCost } from '../pricing/with-cost'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { canonicalJson } from './canonical-json'
import { createLruStore } from './create-lru-store'
import { createResponseCache, type ResponseCacheStore } from './create-response-cache'
import { responseCacheKey } from './response-cache-key'
import { withCache } from './with-cache'

const request = { messages: [{ role: 'user' as const, content: 'Hello' }], temperature: 0 }

async function collect(stream: AsyncIterable<ModelStreamPart>): Promise<ModelStreamPart[]> {
  const parts: ModelStreamPart[] = []
  for await (const part of stream) parts.push(part)
  return parts
}

describe('withCache', () => {
  it('answers an equal request from the cache, marked cached, without calling the model', async () => {
    const model = createScriptedModel(['Hi there'], { provider: 'openai', modelId: 'gpt-4o-mini' })
    const cached = withCache(withCost(model), createResponseCache())
    const first = await cached.generate(request)
    const second = await cached.generate({ ...request, signal: new AbortController().signal })
    expect(model.calls).toHaveLength(1)
    expect(first.cached).toBeUndefined()
    expect(first.costUsd).toBeGreaterThan(0)
    expect(second).toMatchObject({ content: first.content, cached: true, costUsd: 0 })
  })

  it('caches only requests with temperature 0 by default', async () => {
    const model = createScriptedModel(['a', 'b'])
    const cached = withCache(model, createResponseCache())
    await cached.generate({ ...request, temperature: 0.7 })
    await cached.generate({ ...request, temperature: 0.7 })
    expect(model.calls).toHaveLength(2)
  })

  it('follows the when rule', async () => {
    const model = createScriptedModel(['a', 'b'])
    const cached = withCache(model, createResponseCache({ when: 'always' }))
    await cached.generate({ messages: request.messages })
    expect((await cached.generate({ messages: request.messages })).cached).toBe(true)
    expect(model.calls).toHaveLength(1)
  })

  it('keeps different requests apart', async () => {
    const model = createScriptedModel(['a', 'b'])
    const cached = withCache(model, createResponseCache())
    await cached.generate(request)
    const other = await cached.generate({
      ...request,
      messages: [{ role: 'user', content: 'Bye' }],
    })
    expect(other.content).toEqual([{ type: 'text', text: 'b' }])
  })

  it('does not store incomplete answers', async () => {
    const model = createScriptedModel([
      { content: [{ type: 'text', text: 'cut' }], finishReason: 'error' },
      'whole',
    ])
    const cached = withCache(model, createResponseCache())
    await cached.generate(request)
    expect((await cached.generate(request)).content).toEqual([{ type: 'text', text: 'whole' }])
  })

  it('forgets answers older than ttl', async () => {
    const clock = createManualClock(1_000_000)
    const model = createScriptedModel(['old', 'new'])
    const cached = withCache(model, createResponseCache({ ttl: '1m', clock }))
    await cached.generate(request)
    clock.advance(59_999)
    expect((await cached.generate(request)).cached).toBe(true)
    clock.advance(1)
    expect((await cached.generate(request)).content).toEqual([{ type: 'text', text: 'new' }])
  })

  it('replays a cached answer as deltas when streamed, and stores streamed answers', async () => {
    const model = createScriptedModel([
      {
        content: [
          { type: 'text', text: 'Looking it up now' },
          { type: 'tool-call', toolCallId: 'c1', toolName: 'lookup', input: { id: 7 } },
        ],
      },
    ])
    const cached = withCache(model, createResponseCache())
    const live = await collect(cached.stream(request))
    const replayed = await collect(cached.stream(request))
    expect(model.calls).toHaveLength(1)
    expect(replayed.map((part) => part.type)).toEqual(live.map((part) => part.type))
    const text = replayed.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []))
    expect(text.join('')).toBe('Looking it up now')
    expect(text.length).toBeGreaterThan(1)
    expect(replayed.at(-1)).toMatchObject({ type: 'finish', response: { cached: true } })
  })

  it('treats a failing store as a miss and reports the error', async () => {
    const errors: unknown[] = []
    const broken: ResponseCacheStore = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => Promise.reject(new Error('redis down')),
    }
    const model = createScriptedModel(['a', 'b'])
    const cached = withCache(
      model,
      createResponseCache({ store: broken, onError: (error) => errors.push(error) }),
    )
    await cached.generate(request)
    await cached.generate(request)
    expect(model.calls).toHaveLength(2)
    expect(errors).toHaveLength(4)
  })

  it('rejects what is not a cache or a store', () => {
    expect(() => withCache(createScriptedModel([]), {} as never)).toThrow(InvalidArgumentError)
    expect(() => createResponseCache({ store: {} as never })).toThrow(/store/)
    expect(() => createResponseCache({ when: 'sometimes' as never })).toThrow(/when/)
  })
})

describe('cache keys and stores', () => {
  it('hashes provider, model and request, ignoring signal, headers and key order', async () => {
    const model = { provider: 'openai', modelId: 'gpt-4o' }
    const key = await responseCacheKey(model, { temperature: 0, messages: request.messages })
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(
      await responseCacheKey(model, {
        messages: request.messages,
        temperature: 0,
        headers: { 'x-trace': '1' },
        signal: new AbortController().signal,
      }),
    ).toBe(key)
    expect(await responseCacheKey({ ...model, modelId: 'gpt-4o-mini' }, request)).not.toBe(key)
    expect(await responseCacheKey(model, { ...request, seed: 1 })).not.toBe(key)
  })

  it('writes canonical JSON', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: 3 }] })).toBe(
      '{"a":[{"d":2,"e":3}],"b":1}',
    )
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => canonicalJson(cycle)).toThrow(TypeError)
  })

  it('evicts the least recently used entry', () => {
    const store = createLruStore(2)
    const entry = (text: string) => ({
      storedAt: 0,
      response: {
        content: [{ type: 'text' as const, text }],
        finishReason: 'stop' as const,
        usage: { inputTokens: 0, outputTokens: 0 },
        modelId: 'm',
      },
    })
    store.set('a', entry('a'), {})
    store.set('b', entry('b'), {})
    store.get('a')
    store.set('c', entry('c'), {})
    expect(store.get('b')).toBeUndefined()
    expect(store.get('a')).toBeDefined()
    expect(store.get('c')).toBeDefined()
    expect(() => createLruStore(0)).toThrow(InvalidArgumentError)
  })
})
