import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createAnthropic } from '../../src/providers/anthropic'
import { createGoogle } from '../../src/providers/google'
import { createOpenAI } from '../../src/providers/openai'
import { createOpenAICompatible } from '../../src/providers/openai-compatible'
import { createRateLimiter } from '../../src/reliability/create-rate-limiter'
import { withRateLimit } from '../../src/reliability/with-rate-limit'
import { createHoldingProxy } from './holding-proxy'
import { createVendors } from './vendors'

// Rate limits as a server sees them: the proxy in front of each wire server counts the requests
// in flight and holds them until the test lets them through.
const { vendors, close } = await createVendors()
afterAll(close)
afterEach(() => vendors.forEach((vendor) => vendor.server.reset()))

const messages = [{ role: 'user' as const, content: 'Hello' }]
const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

describe.each(vendors)('rate limits over the $name wire protocol', (vendor) => {
  it('lets the server see at most `concurrency` requests in flight', async () => {
    const proxy = await createHoldingProxy(vendor.server.url)
    try {
      vendor.server.reply(
        ...[1, 2, 3, 4, 5].map((n) => ({ type: 'answer' as const, text: `${n}` })),
      )
      const limiter = createRateLimiter({ concurrency: 2 })
      const model = withRateLimit(vendor.model(proxy.url), limiter)
      const calls = [1, 2, 3, 4, 5].map(() => model.generate({ messages }))
      for (let answered = 0; answered < 5; answered++) {
        const expected = Math.min(2, 5 - answered)
        while (proxy.held < expected) await settle()
        // Time for one more request to arrive, if the limiter let it through.
        await settle()
        expect(proxy.inFlight).toBe(expected)
        proxy.release(1)
      }
      const answers = await Promise.all(calls)
      expect(answers).toHaveLength(5)
      expect(proxy.maxInFlight).toBe(2)
      expect(vendor.server.requests).toHaveLength(5)
    } finally {
      await proxy.close()
    }
  })
})

describe('rate limits shared by a provider instance', () => {
  const openai = vendors[0]!

  it('starts at most requestsPerInterval requests in any window, as the server sees them', async () => {
    const proxy = await createHoldingProxy(openai.server.url)
    proxy.holding = false
    try {
      openai.server.reply(
        ...[1, 2, 3, 4, 5].map((n) => ({ type: 'answer' as const, text: `${n}` })),
      )
      const limiter = createRateLimiter({ requestsPerInterval: 2, interval: '400ms' })
      const provider = createOpenAI({ apiKey: 'sk-test', baseURL: proxy.url })
      // Two models of one provider share the limiter.
      const mini = withRateLimit(provider('gpt-4o-mini'), limiter)
      const big = withRateLimit(provider('gpt-4o'), limiter)
      await Promise.all([mini, big, mini, big, mini].map((model) => model.generate({ messages })))
      const [a, b, c, d, e] = proxy.arrivals as [number, number, number, number, number]
      // Without the limiter all five arrive within milliseconds; with it, a third request only
      // a window after the first (less the time a first connection may take).
      expect(c - a).toBeGreaterThanOrEqual(300)
      expect(d - b).toBeGreaterThanOrEqual(300)
      expect(e - c).toBeGreaterThanOrEqual(300)
    } finally {
      await proxy.close()
    }
  })

  it.each([
    [
      'openai',
      'openai',
      (url: string) => createOpenAI({ apiKey: 'k', baseURL: url, limits: { concurrency: 1 } }),
    ],
    [
      'openai-compatible',
      'openai',
      (url: string) =>
        createOpenAICompatible({ name: 'local', baseURL: url, limits: { concurrency: 1 } }),
    ],
    [
      'anthropic',
      'anthropic',
      (url: string) => createAnthropic({ apiKey: 'k', baseURL: url, limits: { concurrency: 1 } }),
    ],
    [
      'google',
      'google',
      (url: string) => createGoogle({ apiKey: 'k', baseURL: url, limits: { concurrency: 1 } }),
    ],
  ] as const)(
    '%s: the limits setting makes one limiter for every model of the instance',
    async (_provider, wire, create) => {
      const vendor = vendors.find((candidate) => candidate.name === wire)!
      const proxy = await createHoldingProxy(vendor.server.url)
      try {
        vendor.server.reply({ type: 'answer', text: 'one' }, { type: 'answer', text: 'two' })
        const provider = create(proxy.url)
        const calls = [provider('model-a'), provider('model-b')].map((model) =>
          model.generate({ messages }),
        )
        while (proxy.held < 1) await settle()
        await settle()
        expect(proxy.inFlight).toBe(1)
        proxy.release(1)
        while (proxy.held < 1) await settle()
        proxy.release(1)
        await Promise.all(calls)
        expect(proxy.maxInFlight).toBe(1)
      } finally {
        await proxy.close()
      }
    },
  )
})
