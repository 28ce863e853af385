import { describe, expect, it } from 'vitest'
import { PromptTooLongError } from '@tessera/core'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { checkPromptFits } from './check-prompt-fits'
import { createPriceTable } from './create-price-table'
import { estimatePromptTokens } from './estimate-prompt-tokens'
import { withContextCheck } from './with-context-check'
import { withCost } from './with-cost'

const usage = { inputTokens: 1000, outputTokens: 200 }

describe('withCost', () => {
  it('fills costUsd from the usage and the table, for generate and stream alike', async () => {
    const model = createScriptedModel(
      [
        { content: [{ type: 'text', text: 'Hi' }], usage },
        { content: [{ type: 'text', text: 'Hi' }], usage },
      ],
      { provider: 'openai', modelId: 'gpt-4o-mini' },
    )
    const priced = withCost(model)
    expect((await priced.generate({ messages: [] })).costUsd).toBe(0.00027)
    let finish
    for await (const part of priced.stream({ messages: [] })) {
      if (part.type === 'finish') finish = part.response
    }
    expect(finish).toMatchObject({ costUsd: 0.00027 })
  })

  it('leaves costUsd undefined for a model the table does not know', async () => {
    const model = createScriptedModel([{ content: [], usage }], { provider: 'llama-cpp' })
    expect((await withCost(model).generate({ messages: [] })).costUsd).toBeUndefined()
  })

  it('uses the given table', async () => {
    const model = createScriptedModel([{ content: [], usage }], { provider: 'local', modelId: 'm' })
    const table = createPriceTable({ 'local:m': { input: 1, output: 2 } })
    expect((await withCost(model, table).generate({ messages: [] })).costUsd).toBe(0.0014)
  })
})

describe('checkPromptFits and withContextCheck', () => {
  const table = createPriceTable({ 'small:tiny': { input: 1, output: 1, contextWindow: 10 } })
  const long = { messages: [{ role: 'user' as const, content: 'x'.repeat(80) }] }

  it('estimates about four characters per token across messages, tools and schemas', () => {
    expect(estimatePromptTokens({ messages: [{ role: 'user', content: 'Hello there' }] })).toBe(3)
    const withTool = estimatePromptTokens({
      messages: [{ role: 'user', content: 'abcd' }],
      tools: [{ name: 'find', inputSchema: { type: 'object' } }],
    })
    expect(withTool).toBe(Math.ceil((4 + 4 + '{"type":"object"}'.length) / 4))
  })

  it('refuses a prompt larger than the known window, as an estimate, before any call', async () => {
    const model = createScriptedModel(['never'], { provider: 'small', modelId: 'tiny' })
    const error = await withContextCheck(model, table)
      .generate(long)
      .catch((caught: unknown) => caught)
    expect(PromptTooLongError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ estimated: true, tokens: 20, limit: 10 })
    expect(model.calls).toHaveLength(0)
  })

  it('lets prompts through when the window is unknown or the prompt fits', async () => {
    expect(checkPromptFits({ provider: 'small', modelId: 'other' }, long, table)).toBe(20)
    const model = createScriptedModel(['fine'], { provider: 'small', modelId: 'tiny' })
    const answer = await withContextCheck(model, table).generate({
      messages: [{ role: 'user', content: 'short' }],
    })
    expect(answer.content).toEqual([{ type: 'text', text: 'fine' }])
  })

  it('uses maxInputTokens before the context window', () => {
    const capped = createPriceTable({
      'p:m': { input: 1, output: 1, contextWindow: 100, maxInputTokens: 10 },
    })
    expect(() => checkPromptFits({ provider: 'p', modelId: 'm' }, long, capped)).toThrow(
      /about 20 tokens, the limit is 10/,
    )
  })
})
