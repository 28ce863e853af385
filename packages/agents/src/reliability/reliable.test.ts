import { describe, expect, it } from 'vitest'
import { ModelCallError } from '@tessera/core'
import { createResponseCache } from '../cache/create-response-cache'
import { createPriceTable } from '../pricing/create-price-table'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { createRateLimiter } from './create-rate-limiter'
import { reliable } from './reliable'

const request = { messages: [{ role: 'user' as const, content: 'Hello' }], temperature: 0 }
const busy = () =>
  new ModelCallError({
    provider: 'openai',
    modelId: 'gpt-4o-mini',
    failure: 'rate-limited',
    message: 'slow down',
    retryAfterMs: 5,
  })

describe('reliable', () => {
  it('retries, prices the answer, and serves the next equal request from the cache', async () => {
    const model = createScriptedModel(
      [
        busy(),
        {
          content: [{ type: 'text', text: 'Hi' }],
          usage: { inputTokens: 1000, outputTokens: 200 },
        },
      ],
      { provider: 'openai', modelId: 'gpt-4o-mini' },
    )
    const limiter = createRateLimiter({ concurrency: 1 })
    const waits: number[] = []
    const layered = reliable(model, {
      retry: { sleep: async (ms) => void waits.push(ms) },
      limiter,
      timeout: '10s',
      cache: createResponseCache(),
    })
    const first = await layered.generate(request)
    expect(first.costUsd).toBe(0.00027)
    expect(waits).toEqual([5])
    const second = await layered.generate(request)
    expect(second).toMatchObject({ cached: true, costUsd: 0 })
    expect(model.calls).toHaveLength(2)
    expect(limiter.running).toBe(0)
  })

  it('refuses a prompt too long for the window once, without retrying it', async () => {
    const model = createScriptedModel(['never'], { provider: 'p', modelId: 'tiny' })
    const prices = createPriceTable({ 'p:tiny': { input: 1, output: 1, contextWindow: 1 } })
    await expect(
      reliable(model, { prices, retry: { sleep: async () => {} } }).generate(request),
    ).rejects.toMatchObject({ code: 'prompt_too_long', estimated: true })
    expect(model.calls).toHaveLength(0)
  })

  it('leaves out the layers it is told to', async () => {
    const error = busy()
    const model = createScriptedModel([error, 'Hi'], { provider: 'openai', modelId: 'gpt-4o-mini' })
    await expect(reliable(model, { retry: false, prices: false }).generate(request)).rejects.toBe(
      error,
    )
    const answer = await reliable(model, { retry: false, prices: false }).generate(request)
    expect(answer.costUsd).toBeUndefined()
  })
})
