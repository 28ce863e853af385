import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { ModelStreamPart } from '@tessera/core'
import { createResponseCache } from '../../src/cache/create-response-cache'
import { withCache } from '../../src/cache/with-cache'
import { withCost } from '../../src/pricing/with-cost'
import { createVendors } from './vendors'

const { vendors, close } = await createVendors()
afterAll(close)
afterEach(() => vendors.forEach((vendor) => vendor.server.reset()))

const request = { messages: [{ role: 'user' as const, content: 'Hello' }], temperature: 0 }

describe.each(vendors)('the response cache over the $name wire protocol', (vendor) => {
  it('serves an equal request from the cache: the server sees one request', async () => {
    vendor.server.reply({
      type: 'answer',
      text: 'Cached answer',
      usage: { inputTokens: 1000, outputTokens: 200 },
    })
    const model = withCache(withCost(vendor.model()), createResponseCache())
    const first = await model.generate(request)
    const second = await model.generate(request)
    expect(vendor.server.requests).toHaveLength(1)
    expect(first.costUsd).toBeGreaterThan(0)
    expect(second).toMatchObject({
      content: [{ type: 'text', text: 'Cached answer' }],
      cached: true,
      costUsd: 0,
    })
  })

  it('stores a streamed answer and replays it as deltas', async () => {
    vendor.server.reply({ type: 'answer', text: 'Streamed once, replayed later' })
    const model = withCache(vendor.model(), createResponseCache())
    const read = async () => {
      const parts: ModelStreamPart[] = []
      for await (const part of model.stream(request)) parts.push(part)
      return parts
    }
    await read()
    const replayed = await read()
    expect(vendor.server.requests).toHaveLength(1)
    const text = replayed.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []))
    expect(text.join('')).toBe('Streamed once, replayed later')
    expect(replayed.at(-1)).toMatchObject({ type: 'finish', response: { cached: true } })
  })
})
