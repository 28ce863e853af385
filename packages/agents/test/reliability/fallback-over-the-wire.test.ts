import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { FallbackExhaustedError, type ModelStreamPart } from '@tessera/core'
import { fallback, type FallbackEvent } from '../../src/reliability/fallback'
import { reliable } from '../../src/reliability/reliable'
import { createVendors } from './vendors'

// Fallback chains across vendors, through their real SDKs and local wire servers.
const { vendors, close } = await createVendors()
afterAll(close)
afterEach(() => vendors.forEach((vendor) => vendor.server.reset()))
const [openai, anthropic, google] = vendors as [
  (typeof vendors)[number],
  (typeof vendors)[number],
  (typeof vendors)[number],
]

const messages = [{ role: 'user' as const, content: 'Hello' }]

describe('fallback over the wire', () => {
  it('moves from an overloaded Anthropic (529) to OpenAI, and records why', async () => {
    anthropic.server.reply({ type: 'error', status: 529, message: 'Overloaded' })
    openai.server.reply({ type: 'answer', text: 'OpenAI here' })
    const events: FallbackEvent[] = []
    const chain = fallback([anthropic.model(), openai.model()], {
      onFallback: (event) => events.push(event),
    })
    const answer = await chain.generate({ messages })
    expect(answer.content).toEqual([{ type: 'text', text: 'OpenAI here' }])
    expect(answer.provider).toBe('openai')
    expect(answer.modelId).toMatch(/^gpt-4o-mini/)
    expect(answer.fallbacks).toEqual([
      {
        provider: 'anthropic',
        modelId: 'claude-haiku-4-5',
        reason: expect.objectContaining({
          code: 'model_call_failed',
          retryable: true,
          details: expect.objectContaining({ failure: 'server-error', statusCode: 529 }),
        }),
      },
    ])
    expect(answer.fallbacks![0]!.reason.message).toContain('Overloaded')
    expect(events).toHaveLength(1)
    expect(anthropic.server.requests).toHaveLength(1)
    expect(openai.server.requests).toHaveLength(1)
  })

  it('falls back for a stream refused before its first part', async () => {
    anthropic.server.reply({ type: 'error', status: 529 })
    openai.server.reply({ type: 'answer', text: 'Streamed by OpenAI' })
    const parts: ModelStreamPart[] = []
    for await (const part of fallback([anthropic.model(), openai.model()]).stream({ messages })) {
      parts.push(part)
    }
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []))
    expect(text.join('')).toBe('Streamed by OpenAI')
    const finish = parts.at(-1)
    expect(finish?.type === 'finish' && finish.response.fallbacks?.[0]?.provider).toBe('anthropic')
  })

  it('moves on from a model the vendor does not know', async () => {
    openai.server.reply({ type: 'error', status: 404, errorType: 'model_not_found' })
    google.server.reply({ type: 'answer', text: 'Gemini here' })
    const answer = await fallback([openai.model(), google.model()]).generate({ messages })
    expect(answer.provider).toBe('google')
    expect(answer.fallbacks?.[0]?.reason.code).toBe('unknown_model')
  })

  it('moves from a prompt too long for one vendor to a model with a larger window', async () => {
    openai.server.reply({ type: 'error', status: 400, errorType: 'context_length_exceeded' })
    google.server.reply({ type: 'answer', text: 'A million tokens fit here' })
    const answer = await fallback([openai.model(), google.model()]).generate({ messages })
    expect(answer.provider).toBe('google')
    expect(answer.fallbacks?.[0]?.reason.code).toBe('prompt_too_long')
  })

  it('gives every attempt when all vendors fail, after each one retried on its own', async () => {
    anthropic.server.reply({ type: 'error', status: 529 }, { type: 'error', status: 529 })
    openai.server.reply({ type: 'error', status: 503 }, { type: 'error', status: 503 })
    const retry = { attempts: 2, sleep: async () => {} }
    const error = await fallback([
      reliable(anthropic.model(), { retry }),
      reliable(openai.model(), { retry }),
    ])
      .generate({ messages })
      .catch((caught: unknown) => caught)
    expect(FallbackExhaustedError.isInstance(error)).toBe(true)
    const attempts = (error as FallbackExhaustedError).attempts
    expect(
      attempts.map((attempt) => [attempt.provider, attempt.error.details?.statusCode]),
    ).toEqual([
      ['anthropic', 529],
      ['openai', 503],
    ])
    expect(anthropic.server.requests).toHaveLength(2)
    expect(openai.server.requests).toHaveLength(2)
  })
})
