import { describe, expect, it } from 'vitest'
import {
  InvalidArgumentError,
  ModelCallError,
  UnknownModelError,
  type LanguageModelV1,
  type ModelStreamPart,
} from '@tessera/core'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { withRetry, type ModelRetryEvent } from './with-retry'

const messages = [{ role: 'user' as const, content: 'Hello' }]

const rateLimited = (retryAfterMs?: number) =>
  new ModelCallError({
    provider: 'scripted',
    modelId: 'scripted-model',
    failure: 'rate-limited',
    message: 'slow down',
    statusCode: 429,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  })
const serverError = () =>
  new ModelCallError({
    provider: 'scripted',
    modelId: 'scripted-model',
    failure: 'server-error',
    message: 'overloaded',
    statusCode: 503,
  })

/** Records the waits instead of sleeping. */
function recordingSleep() {
  const waits: number[] = []
  return {
    waits,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted()
      waits.push(ms)
    },
  }
}

async function collect(stream: AsyncIterable<ModelStreamPart>): Promise<ModelStreamPart[]> {
  const parts: ModelStreamPart[] = []
  for await (const part of stream) parts.push(part)
  return parts
}

describe('withRetry', () => {
  it('retries a retryable error and returns the answer that follows', async () => {
    const model = createScriptedModel([serverError(), 'Hi'])
    const { waits, sleep } = recordingSleep()
    const answer = await withRetry(model, { sleep, jitter: false }).generate({ messages })
    expect(answer.content).toEqual([{ type: 'text', text: 'Hi' }])
    expect(model.calls).toHaveLength(2)
    expect(waits).toEqual([500])
  })

  it('waits for Retry-After when the provider sent it, not the backoff', async () => {
    const model = createScriptedModel([rateLimited(7000), 'Hi'])
    const { waits, sleep } = recordingSleep()
    const events: ModelRetryEvent[] = []
    await withRetry(model, { sleep, onRetry: (event) => events.push(event) }).generate({
      messages,
    })
    expect(waits).toEqual([7000])
    expect(events).toMatchObject([{ attempt: 1, delayMs: 7000, fromRetryAfter: true }])
  })

  it('gives up at once when Retry-After is longer than maxRetryAfter', async () => {
    const error = rateLimited(120_000)
    const model = createScriptedModel([error, 'Hi'])
    const { waits, sleep } = recordingSleep()
    await expect(
      withRetry(model, { sleep, maxRetryAfter: '60s' }).generate({ messages }),
    ).rejects.toBe(error)
    expect(model.calls).toHaveLength(1)
    expect(waits).toEqual([])
  })

  it('backs off exponentially up to maxDelay, and throws the last error after the last attempt', async () => {
    const last = serverError()
    const model = createScriptedModel([serverError(), serverError(), serverError(), last])
    const { waits, sleep } = recordingSleep()
    const retrying = withRetry(model, {
      attempts: 4,
      initialDelay: '1s',
      maxDelay: '3s',
      jitter: false,
      sleep,
    })
    await expect(retrying.generate({ messages })).rejects.toBe(last)
    expect(waits).toEqual([1000, 2000, 3000])
    expect(model.calls).toHaveLength(4)
  })

  it('jitters each wait within [delay / 2, delay]', async () => {
    const model = createScriptedModel([serverError(), serverError(), 'Hi'])
    const { waits, sleep } = recordingSleep()
    const randoms = [0, 0.999]
    await withRetry(model, { sleep, random: () => randoms.shift()! }).generate({ messages })
    expect(waits).toEqual([250, 1000])
  })

  it('does not retry errors that are not retryable', async () => {
    const error = new UnknownModelError({ provider: 'scripted', modelId: 'nope' })
    const model = createScriptedModel([error, 'Hi'])
    const { waits, sleep } = recordingSleep()
    await expect(withRetry(model, { sleep }).generate({ messages })).rejects.toBe(error)
    expect(waits).toEqual([])
  })

  it('asks shouldRetry instead of the default rule', async () => {
    const model = createScriptedModel([new Error('flaky socket'), 'Hi'])
    const { sleep } = recordingSleep()
    const answer = await withRetry(model, {
      sleep,
      shouldRetry: (error) => error instanceof Error && error.message === 'flaky socket',
    }).generate({ messages })
    expect(answer.content).toEqual([{ type: 'text', text: 'Hi' }])
  })

  it('never retries once the caller aborted, and a wait ends at the abort', async () => {
    const controller = new AbortController()
    const model = createScriptedModel([serverError(), 'Hi'])
    // The wait never ends on its own: only the abort can end it.
    const sleep = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason)),
      )
    const call = withRetry(model, { sleep }).generate({ messages, signal: controller.signal })
    await Promise.resolve()
    controller.abort(new Error('user left'))
    await expect(call).rejects.toThrow('user left')
    expect(model.calls).toHaveLength(1)

    const aborted = new AbortController()
    aborted.abort(new Error('gone'))
    const second = createScriptedModel([serverError(), 'Hi'])
    await expect(
      withRetry(second, { sleep: recordingSleep().sleep }).generate({
        messages,
        signal: aborted.signal,
      }),
    ).rejects.toThrow('gone')
    expect(second.calls).toHaveLength(1)
  })

  it('retries a stream that failed before its first part', async () => {
    const model = createScriptedModel([rateLimited(10), 'Hello there'])
    const { waits, sleep } = recordingSleep()
    const parts = await collect(withRetry(model, { sleep }).stream({ messages }))
    expect(parts.map((part) => part.type)).toEqual(['text-delta', 'text-delta', 'finish'])
    expect(waits).toEqual([10])
  })

  it('does not retry a stream that failed after its first part', async () => {
    let calls = 0
    const model: LanguageModelV1 = {
      specificationVersion: 'v1',
      provider: 'test',
      modelId: 'cut-off',
      capabilities: { tools: false, structuredOutput: false, streaming: true },
      generate: () => Promise.reject(new Error('unused')),
      async *stream() {
        calls++
        yield { type: 'text-delta', delta: 'Hel' }
        throw serverError()
      },
    }
    const { sleep } = recordingSleep()
    const seen: string[] = []
    await expect(async () => {
      for await (const part of withRetry(model, { sleep }).stream({ messages })) {
        if (part.type === 'text-delta') seen.push(part.delta)
      }
    }).rejects.toThrow('overloaded')
    expect(seen).toEqual(['Hel'])
    expect(calls).toBe(1)
  })

  it('closes the underlying stream when the reader stops early', async () => {
    let closed = false
    const model: LanguageModelV1 = {
      ...createScriptedModel([]),
      async *stream() {
        try {
          yield { type: 'text-delta', delta: 'a' }
          yield { type: 'text-delta', delta: 'b' }
        } finally {
          closed = true
        }
      },
    }
    for await (const _part of withRetry(model).stream({ messages })) break
    expect(closed).toBe(true)
  })

  it('keeps the model identity and rejects bad options with a typed error', () => {
    const model = createScriptedModel([], { provider: 'p', modelId: 'm' })
    const retrying = withRetry(model)
    expect([retrying.provider, retrying.modelId]).toEqual(['p', 'm'])
    expect(() => withRetry(model, { attempts: 0 })).toThrow(InvalidArgumentError)
    expect(() => withRetry(model, { initialDelay: 'soon' as never })).toThrow(/initialDelay/)
    expect(() => withRetry({} as never)).toThrow(/withRetry: "model" must be a LanguageModelV1/)
  })
})
