import { describe, expect, it } from 'vitest'
import {
  FallbackExhaustedError,
  InvalidArgumentError,
  ModelCallError,
  PromptTooLongError,
  UnknownModelError,
  type LanguageModelV1,
  type ModelStreamPart,
} from '@tessera/core'
import { createPriceTable } from '../pricing/create-price-table'
import { createScriptedModel, type ScriptedReply } from '../scripted-model/create-scripted-model'
import { fallback, type FallbackEvent } from './fallback'

const messages = [{ role: 'user' as const, content: 'Hello' }]

const overloaded = (provider: string, modelId: string) =>
  new ModelCallError({
    provider,
    modelId,
    failure: 'server-error',
    message: 'overloaded',
    statusCode: 529,
  })

const model = (provider: string, modelId: string, script: ScriptedReply[], tools = true) =>
  createScriptedModel(script, {
    provider,
    modelId,
    capabilities: { tools, structuredOutput: tools, streaming: true },
  })

describe('fallback', () => {
  it('moves on after a retryable error and records the switch with its reason', async () => {
    const first = model('anthropic', 'claude-sonnet-4-5', [
      overloaded('anthropic', 'claude-sonnet-4-5'),
    ])
    const second = model('openai', 'gpt-4o', ['From OpenAI'])
    const events: FallbackEvent[] = []
    const chain = fallback([first, second], { onFallback: (event) => events.push(event) })
    const answer = await chain.generate({ messages })
    expect(answer.content).toEqual([{ type: 'text', text: 'From OpenAI' }])
    expect(answer.provider).toBe('openai')
    expect(answer.modelId).toBe('gpt-4o')
    expect(answer.fallbacks).toEqual([
      {
        provider: 'anthropic',
        modelId: 'claude-sonnet-4-5',
        reason: {
          code: 'model_call_failed',
          message: 'anthropic model "claude-sonnet-4-5": overloaded (HTTP 529)',
          retryable: true,
          details: expect.objectContaining({ failure: 'server-error', statusCode: 529 }),
        },
      },
    ])
    expect(events.map((event) => [event.from.modelId, event.to.modelId])).toEqual([
      ['claude-sonnet-4-5', 'gpt-4o'],
    ])
    expect(chain.provider).toBe('fallback')
  })

  it('reports no switch when the first model answers', async () => {
    const answer = await fallback([model('a', 'm', ['Hi']), model('b', 'n', [])]).generate({
      messages,
    })
    expect(answer.fallbacks).toEqual([])
    expect(answer.provider).toBe('a')
  })

  it('moves on from an unknown model', async () => {
    const answer = await fallback([
      model('openai', 'gpt-typo', [
        new UnknownModelError({ provider: 'openai', modelId: 'gpt-typo' }),
      ]),
      model('openai', 'gpt-4o', ['Hi']),
    ]).generate({ messages })
    expect(answer.fallbacks?.[0]?.reason.code).toBe('unknown_model')
  })

  it('throws an error that is not fallback-worthy as it came, without trying further', async () => {
    const denied = new ModelCallError({
      provider: 'openai',
      modelId: 'gpt-4o',
      failure: 'authentication',
      message: 'bad key',
      statusCode: 401,
    })
    const second = model('anthropic', 'claude', ['Hi'])
    await expect(
      fallback([model('openai', 'gpt-4o', [denied]), second]).generate({ messages }),
    ).rejects.toBe(denied)
    expect(second.calls).toHaveLength(0)
  })

  it('asks shouldFallback when given', async () => {
    const denied = new ModelCallError({
      provider: 'openai',
      modelId: 'gpt-4o',
      failure: 'authentication',
      message: 'bad key',
    })
    const answer = await fallback(
      [model('openai', 'gpt-4o', [denied]), model('anthropic', 'claude', ['Hi'])],
      { shouldFallback: () => true },
    ).generate({ messages })
    expect(answer.provider).toBe('anthropic')
  })

  it('throws FallbackExhaustedError with every attempt when all models fail', async () => {
    const last = overloaded('b', 'n')
    const error = await fallback([model('a', 'm', [overloaded('a', 'm')]), model('b', 'n', [last])])
      .generate({ messages })
      .catch((caught: unknown) => caught)
    expect(FallbackExhaustedError.isInstance(error)).toBe(true)
    const exhausted = error as FallbackExhaustedError
    expect(exhausted.attempts.map((attempt) => attempt.modelId)).toEqual(['m', 'n'])
    expect(exhausted.attempts[1]!.error.code).toBe('model_call_failed')
    expect(exhausted.cause).toBe(last)
    expect(exhausted.retryable).toBe(true)
  })

  it('never falls back after the caller aborted', async () => {
    const controller = new AbortController()
    const reason = new Error('user left')
    const first: LanguageModelV1 = {
      ...model('a', 'm', []),
      async generate() {
        controller.abort(reason)
        throw reason
      },
    }
    const second = model('b', 'n', ['Hi'])
    await expect(
      fallback([first, second]).generate({ messages, signal: controller.signal }),
    ).rejects.toBe(reason)
    expect(second.calls).toHaveLength(0)
  })

  it('skips models without a capability the request needs, and says so', async () => {
    const local = model('llama-cpp', 'qwen', ['never'], false)
    const remote = model('openai', 'gpt-4o', ['Hi'])
    const chain = fallback([local, remote])
    expect(chain.capabilities.tools).toBe(true)
    const answer = await chain.generate({
      messages,
      tools: [{ name: 'lookup', inputSchema: { type: 'object' } }],
    })
    expect(local.calls).toHaveLength(0)
    expect(answer.fallbacks?.[0]).toMatchObject({
      provider: 'llama-cpp',
      reason: { code: 'capability_missing', retryable: false },
    })
    // Without tools in the request, the local model answers.
    const plain = await fallback([model('llama-cpp', 'qwen', ['Local'], false), remote]).generate({
      messages,
    })
    expect(plain.provider).toBe('llama-cpp')
  })

  it('after a prompt too long, skips models whose window is no larger', async () => {
    const prices = createPriceTable(
      {
        'a:small': { input: 1, output: 1, contextWindow: 8000 },
        'b:same': { input: 1, output: 1, contextWindow: 8000 },
        'c:large': { input: 1, output: 1, contextWindow: 200_000 },
      },
      { base: false },
    )
    const tooLong = new PromptTooLongError({
      provider: 'a',
      modelId: 'small',
      tokens: 9000,
      limit: 8000,
    })
    const same = model('b', 'same', ['never'])
    const answer = await fallback(
      [model('a', 'small', [tooLong]), same, model('c', 'large', ['Fits'])],
      { prices },
    ).generate({ messages })
    expect(answer.provider).toBe('c')
    expect(same.calls).toHaveLength(0)
    expect(answer.fallbacks?.map((entry) => [entry.modelId, entry.reason.code])).toEqual([
      ['small', 'prompt_too_long'],
      ['same', 'prompt_too_long'],
    ])
  })

  it('falls back for a stream that failed before its first part', async () => {
    const chain = fallback([
      model('a', 'm', [overloaded('a', 'm')]),
      model('b', 'n', ['Hello there']),
    ])
    const parts: ModelStreamPart[] = []
    for await (const part of chain.stream({ messages })) parts.push(part)
    const finish = parts.at(-1)
    expect(finish).toMatchObject({ type: 'finish', response: { provider: 'b' } })
    expect(finish?.type === 'finish' && finish.response.fallbacks?.length).toBe(1)
  })

  it('does not fall back for a stream that failed after its first part', async () => {
    const cutOff: LanguageModelV1 = {
      ...model('a', 'm', []),
      async *stream() {
        yield { type: 'text-delta', delta: 'Hel' }
        throw overloaded('a', 'm')
      },
    }
    const second = model('b', 'n', ['Hi'])
    await expect(async () => {
      for await (const _part of fallback([cutOff, second]).stream({ messages })) {
        // read on
      }
    }).rejects.toThrow('overloaded')
    expect(second.calls).toHaveLength(0)
  })

  it('rejects an empty chain or something that is not a model', () => {
    expect(() => fallback([])).toThrow(InvalidArgumentError)
    expect(() => fallback([model('a', 'm', []), {} as never])).toThrow(/models\[1\]/)
  })
})
