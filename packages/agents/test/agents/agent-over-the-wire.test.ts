// The agent runtime end to end with a real provider: the official openai SDK against a local
// server speaking OpenAI's Chat Completions protocol (recorded responses, streaming included),
// as a durable workflow step.
import { createEngine, createWorkflow, type Engine } from '@tessera/core'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { agentStep, defineAgent, tool, type AgentEvent } from '../../src/index'
import { createOpenAI } from '../../src/providers/openai'
import { createOpenAIWireServer } from '../wire/openai-wire-server'

const server = await createOpenAIWireServer()
afterAll(() => server.close())
const engines: Engine[] = []
afterEach(async () => {
  server.reset()
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})

const openai = createOpenAI({ apiKey: 'sk-test', baseURL: server.url })
const lookupOrder = tool({
  description: 'Finds an order by id',
  input: z.object({ orderId: z.string() }),
  execute: ({ orderId }) => ({ orderId, status: 'shipped' }),
})

describe('an agent over the OpenAI wire protocol', () => {
  it('calls a tool, streams its answer, and prices the calls, inside a workflow step', async () => {
    server.reply(
      {
        type: 'answer',
        toolCalls: [{ id: 'call_1', name: 'lookup', input: { orderId: '7' } }],
        usage: { inputTokens: 100, outputTokens: 20 },
      },
      {
        type: 'answer',
        text: 'Order 7 has shipped.',
        usage: { inputTokens: 150, outputTokens: 8 },
      },
    )
    const agent = defineAgent({
      id: 'support',
      instructions: 'Answer questions about orders.',
      model: openai('gpt-4o-mini'),
      tools: { lookup: lookupOrder },
    })
    const events: AgentEvent[] = []
    const engine = createEngine()
    engines.push(engine)
    const workflow = createWorkflow({ id: 'support-wire', input: z.string() })
      .then(agentStep(agent, { onEvent: (event) => events.push(event) }))
      .commit()
    const run = await engine.start(workflow, 'Where is order 7?')
    expect(await run.result()).toBe('Order 7 has shipped.')

    expect(server.requests).toHaveLength(2)
    const first = server.requests[0]!.body
    expect(first.stream).toBe(true)
    expect(first.tools[0].function.name).toBe('lookup')
    const second = server.requests[1]!.body
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1' })
    expect(JSON.parse(second.messages.at(-1).content)).toEqual({ orderId: '7', status: 'shipped' })

    const text = events
      .filter((event) => event.type === 'text-delta')
      .map((event) => event.delta)
      .join('')
    expect(text).toBe('Order 7 has shipped.')
    const ends = events.filter((event) => event.type === 'model-call-end')
    expect(ends.map((event) => event.usage.inputTokens)).toEqual([100, 150])
    expect(
      ends.every((event) => event.provider === 'openai' && typeof event.costUsd === 'number'),
    ).toBe(true)
  })

  it('returns structured output through response_format', async () => {
    server.reply({ type: 'answer', json: { queue: 'shipping', reason: 'a parcel question' } })
    const triage = defineAgent({
      id: 'triage',
      instructions: 'Classify the ticket.',
      model: openai('gpt-4o-mini'),
      output: z.object({ queue: z.enum(['billing', 'shipping']), reason: z.string() }),
    })
    const { output } = await triage.generate('Where is my parcel?')
    expect(output).toEqual({ queue: 'shipping', reason: 'a parcel question' })
    expect(server.requests[0]!.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'triage' },
    })
  })
})
