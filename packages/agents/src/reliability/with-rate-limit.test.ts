import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, type LanguageModelV1, type ModelResponse } from '@tessera/core'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { createRateLimiter } from './create-rate-limiter'
import { withRateLimit } from './with-rate-limit'

const messages = [{ role: 'user' as const, content: 'Hello' }]

/** A model whose calls stay open until the test finishes them, one by one. */
function heldModel() {
  const open: { finish: () => void; signal?: AbortSignal }[] = []
  let inFlight = 0
  let maxInFlight = 0
  const response: ModelResponse = {
    content: [{ type: 'text', text: 'ok' }],
    finishReason: 'stop',
    usage: { inputTokens: 1, outputTokens: 1 },
    modelId: 'held',
  }
  const model: LanguageModelV1 = {
    specificationVersion: 'v1',
    provider: 'test',
    modelId: 'held',
    capabilities: { tools: false, structuredOutput: false, streaming: true },
    generate(request) {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      return new Promise((resolve) => {
        open.push({
          signal: request.signal,
          finish: () => {
            inFlight--
            resolve(response)
          },
        })
      })
    },
    async *stream() {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        yield { type: 'text-delta', delta: 'ok' }
        await new Promise<void>((resolve) => open.push({ finish: resolve }))
        yield { type: 'finish', response }
      } finally {
        inFlight--
      }
    },
  }
  return {
    model,
    open,
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('createRateLimiter and withRateLimit', () => {
  it('lets at most `concurrency` calls run at once, across every model sharing the limiter', async () => {
    const held = heldModel()
    const limiter = createRateLimiter({ concurrency: 2 })
    const first = withRateLimit(held.model, limiter)
    const second = withRateLimit(held.model, limiter)
    const calls = [first, second, first, second, first].map((model) => model.generate({ messages }))
    await tick()
    expect(held.inFlight).toBe(2)
    expect(limiter.running).toBe(2)
    expect(limiter.waiting).toBe(3)
    while (held.open.length > 0) {
      held.open.shift()!.finish()
      await tick()
    }
    await Promise.all(calls)
    expect(held.maxInFlight).toBe(2)
    expect(limiter.running).toBe(0)
  })

  it('holds a slot for a stream until it ends', async () => {
    const held = heldModel()
    const limiter = createRateLimiter({ concurrency: 1 })
    const model = withRateLimit(held.model, limiter)
    const reader = model.stream({ messages })[Symbol.asyncIterator]()
    await reader.next() // the first delta: the stream holds the slot
    const waiting = model.generate({ messages })
    const finish = reader.next()
    await tick()
    expect(limiter.waiting).toBe(1)
    held.open.shift()!.finish()
    expect((await finish).value).toMatchObject({ type: 'finish' })
    expect(limiter.running).toBe(1)
    expect((await reader.next()).done).toBe(true)
    await tick()
    held.open.shift()!.finish()
    await expect(waiting).resolves.toMatchObject({ modelId: 'held' })
  })

  it('gives the slot back when the reader stops a stream early', async () => {
    const held = heldModel()
    const limiter = createRateLimiter({ concurrency: 1 })
    const model = withRateLimit(held.model, limiter)
    for await (const _part of model.stream({ messages })) break
    expect(limiter.running).toBe(0)
  })

  it('removes a call from the queue when its signal aborts, and never calls the model', async () => {
    const held = heldModel()
    const limiter = createRateLimiter({ concurrency: 1 })
    const model = withRateLimit(held.model, limiter)
    const running = model.generate({ messages })
    const controller = new AbortController()
    const queued = model.generate({ messages, signal: controller.signal })
    await tick()
    expect(limiter.waiting).toBe(1)
    controller.abort(new Error('no longer needed'))
    await expect(queued).rejects.toThrow('no longer needed')
    expect(limiter.waiting).toBe(0)
    held.open.shift()!.finish()
    await running
    expect(held.open).toHaveLength(0)
    expect(held.maxInFlight).toBe(1)
  })

  it('keeps the slot of a running call until the call itself ends, even after an abort', async () => {
    const held = heldModel()
    const limiter = createRateLimiter({ concurrency: 1 })
    const model = withRateLimit(held.model, limiter)
    const controller = new AbortController()
    const running = model.generate({ messages, signal: controller.signal })
    await tick()
    controller.abort(new Error('stop'))
    const next = model.generate({ messages })
    await tick()
    // The held model ignores the abort: the slot stays taken until it answers.
    expect(limiter.running).toBe(1)
    expect(held.inFlight).toBe(1)
    held.open.shift()!.finish()
    await running
    await tick()
    held.open.shift()!.finish()
    await next
    expect(held.maxInFlight).toBe(1)
  })

  it('starts at most requestsPerInterval calls in any window of interval', async () => {
    const model = createScriptedModel(['a', 'b', 'c', 'd'])
    const starts: number[] = []
    const limiter = createRateLimiter({ requestsPerInterval: 2, interval: '150ms' })
    const limited = withRateLimit(
      { ...model, generate: (request) => (starts.push(Date.now()), model.generate(request)) },
      limiter,
    )
    await Promise.all([1, 2, 3, 4].map(() => limited.generate({ messages })))
    // Calls 3 and 4 started a full window after calls 1 and 2 (timers never fire early).
    expect(starts[2]! - starts[0]!).toBeGreaterThanOrEqual(149)
    expect(starts[3]! - starts[1]!).toBeGreaterThanOrEqual(149)
  })

  it('runs other work in a slot with run()', async () => {
    const limiter = createRateLimiter({ concurrency: 1 })
    await expect(limiter.run(async () => 42)).resolves.toBe(42)
    expect(limiter.running).toBe(0)
  })

  it('rejects settings it cannot honour with a typed error', () => {
    expect(() => createRateLimiter({})).toThrow(InvalidArgumentError)
    expect(() => createRateLimiter({ concurrency: 0 })).toThrow(/concurrency/)
    expect(() => createRateLimiter({ requestsPerInterval: 5 })).toThrow(/interval/)
    expect(() => createRateLimiter({ interval: '1s' })).toThrow(/requestsPerInterval/)
    expect(() =>
      createRateLimiter({ requestsPerInterval: 5, interval: '1s', requestsPerMinute: 60 }),
    ).toThrow(/requestsPerMinute/)
    expect(() => createRateLimiter({ requestsPerMinute: -1 })).toThrow(/requestsPerMinute/)
    expect(() => withRateLimit(createScriptedModel([]), {} as never)).toThrow(/limiter/)
  })
})
