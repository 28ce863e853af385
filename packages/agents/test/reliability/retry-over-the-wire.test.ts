import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ModelCallError, type ModelStreamPart } from '@tessera/core'
import { withRetry, type ModelRetryEvent } from '../../src/reliability/with-retry'
import { withTimeout } from '../../src/reliability/with-timeout'
import { createManualClock } from '@tessera/core/testing'
import { createVendors, receivedRequests } from './vendors'

// Retries through the vendors' real SDKs against local servers speaking their wire protocols.
const { vendors, close } = await createVendors()
afterAll(close)
afterEach(() => vendors.forEach((vendor) => vendor.server.reset()))

const messages = [{ role: 'user' as const, content: 'Hello' }]

/** Records the waits of withRetry instead of sleeping. */
function recordingSleep() {
  const waits: number[] = []
  return { waits, sleep: async (ms: number) => void waits.push(ms) }
}

describe.each(vendors)('withRetry over the $name wire protocol', (vendor) => {
  it('waits as long as the Retry-After header of a 429 says, then gets the answer', async () => {
    vendor.server.reply(
      { type: 'error', status: 429, retryAfter: 7, message: 'Rate limit reached' },
      { type: 'answer', text: 'Hi after the wait' },
    )
    const { waits, sleep } = recordingSleep()
    const events: ModelRetryEvent[] = []
    const answer = await withRetry(vendor.model(), {
      sleep,
      onRetry: (event) => events.push(event),
    }).generate({ messages })
    expect(answer.content).toEqual([{ type: 'text', text: 'Hi after the wait' }])
    expect(vendor.server.requests).toHaveLength(2)
    expect(waits).toEqual([7000])
    expect(events[0]).toMatchObject({ fromRetryAfter: true, delayMs: 7000 })
    expect(events[0]!.error).toMatchObject({ failure: 'rate-limited', statusCode: 429 })
  })

  it('gives up at once on a Retry-After longer than maxRetryAfter', async () => {
    vendor.server.reply(
      { type: 'error', status: 429, retryAfter: 3600 },
      { type: 'answer', text: 'never asked' },
    )
    const { waits, sleep } = recordingSleep()
    const error = await withRetry(vendor.model(), { sleep, maxRetryAfter: '1m' })
      .generate({ messages })
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ failure: 'rate-limited', retryAfterMs: 3_600_000 })
    expect(vendor.server.requests).toHaveLength(1)
    expect(waits).toEqual([])
  })

  it('retries a 500 after the backoff, then gets the answer', async () => {
    vendor.server.reply({ type: 'error', status: 500 }, { type: 'answer', text: 'Recovered' })
    const { waits, sleep } = recordingSleep()
    const answer = await withRetry(vendor.model(), { sleep, jitter: false }).generate({
      messages,
    })
    expect(answer.content).toEqual([{ type: 'text', text: 'Recovered' }])
    expect(waits).toEqual([500])
    expect(vendor.server.requests).toHaveLength(2)
  })

  it('retries a malformed answer', async () => {
    vendor.server.reply({ type: 'malformed' }, { type: 'answer', text: 'Well-formed' })
    const { sleep } = recordingSleep()
    const answer = await withRetry(vendor.model(), { sleep }).generate({ messages })
    expect(answer.content).toEqual([{ type: 'text', text: 'Well-formed' }])
  })

  it('retries a stream refused with 429 before its first part', async () => {
    vendor.server.reply(
      { type: 'error', status: 429, retryAfter: 1 },
      { type: 'answer', text: 'Streamed after the wait' },
    )
    const { waits, sleep } = recordingSleep()
    const parts: ModelStreamPart[] = []
    for await (const part of withRetry(vendor.model(), { sleep }).stream({ messages })) {
      parts.push(part)
    }
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []))
    expect(text.join('')).toBe('Streamed after the wait')
    expect(waits).toEqual([1000])
  })

  it('times out a hanging server with withTimeout, and the retry gets the answer', async () => {
    vendor.server.reply({ type: 'hang' }, { type: 'answer', text: 'Answered in time' })
    const clock = createManualClock()
    const { waits, sleep } = recordingSleep()
    const model = withRetry(withTimeout(vendor.model(), '30s', { clock }), { sleep })
    const call = model.generate({ messages })
    await receivedRequests(vendor.server, 1)
    clock.advance(30_000)
    const answer = await call
    expect(answer.content).toEqual([{ type: 'text', text: 'Answered in time' }])
    expect(vendor.server.requests).toHaveLength(2)
    expect(waits).toHaveLength(1)
  })

  it('fails a hanging call with a retryable timeout error when no retry is left', async () => {
    vendor.server.reply({ type: 'hang' })
    const clock = createManualClock()
    const call = withTimeout(vendor.model(), '30s', { clock }).generate({ messages })
    await receivedRequests(vendor.server, 1)
    clock.advance(30_000)
    const error = await call.catch((caught: unknown) => caught)
    expect(ModelCallError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ failure: 'timeout', retryable: true, provider: vendor.name })
  })
})
