import {
  createEngine,
  createMemoryStore,
  createWorkflow,
  noopLogger,
  ValidationError,
  type Engine,
} from '@tessera/core'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { AgentEvent } from '../agent/agent-event'
import { agentStep } from '../agent/agent-step'
import { defineAgent } from '../agent/define-agent'
import { agentAsTool } from '../multi-agent/agent-as-tool'
import { handoff } from '../multi-agent/handoff'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { definePrebuiltAgent } from './define-prebuilt-agent'

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})

/** Shouts short inputs in code; asks an inner agent (twice) about long ones. */
function shouter(model: ReturnType<typeof createScriptedModel>) {
  const inner = defineAgent({ id: 'shouter.inner', model, instructions: 'Shout it.' })
  return definePrebuiltAgent({
    id: 'shouter',
    description: 'Shouts',
    model,
    input: z.string(),
    output: z.string().max(40),
    run: async (input, session) => {
      if (input.length < 5) return input.toUpperCase()
      const first = await session.call(inner, input, 'first:')
      const second = await session.call(inner, first, 'second:')
      return session.durable('tail', () => `${second}!`)
    },
  })
}

describe('definePrebuiltAgent', () => {
  it('runs code and inner agents, adding up their steps and usage, forwarding their events', async () => {
    const model = createScriptedModel([
      { content: [{ type: 'text', text: 'HELLO' }], usage: { inputTokens: 3, outputTokens: 1 } },
      {
        content: [{ type: 'text', text: 'HELLO THERE' }],
        usage: { inputTokens: 5, outputTokens: 2 },
      },
    ])
    const events: AgentEvent[] = []
    const result = await shouter(model).generate('hello there', {
      onEvent: (event) => events.push(event),
    })
    expect(result.output).toBe('HELLO THERE!')
    expect(result.usage).toEqual({ inputTokens: 8, outputTokens: 3 })
    expect(result.steps.map((step) => step.agentId)).toEqual(['shouter.inner', 'shouter.inner'])
    expect(result.messages.filter((message) => message.role === 'user')).toHaveLength(2)
    expect(events.filter((event) => event.type === 'model-call-end')).toHaveLength(2)
    expect(events.at(-1)).toMatchObject({
      type: 'agent-end',
      agentId: 'shouter',
      output: 'HELLO THERE!',
      modelCalls: 2,
    })
  })

  it('streams events and settles the result; run() serves the AgentV1 port', async () => {
    const model = createScriptedModel(['LONG INPUT', 'LONG INPUT'])
    const stream = shouter(model).stream('long input')
    const types: string[] = []
    for await (const event of stream) types.push(event.type)
    expect(await stream.result).toMatchObject({ output: 'LONG INPUT!' })
    expect(types.filter((type) => type === 'agent-end')).toHaveLength(3)
    expect(types.at(-1)).toBe('agent-end')

    const output = await shouter(createScriptedModel([])).run({
      input: 'hey',
      signal: new AbortController().signal,
      idempotencyKey: 'k1',
      logger: noopLogger,
    })
    expect(output).toBe('HEY')
  })

  it('validates input and output with typed errors', async () => {
    const agent = shouter(createScriptedModel(['x'.repeat(50), 'x'.repeat(50)]))
    const badInput = await agent.generate(7 as never).catch((caught: unknown) => caught)
    expect(ValidationError.isInstance(badInput)).toBe(true)
    expect((badInput as Error).message).toMatch(/^Agent "shouter" received invalid input/)
    const badOutput = await agent.generate('a long input').catch((caught: unknown) => caught)
    expect(ValidationError.isInstance(badOutput)).toBe(true)
    expect((badOutput as Error).message).toMatch(/^Agent "shouter" returned invalid output/)
  })

  it('in a workflow step, inner model calls and durable units are recorded under their segments', async () => {
    const model = createScriptedModel(['ONE', 'ONE TWO'])
    const engine = createEngine({ store: createMemoryStore() })
    engines.push(engine)
    const workflow = createWorkflow({ id: 'shout', input: z.string() })
      .then(agentStep(shouter(model)))
      .commit()
    const run = await engine.start(workflow, 'one two three')
    expect(await run.result()).toBe('ONE TWO!')
    const keys = (await run.steps()).map((step) => step.key).sort()
    expect(keys).toEqual([
      'shouter',
      'shouter~d:first:model:1',
      'shouter~d:second:model:1',
      'shouter~d:tail',
    ])
  })

  it('runs its own code under agentAsTool: in a step, its units nest under agent:<call id>:', async () => {
    const shouterModel = createScriptedModel([
      { content: [{ type: 'text', text: 'ONE' }], usage: { inputTokens: 3, outputTokens: 1 } },
      { content: [{ type: 'text', text: 'ONE TWO' }], usage: { inputTokens: 4, outputTokens: 2 } },
    ])
    const callerModel = createScriptedModel([
      {
        content: [
          { type: 'tool-call', toolCallId: 'c1', toolName: 'shout', input: { input: 'hey' } },
          {
            type: 'tool-call',
            toolCallId: 'c2',
            toolName: 'shout',
            input: { input: 'one two three' },
          },
        ],
        usage: { inputTokens: 10, outputTokens: 5 },
      },
      {
        content: [{ type: 'text', text: 'Shouted.' }],
        usage: { inputTokens: 20, outputTokens: 2 },
      },
    ])
    const caller = defineAgent({
      id: 'caller',
      instructions: 'Shout what you are given.',
      model: callerModel,
      tools: { shout: agentAsTool(shouter(shouterModel)) },
    })
    const events: AgentEvent[] = []
    const engine = createEngine({ store: createMemoryStore() })
    engines.push(engine)
    const workflow = createWorkflow({ id: 'shout-twice', input: z.string() })
      .then(agentStep(caller, { onEvent: (event) => events.push(event) }))
      .commit()
    const run = await engine.start(workflow, 'shout these')
    expect(await run.result()).toBe('Shouted.')

    // 'hey' is short: the code answers it without a model call, which a bare loop could not.
    const results = callerModel.calls[1]!.messages.at(-1)!.content
    expect(results).toMatchObject([
      { toolCallId: 'c1', output: 'HEY' },
      { toolCallId: 'c2', output: 'ONE TWO!' },
    ])
    expect(shouterModel.calls).toHaveLength(2)
    expect((await run.steps()).map((step) => step.key).sort()).toEqual([
      'caller',
      'caller~d:agent:c2:first:model:1',
      'caller~d:agent:c2:second:model:1',
      'caller~d:agent:c2:tail',
      'caller~d:model:1',
      'caller~d:model:2',
    ])
    // Its events come below the caller's path, and its tokens count in the caller's.
    const ends = events.filter((event) => event.type === 'agent-end')
    expect(ends.map((event) => event.path)).toEqual([
      ['caller', 'shouter'],
      ['caller', 'shouter', 'shouter.inner'],
      ['caller', 'shouter', 'shouter.inner'],
      ['caller', 'shouter'],
      ['caller'],
    ])
    expect(ends.at(-1)).toMatchObject({ usage: { inputTokens: 37, outputTokens: 10 } })
  })

  it('takes over a conversation through handoff, running its code on the caller’s input', async () => {
    const shouterModel = createScriptedModel([])
    const desk = defineAgent({
      id: 'desk',
      instructions: 'Hand loud requests to the shouter.',
      model: createScriptedModel([
        {
          content: [{ type: 'tool-call', toolCallId: 'h1', toolName: 'shouter', input: {} }],
        },
      ]),
      tools: { shouter: handoff(shouter(shouterModel)) },
    })
    const events: AgentEvent[] = []
    const result = await desk.generate('hey', { onEvent: (event) => events.push(event) })
    expect(result.output).toBe('HEY')
    expect(shouterModel.calls).toHaveLength(0)
    expect(events.find((event) => event.type === 'handoff-start')).toMatchObject({
      targetAgentId: 'shouter',
    })
    expect(events.filter((event) => event.type === 'agent-end').map((event) => event.path)).toEqual(
      [['desk', 'shouter'], ['desk']],
    )
  })
})
