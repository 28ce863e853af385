import { InvalidArgumentError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineAgent } from '../agent/define-agent'
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
    expect(() => agentAsTool({} as never)).toThrow(/an agent made by defineAgent/)
  })
})
