import {
  createEngine,
  createMemoryStore,
  createWorkflow,
  InvalidArgumentError,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { agentStep } from '../agent/agent-step'
import { defineAgent, type Agent, type AgentGenerateOptions } from '../agent/define-agent'
import type { ToolApprovalRequest } from '../runtime/agent-execution'
import type { AgentEvent } from '../agent/agent-event'
import { createScriptedModel, type ScriptedReply } from '../scripted-model/create-scripted-model'
import { agentAsTool } from './agent-as-tool'

const call = (toolName: string, input: unknown, toolCallId: string): ScriptedReply => ({
  content: [{ type: 'tool-call', toolCallId, toolName, input }],
})

describe('agentAsTool', () => {
  it('runs the sub-agent with the model’s input and returns its output; usage adds up', async () => {
    const subModel = createScriptedModel([
      {
        content: [{ type: 'text', text: '{"celsius":21}' }],
        usage: { inputTokens: 5, outputTokens: 2 },
      },
    ])
    const weather = defineAgent({
      id: 'weather',
      description: 'Knows the weather of a city',
      instructions: 'Report the temperature.',
      model: subModel,
      input: z.object({ city: z.string() }),
      output: z.object({ celsius: z.number() }),
    })
    const mainModel = createScriptedModel([
      {
        ...(call('weather', { city: 'Oslo' }, 'w1') as object),
        usage: { inputTokens: 10, outputTokens: 1 },
      } as ScriptedReply,
      {
        content: [{ type: 'text', text: 'It is 21 °C in Oslo.' }],
        usage: { inputTokens: 20, outputTokens: 6 },
      },
    ])
    const planner = defineAgent({
      id: 'planner',
      instructions: 'Plan the day.',
      model: mainModel,
      tools: { weather: agentAsTool(weather) },
    })
    const events: AgentEvent[] = []
    const result = await planner.generate('Weather in Oslo?', {
      onEvent: (event) => events.push(event),
    })
    expect(result.output).toBe('It is 21 °C in Oslo.')
    expect(subModel.calls[0]!.messages[1]).toEqual({ role: 'user', content: '{"city":"Oslo"}' })
    expect(result.steps[0]!.toolResults[0]).toMatchObject({
      output: { celsius: 21 },
      isError: false,
    })
    expect(result.usage).toEqual({ inputTokens: 35, outputTokens: 9 })
    expect(mainModel.calls[0]!.tools![0]).toMatchObject({
      name: 'weather',
      description: 'Knows the weather of a city',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
    })
    const ends = events.filter((event) => event.type === 'agent-end')
    expect(ends.map((event) => event.path)).toEqual([['planner', 'weather'], ['planner']])
  })

  it('sends a sub-agent that cannot finish back to the caller as an error result', async () => {
    const stuck = defineAgent({
      id: 'stuck',
      description: 'Never finishes',
      instructions: 'x',
      model: createScriptedModel([call('self', {}, 's1')]),
      maxSteps: 1,
      tools: {
        self: agentAsTool(
          defineAgent({
            id: 'inner',
            description: 'inner',
            instructions: 'x',
            model: createScriptedModel([]),
          }),
        ),
      },
    })
    const caller = defineAgent({
      id: 'caller',
      instructions: 'x',
      model: createScriptedModel([call('stuck', { input: 'go' }, 'c1'), 'It could not finish.']),
      tools: { stuck: agentAsTool(stuck) },
    })
    const result = await caller.generate('go')
    expect(result.output).toBe('It could not finish.')
    expect(result.steps[0]!.toolResults[0]).toMatchObject({
      isError: true,
      output: { error: expect.stringContaining('Agent "stuck" reached maxSteps (1)') },
    })
  })

  it('needs a description', () => {
    const silent = defineAgent({ id: 'silent', instructions: 'x', model: createScriptedModel([]) })
    expect(() => agentAsTool(silent)).toThrow(InvalidArgumentError)
    expect(() => agentAsTool(silent, { description: 'Says nothing' })).not.toThrow()
    expect(() => agentAsTool({} as never)).toThrow(/an agent \(defineAgent\(\), a pre-built agent/)
    expect(() => agentAsTool({ kind: 'agent', id: 'x' } as never)).toThrow(InvalidArgumentError)
  })
})

/** An agent of one's own: no defineAgent loop, just generate(), which records what it reads. */
function thermometer(seen: AgentGenerateOptions[]): Agent<{ city: string }, { celsius: number }> {
  const agent: Agent<{ city: string }, { celsius: number }> = {
    specificationVersion: 'v1',
    kind: 'agent',
    id: 'thermometer',
    description: 'Reads the temperature of a city',
    input: z.object({ city: z.string() }),
    output: z.object({ celsius: z.number() }),
    model: createScriptedModel([]),
    tools: {},
    async generate(_input, options = {}) {
      seen.push(options)
      const read = () => ({ celsius: 21 })
      const output =
        options.context === undefined
          ? read()
          : await options.context.durable(`${options.scope ?? ''}read`, read)
      const usage = { inputTokens: 1, outputTokens: 1 }
      options.onEvent?.({
        type: 'agent-end',
        agentId: 'thermometer',
        path: ['thermometer'],
        output,
        usage,
        costUsd: 0.5,
        modelCalls: 0,
      })
      return { output, messages: [], usage, costUsd: 0.5, steps: [] }
    },
    stream: () => {
      throw new Error('not used')
    },
    run: async (context) => (await agent.generate(context.input)).output,
  }
  return agent
}

describe('agentAsTool with an agent of your own', () => {
  it('runs its generate() with the step’s context under agent:<call id>:; events, usage and cost add up', async () => {
    const seen: AgentGenerateOptions[] = []
    const planner = defineAgent({
      id: 'planner',
      instructions: 'Plan the day.',
      model: createScriptedModel([
        {
          ...(call('thermometer', { city: 'Oslo' }, 't1') as object),
          usage: { inputTokens: 10, outputTokens: 1 },
        } as ScriptedReply,
        { content: [{ type: 'text', text: 'Mild.' }], usage: { inputTokens: 20, outputTokens: 2 } },
      ]),
      tools: { thermometer: agentAsTool(thermometer(seen)) },
    })
    const events: AgentEvent[] = []
    const engine = createEngine({ store: createMemoryStore() })
    const workflow = createWorkflow({ id: 'day', input: z.string() })
      .then(agentStep(planner, { onEvent: (event) => events.push(event) }))
      .commit()
    try {
      const run = await engine.start(workflow, 'Plan my day in Oslo')
      expect(await run.result()).toBe('Mild.')
      expect(seen[0]).toMatchObject({ scope: 'agent:t1:' })
      expect((await run.steps()).map((step) => step.key).sort()).toEqual([
        'planner',
        'planner~d:agent:t1:read',
        'planner~d:model:1',
        'planner~d:model:2',
      ])
    } finally {
      await engine.close()
    }
    const ends = events.filter((event) => event.type === 'agent-end')
    expect(ends.map((event) => event.path)).toEqual([['planner', 'thermometer'], ['planner']])
    expect(ends.at(-1)).toMatchObject({
      usage: { inputTokens: 31, outputTokens: 4 },
      costUsd: 0.5,
    })
  })

  it('outside workflows, hands its approvals to the caller’s approve, named under its call', async () => {
    const seen: AgentGenerateOptions[] = []
    const planner = defineAgent({
      id: 'planner',
      instructions: 'Plan the day.',
      model: createScriptedModel([call('thermometer', { city: 'Oslo' }, 't1'), 'Mild.']),
      tools: { thermometer: agentAsTool(thermometer(seen)) },
    })
    const requests: ToolApprovalRequest[] = []
    await planner.generate('Plan', {
      idempotencyKey: 'day-1',
      approve: (request) => {
        requests.push(request)
        return true
      },
    })
    expect(seen[0]!.context).toBeUndefined()
    expect(seen[0]!.idempotencyKey).toBe('day-1:agent:t1:')
    const decision = await seen[0]!.approve!({
      agentId: 'thermometer',
      toolName: 'calibrate',
      toolCallId: 'k1',
      input: {},
      approvalId: 'approve:calibrate:k1',
    })
    expect(decision).toMatchObject({ approved: true })
    expect(requests).toMatchObject([{ approvalId: 'agent:t1:approve:calibrate:k1' }])
  })
})
