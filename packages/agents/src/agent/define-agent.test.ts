import {
  InvalidArgumentError,
  NonRetryableError,
  StructuredOutputError,
  ValidationError,
  type ContentPart,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createPriceTable } from '../pricing/create-price-table'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { tool } from '../tools/tool'
import type { AgentEvent } from './agent-event'
import { defineAgent } from './define-agent'
import { MaxStepsExceededError } from './max-steps-exceeded-error'
import { ToolApprovalRequiredError } from './tool-approval-required-error'

const call = (toolName: string, input: unknown, toolCallId = `call-${toolName}`) => ({
  content: [{ type: 'tool-call' as const, toolCallId, toolName, input }],
})

const lookupOrder = (log: unknown[] = []) =>
  tool({
    description: 'Finds an order by id',
    input: z.object({ orderId: z.string() }),
    output: z.object({ orderId: z.string(), status: z.string() }),
    execute: ({ orderId }) => {
      log.push(orderId)
      return { orderId, status: 'shipped' }
    },
  })

describe('defineAgent: text answers', () => {
  it('sends the instructions and the input, and returns the answer with usage and messages', async () => {
    const model = createScriptedModel([
      {
        content: [{ type: 'text', text: 'Hello, Ada.' }],
        usage: { inputTokens: 12, outputTokens: 4 },
      },
    ])
    const agent = defineAgent({
      id: 'greeter',
      instructions: (name) => `Greet ${name} warmly.`,
      model,
      temperature: 0.2,
    })
    const result = await agent.generate('Ada')
    expect(result.output).toBe('Hello, Ada.')
    expect(result.usage).toEqual({ inputTokens: 12, outputTokens: 4 })
    expect(result.steps).toHaveLength(1)
    expect(result.messages).toEqual([
      { role: 'user', content: 'Ada' },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello, Ada.' }] },
    ])
    expect(model.calls).toHaveLength(1)
    expect(model.calls[0]!.messages).toEqual([
      { role: 'system', content: 'Greet Ada warmly.' },
      { role: 'user', content: 'Ada' },
    ])
    expect(model.calls[0]!.temperature).toBe(0.2)
    expect(model.calls[0]!.tools).toBeUndefined()
    expect(model.calls[0]!.responseFormat).toBeUndefined()
  })

  it('implements the AgentV1 port: run(context) resolves to the output', async () => {
    const agent = defineAgent({
      id: 'echo',
      instructions: 'Echo.',
      model: createScriptedModel(['hi']),
    })
    expect(agent.kind).toBe('agent')
    expect(agent.specificationVersion).toBe('v1')
    const output = await agent.run({
      input: 'hi',
      signal: new AbortController().signal,
      idempotencyKey: 'k',
      logger: {
        debug() {},
        info() {},
        warn() {},
        error() {},
        child() {
          return this
        },
      },
    })
    expect(output).toBe('hi')
  })

  it('formats a non-string input as JSON, or with prompt()', async () => {
    const model = createScriptedModel(['a', 'b'])
    const input = z.object({ city: z.string() })
    const plain = defineAgent({ id: 'plain', instructions: 'Weather.', model, input })
    await plain.generate({ city: 'Oslo' })
    expect(model.calls[0]!.messages[1]).toEqual({ role: 'user', content: '{"city":"Oslo"}' })
    const worded = defineAgent({
      id: 'worded',
      instructions: 'Weather.',
      model,
      input,
      prompt: ({ city }) => `Weather in ${city}?`,
    })
    await worded.generate({ city: 'Oslo' })
    expect(model.calls[1]!.messages[1]).toEqual({ role: 'user', content: 'Weather in Oslo?' })
  })

  it('rejects input that does not match the schema with a ValidationError naming the agent', async () => {
    const model = createScriptedModel(['never'])
    const agent = defineAgent({
      id: 'typed',
      instructions: 'x',
      model,
      input: z.object({ n: z.number() }),
    })
    const error = await agent.generate({ n: 'one' } as never).catch((caught: unknown) => caught)
    expect(ValidationError.isInstance(error)).toBe(true)
    expect((error as ValidationError).message).toMatch(
      /^Agent "typed" received invalid input at "n"/,
    )
    expect(model.calls).toHaveLength(0)
  })
})

describe('defineAgent: settings', () => {
  it('throws InvalidArgumentError for settings it cannot use', () => {
    const model = createScriptedModel([])
    const attempt = (settings: Record<string, unknown>) => () =>
      defineAgent({ id: 'a', instructions: 'x', model, ...settings } as never)
    expect(attempt({ id: '' })).toThrow(InvalidArgumentError)
    expect(attempt({ model: {} })).toThrow(/LanguageModelV1/)
    expect(attempt({ instructions: 3 })).toThrow(InvalidArgumentError)
    expect(attempt({ maxSteps: 0 })).toThrow(/maxSteps/)
    expect(attempt({ repairAttempts: -1 })).toThrow(/repairAttempts/)
    expect(attempt({ tools: { 'bad name': lookupOrder() } })).toThrow(/tools key/)
    expect(attempt({ tools: { lookup: { execute() {} } } })).toThrow(/tools\.lookup/)
    expect(attempt({ memory: { store: {} } })).toThrow(/memory\.store/)
  })

  it('refuses tools for a model without tool calling, and structured output without support', () => {
    const noTools = createScriptedModel([], { capabilities: { tools: false } })
    expect(() =>
      defineAgent({ id: 'a', instructions: 'x', model: noTools, tools: { lookup: lookupOrder() } }),
    ).toThrow(/a model that can call tools, for tools "lookup"/)
    const noJson = createScriptedModel([], { capabilities: { structuredOutput: false } })
    expect(() =>
      defineAgent({
        id: 'a',
        instructions: 'x',
        model: noJson,
        output: z.object({ a: z.string() }),
      }),
    ).toThrow(/structured output/)
    // A string output needs no structured output.
    expect(() =>
      defineAgent({ id: 'a', instructions: 'x', model: noJson, output: z.string().max(10) }),
    ).not.toThrow()
  })
})

describe('defineAgent: the tool loop', () => {
  it('runs the tools the model calls and sends their results back', async () => {
    const log: unknown[] = []
    const model = createScriptedModel([call('lookup', { orderId: '7' }), 'Order 7 has shipped.'])
    const agent = defineAgent({
      id: 'support',
      instructions: 'Answer questions about orders.',
      model,
      tools: { lookup: lookupOrder(log) },
    })
    const events: AgentEvent[] = []
    const result = await agent.generate('Where is order 7?', {
      onEvent: (event) => events.push(event),
    })
    expect(result.output).toBe('Order 7 has shipped.')
    expect(log).toEqual(['7'])
    expect(model.calls[0]!.tools).toEqual([
      {
        name: 'lookup',
        description: 'Finds an order by id',
        inputSchema: {
          type: 'object',
          properties: { orderId: { type: 'string' } },
          required: ['orderId'],
        },
      },
    ])
    expect(model.calls[1]!.messages.slice(2)).toEqual([
      { role: 'assistant', content: call('lookup', { orderId: '7' }).content },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call-lookup',
            toolName: 'lookup',
            output: { orderId: '7', status: 'shipped' },
          },
        ],
      },
    ])
    expect(result.steps.map((step) => step.toolCalls.length)).toEqual([1, 0])
    expect(result.steps[0]!.toolResults).toEqual([
      {
        toolCallId: 'call-lookup',
        toolName: 'lookup',
        output: { orderId: '7', status: 'shipped' },
        isError: false,
      },
    ])
    expect(events.map((event) => event.type)).toEqual([
      'model-call-start',
      'model-call-end',
      'tool-call',
      'tool-result',
      'model-call-start',
      'text-delta',
      'text-delta',
      'text-delta',
      'text-delta',
      'model-call-end',
      'agent-end',
    ])
    const end = events.find((event) => event.type === 'model-call-end')!
    expect(end).toMatchObject({
      agentId: 'support',
      path: ['support'],
      callNumber: 1,
      purpose: 'step',
      provider: 'scripted',
      modelId: 'scripted-model',
      finishReason: 'tool-calls',
      replayed: false,
      cached: false,
    })
    const agentEnd = events.at(-1)!
    expect(agentEnd).toMatchObject({
      type: 'agent-end',
      output: 'Order 7 has shipped.',
      modelCalls: 2,
    })
  })

  it('sends invalid tool input and unknown tools back to the model as error results', async () => {
    const log: unknown[] = []
    const model = createScriptedModel([
      call('lookup', { orderId: 7 }),
      call('cancel', { orderId: '7' }),
      call('lookup', { orderId: '7' }),
      'Shipped.',
    ])
    const agent = defineAgent({
      id: 'support',
      instructions: 'x',
      model,
      tools: { lookup: lookupOrder(log) },
    })
    const result = await agent.generate('Where is order 7?')
    expect(result.output).toBe('Shipped.')
    expect(log).toEqual(['7'])
    const [invalid, unknown] = [result.steps[0]!.toolResults[0]!, result.steps[1]!.toolResults[0]!]
    expect(invalid.isError).toBe(true)
    expect((invalid.output as { error: string }).error).toMatch(
      /^Invalid input for tool "lookup":\n- at "orderId": .*expected string/,
    )
    expect(unknown.isError).toBe(true)
    expect((unknown.output as { error: string }).error).toBe(
      'There is no tool named "cancel". Available tools: "lookup".',
    )
    const toolMessage = model.calls[1]!.messages.at(-1)!
    expect(toolMessage).toMatchObject({ role: 'tool', content: [{ isError: true }] })
  })

  it('turns a thrown error into an error result, unless the tool says throw or it is a NonRetryableError', async () => {
    const failing = (onError?: 'throw', error: Error = new Error('database is down')) =>
      tool({
        description: 'Fails',
        input: z.object({}),
        onError,
        execute: () => {
          throw error
        },
      })
    const recovering = createScriptedModel([call('check', {}), 'It failed, sorry.'])
    const soft = defineAgent({
      id: 'soft',
      instructions: 'x',
      model: recovering,
      tools: { check: failing() },
    })
    const result = await soft.generate('go')
    expect(result.output).toBe('It failed, sorry.')
    expect(result.steps[0]!.toolResults[0]).toMatchObject({
      isError: true,
      output: { error: 'database is down' },
    })

    const hard = defineAgent({
      id: 'hard',
      instructions: 'x',
      model: createScriptedModel([call('check', {}), 'unused']),
      tools: { check: failing('throw') },
    })
    await expect(hard.generate('go')).rejects.toThrow('database is down')

    const fatal = defineAgent({
      id: 'fatal',
      instructions: 'x',
      model: createScriptedModel([call('check', {}), 'unused']),
      tools: { check: failing(undefined, new NonRetryableError('account closed')) },
    })
    await expect(fatal.generate('go')).rejects.toThrow(NonRetryableError)
  })

  it('fails the run when a tool returns output its schema rejects (a bug in the tool)', async () => {
    const broken = tool({
      description: 'Broken',
      input: z.object({}),
      output: z.object({ total: z.number() }),
      execute: () => ({ total: 'ten' }) as never,
    })
    const agent = defineAgent({
      id: 'shop',
      instructions: 'x',
      model: createScriptedModel([call('sum', {}), 'unused']),
      tools: { sum: broken },
    })
    const error = await agent.generate('go').catch((caught: unknown) => caught)
    expect(ValidationError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(
      /^Tool "sum" of agent "shop" returned invalid output at "total"/,
    )
  })

  it('fails with MaxStepsExceededError when the model still calls tools after maxSteps calls', async () => {
    const model = createScriptedModel([
      call('lookup', { orderId: '1' }, 'c1'),
      call('lookup', { orderId: '2' }, 'c2'),
      'never reached',
    ])
    const log: unknown[] = []
    const agent = defineAgent({
      id: 'loop',
      instructions: 'x',
      model,
      maxSteps: 2,
      tools: { lookup: lookupOrder(log) },
    })
    const error = await agent.generate('go').catch((caught: unknown) => caught)
    expect(MaxStepsExceededError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ agentId: 'loop', maxSteps: 2, pendingTools: ['lookup'] })
    expect((error as Error).message).toContain('reached maxSteps (2)')
    expect(log).toEqual(['1'])
    expect(model.calls).toHaveLength(2)
  })

  it('gives each tool call its own idempotency key, and the conversation so far', async () => {
    const seen: { key: string; messages: number }[] = []
    const probe = tool({
      description: 'Probe',
      input: z.object({}),
      execute: (_input, context) => {
        seen.push({ key: context.idempotencyKey, messages: context.messages.length })
        return 'ok'
      },
    })
    const model = createScriptedModel([
      {
        content: [
          { type: 'tool-call', toolCallId: 'x', toolName: 'probe', input: {} },
          { type: 'tool-call', toolCallId: 'x', toolName: 'probe', input: {} },
        ],
      },
      'done',
    ])
    const agent = defineAgent({ id: 'probe', instructions: 'x', model, tools: { probe } })
    await agent.generate('go', { idempotencyKey: 'run-1' })
    expect(seen).toEqual([
      { key: 'run-1:tool:x', messages: 3 },
      { key: 'run-1:tool:x.2', messages: 3 },
    ])
  })

  it('wraps a non-object tool input as { input } for the model and unwraps it for the tool', async () => {
    const inputs: unknown[] = []
    const shout = tool({
      description: 'Shouts',
      input: z.string(),
      execute: (text) => {
        inputs.push(text)
        return text.toUpperCase()
      },
    })
    const model = createScriptedModel([call('shout', { input: 'hey' }), 'HEY'])
    const agent = defineAgent({ id: 'loud', instructions: 'x', model, tools: { shout } })
    await agent.generate('go')
    expect(inputs).toEqual(['hey'])
    expect(model.calls[0]!.tools![0]!.inputSchema).toEqual({
      type: 'object',
      properties: { input: { type: 'string' } },
      required: ['input'],
      additionalProperties: false,
    })
  })
})

describe('defineAgent: structured output', () => {
  const label = z.object({ queue: z.enum(['billing', 'shipping']), reason: z.string() })

  it('asks for JSON with the schema and returns the parsed value', async () => {
    const model = createScriptedModel(['```json\n{"queue":"billing","reason":"an invoice"}\n```'])
    const agent = defineAgent({ id: 'triage', instructions: 'Classify.', model, output: label })
    const { output } = await agent.generate('My invoice is wrong')
    expect(output).toEqual({ queue: 'billing', reason: 'an invoice' })
    expect(model.calls[0]!.responseFormat).toEqual({
      type: 'json',
      name: 'triage',
      schema: {
        type: 'object',
        properties: {
          queue: { type: 'string', enum: ['billing', 'shipping'] },
          reason: { type: 'string' },
        },
        required: ['queue', 'reason'],
      },
    })
  })

  it('repairs an invalid answer by showing the model its issues', async () => {
    const model = createScriptedModel([
      '{"queue":"sales"}',
      '{"queue":"shipping","reason":"a parcel"}',
    ])
    const events: AgentEvent[] = []
    const agent = defineAgent({ id: 'triage', instructions: 'Classify.', model, output: label })
    const { output, steps } = await agent.generate('Parcel?', {
      onEvent: (event) => events.push(event),
    })
    expect(output).toEqual({ queue: 'shipping', reason: 'a parcel' })
    expect(steps.map((step) => step.purpose)).toEqual(['step', 'repair'])
    const repair = model.calls[1]!.messages.at(-1)!
    expect(repair.role).toBe('user')
    expect(repair.content).toMatch(
      /did not match the required format:\n- at "queue": .*\n- at "reason": /,
    )
    expect(
      events
        .filter((event) => event.type === 'model-call-end')
        .map((event) => (event as { purpose: string }).purpose),
    ).toEqual(['step', 'repair'])
  })

  it('throws StructuredOutputError after the last repair', async () => {
    const model = createScriptedModel(['not json', '{"queue":1}', '{"queue":"x"}', 'unused'])
    const agent = defineAgent({ id: 'triage', instructions: 'Classify.', model, output: label })
    const error = await agent.generate('?').catch((caught: unknown) => caught)
    expect(StructuredOutputError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ attempts: 3, text: '{"queue":"x"}', provider: 'scripted' })
    expect(model.calls).toHaveLength(3)
    expect(model.calls[1]!.messages.at(-1)!.content).toMatch(/not valid JSON/)
  })

  it('repairs a text answer that fails a string schema too', async () => {
    const model = createScriptedModel(['far too long an answer', 'short'])
    const agent = defineAgent({
      id: 'terse',
      instructions: 'Be terse.',
      model,
      output: z.string().max(10),
      repairAttempts: 1,
    })
    expect((await agent.generate('?')).output).toBe('short')
    expect(model.calls[0]!.responseFormat).toBeUndefined()
  })
})

describe('defineAgent: tool approval outside workflows', () => {
  const refund = (log: unknown[]) =>
    tool({
      description: 'Refunds an order',
      input: z.object({ orderId: z.string(), amount: z.number() }),
      needsApproval: ({ amount }) => amount > 100,
      execute: (input, context) => {
        log.push({ input, data: context.approval?.data })
        return { refunded: true }
      },
    })

  it('throws ToolApprovalRequiredError when no approve function was given', async () => {
    const log: unknown[] = []
    const model = createScriptedModel([call('refund', { orderId: '7', amount: 500 }), 'unused'])
    const agent = defineAgent({
      id: 'cashier',
      instructions: 'x',
      model,
      tools: { refund: refund(log) },
    })
    const error = await agent.generate('Refund 7').catch((caught: unknown) => caught)
    expect(ToolApprovalRequiredError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      toolName: 'refund',
      toolCallId: 'call-refund',
      approvalId: 'approve:refund:call-refund',
    })
    expect((error as Error).message).toContain('generate(input, { approve')
    expect(log).toEqual([])
  })

  it('runs the tool without asking when needsApproval says no', async () => {
    const log: unknown[] = []
    const model = createScriptedModel([call('refund', { orderId: '7', amount: 5 }), 'Refunded.'])
    const agent = defineAgent({
      id: 'cashier',
      instructions: 'x',
      model,
      tools: { refund: refund(log) },
    })
    expect((await agent.generate('Refund 7')).output).toBe('Refunded.')
    expect(log).toHaveLength(1)
  })

  it('asks approve(), passes approved data to the tool, and tells the model about a rejection', async () => {
    const log: unknown[] = []
    const requests: unknown[] = []
    const model = createScriptedModel([
      call('refund', { orderId: '7', amount: 500 }, 'a'),
      call('refund', { orderId: '8', amount: 900 }, 'b'),
      'One refund went through.',
    ])
    const agent = defineAgent({
      id: 'cashier',
      instructions: 'x',
      model,
      tools: { refund: refund(log) },
    })
    const events: AgentEvent[] = []
    const result = await agent.generate('Refund 7 and 8', {
      onEvent: (event) => events.push(event),
      approve: (request) => {
        requests.push(request)
        return request.toolCallId === 'a'
          ? { approved: true, data: { note: 'ok' }, by: 'ana', at: 1 }
          : { approved: false, reason: 'too much', by: 'ana', at: 2 }
      },
    })
    expect(result.output).toBe('One refund went through.')
    expect(log).toEqual([{ input: { orderId: '7', amount: 500 }, data: { note: 'ok' } }])
    expect(requests[0]).toEqual({
      agentId: 'cashier',
      toolName: 'refund',
      toolCallId: 'a',
      input: { orderId: '7', amount: 500 },
      approvalId: 'approve:refund:a',
    })
    expect(result.steps[1]!.toolResults[0]).toMatchObject({
      isError: true,
      output: {
        error: expect.stringMatching(/^The call to "refund" was rejected by ana: too much\./),
      },
    })
    expect(events.filter((event) => event.type.startsWith('tool-approval'))).toMatchObject([
      { type: 'tool-approval-request', approvalId: 'approve:refund:a' },
      { type: 'tool-approval-end', approved: true, by: 'ana' },
      { type: 'tool-approval-request', approvalId: 'approve:refund:b' },
      { type: 'tool-approval-end', approved: false, reason: 'too much' },
    ])
  })
})

describe('defineAgent: stream()', () => {
  it('yields text deltas and the other events, and resolves the result', async () => {
    const model = createScriptedModel(['The parcel left Oslo today.'])
    const agent = defineAgent({ id: 'tracker', instructions: 'x', model })
    const stream = agent.stream('Where?')
    let text = ''
    const types: string[] = []
    for await (const event of stream) {
      types.push(event.type)
      if (event.type === 'text-delta') text += event.delta
    }
    expect(text).toBe('The parcel left Oslo today.')
    expect(types[0]).toBe('model-call-start')
    expect(types.at(-1)).toBe('agent-end')
    expect((await stream.result).output).toBe('The parcel left Oslo today.')
  })

  it('ends the iteration with the run’s error', async () => {
    const agent = defineAgent({
      id: 'broken',
      instructions: 'x',
      model: createScriptedModel([new Error('vendor down')]),
    })
    const stream = agent.stream('?')
    const seen: string[] = []
    await expect(async () => {
      for await (const event of stream) seen.push(event.type)
    }).rejects.toThrow('vendor down')
    expect(seen).toEqual(['model-call-start'])
    await expect(stream.result).rejects.toThrow('vendor down')
  })

  it('cancels the run when the reader stops early', async () => {
    const model = createScriptedModel([call('slow', {}), 'unused'])
    let signal: AbortSignal | undefined
    const slow = tool({
      description: 'Slow',
      input: z.object({}),
      execute: async (_input, context) => {
        signal = context.signal
        await new Promise((resolve) => setTimeout(resolve, 5))
        return 'late'
      },
    })
    const agent = defineAgent({ id: 'slowpoke', instructions: 'x', model, tools: { slow } })
    const stream = agent.stream('?')
    for await (const event of stream) if (event.type === 'tool-call') break
    await expect(stream.result).rejects.toThrow(/closed before the run ended/)
    expect(signal?.aborted).toBe(true)
    expect(model.calls).toHaveLength(1)
  })
})

it('costs: sums usage and reported costs of every call', async () => {
  const replies: {
    content: ContentPart[]
    usage: { inputTokens: number; outputTokens: number }
  }[] = [
    { ...call('lookup', { orderId: '1' }), usage: { inputTokens: 10, outputTokens: 2 } },
    { content: [{ type: 'text', text: 'ok' }], usage: { inputTokens: 20, outputTokens: 3 } },
  ]
  const agent = defineAgent({
    id: 'sum',
    instructions: 'x',
    model: createScriptedModel(replies),
    tools: { lookup: lookupOrder() },
  })
  const result = await agent.generate('?')
  expect(result.usage).toEqual({ inputTokens: 30, outputTokens: 5 })
  expect(result.costUsd).toBeUndefined()
})

it('costs: prices calls with the price table when the response has no cost', async () => {
  const model = createScriptedModel(
    [
      {
        content: [{ type: 'text', text: 'ok' }],
        usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 },
      },
    ],
    { provider: 'acme', modelId: 'acme-1' },
  )
  const agent = defineAgent({
    id: 'priced',
    instructions: 'x',
    model,
    priceTable: createPriceTable({
      'acme:acme-1': { input: 2, output: 8, contextWindow: 100_000 },
    }),
  })
  const events: AgentEvent[] = []
  const result = await agent.generate('?', { onEvent: (event) => events.push(event) })
  expect(result.costUsd).toBe(10)
  expect(events.find((event) => event.type === 'model-call-end')).toMatchObject({ costUsd: 10 })
  expect(events.at(-1)).toMatchObject({ type: 'agent-end', costUsd: 10 })
})

describe('defineAgent: toolChoice', () => {
  it('a function chooses per call: force a first tool call, then let the model answer', async () => {
    const model = createScriptedModel([call('lookup', { orderId: 'A1' }), 'Order A1 has shipped.'])
    const seen: unknown[] = []
    const agent = defineAgent({
      id: 'forced-first',
      instructions: 'Answer about orders.',
      model,
      tools: { lookup: lookupOrder() },
      toolChoice: (context) => {
        seen.push(context)
        return context.toolCalls === 0 ? { type: 'tool', toolName: 'lookup' } : 'none'
      },
    })
    const result = await agent.generate('Where is A1?')
    expect(result.output).toBe('Order A1 has shipped.')
    expect(seen).toEqual([
      { step: 1, toolCalls: 0 },
      { step: 2, toolCalls: 1 },
    ])
    expect(model.calls.map((request) => request.toolChoice)).toEqual([
      { type: 'tool', toolName: 'lookup' },
      'none',
    ])
  })

  it('refuses a fixed choice naming a tool the agent does not have', () => {
    const model = createScriptedModel([])
    const attempt = () =>
      defineAgent({
        id: 'bad-choice',
        instructions: 'x',
        model,
        tools: { lookup: lookupOrder() },
        toolChoice: { type: 'tool', toolName: 'lookpu' },
      })
    expect(attempt).toThrow(InvalidArgumentError)
    expect(attempt).toThrow(/naming one of the agent's tools \("lookup"\)/)
  })
})
