import { InvalidArgumentError, type ModelRequest, type ModelTool } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { planAnswer } from './plan-answer'

const weather: ModelTool = {
  name: 'get_weather',
  description: 'The forecast.',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}
const time: ModelTool = { name: 'get_time', inputSchema: { type: 'object', properties: {} } }
const trip = { type: 'object', properties: { days: { type: 'integer' } } }
const messages: ModelRequest['messages'] = [{ role: 'user', content: 'Hi' }]

const envelope = (tool: ModelTool, input: unknown) => ({
  type: 'object',
  properties: { name: { const: tool.name }, input },
  required: ['name', 'input'],
})

describe('planAnswer', () => {
  it('free text without tools or format', () => {
    expect(planAnswer({ messages }, 'llama-cpp')).toEqual({
      mode: 'text',
      toolNames: new Set(),
      instructions: undefined,
      grammarSchema: undefined,
    })
  })

  it('JSON for a response format, with the schema in the instructions', () => {
    const plan = planAnswer(
      { messages, responseFormat: { type: 'json', schema: trip } },
      'llama-cpp',
    )
    expect(plan.mode).toBe('json')
    expect(plan.grammarSchema).toEqual({
      type: 'object',
      properties: { days: { type: 'integer' } },
    })
    expect(plan.instructions).toContain(JSON.stringify(trip))
  })

  it('a tool call or text by default; tools are listed with their schemas', () => {
    const plan = planAnswer({ messages, tools: [weather, time] }, 'llama-cpp')
    expect(plan.mode).toBe('tool-or-text')
    expect(plan.toolNames).toEqual(new Set(['get_weather', 'get_time']))
    expect(plan.grammarSchema).toEqual({
      oneOf: [
        envelope(weather, weather.inputSchema),
        envelope(time, { type: 'object', properties: {} }),
      ],
    })
    expect(plan.instructions).toContain('- get_weather: The forecast.')
    expect(plan.instructions).toContain(JSON.stringify(weather.inputSchema))
    expect(plan.instructions).toContain('Otherwise reply in plain text.')
  })

  it('a call or the format’s JSON when both are asked for', () => {
    const plan = planAnswer(
      { messages, tools: [weather], responseFormat: { type: 'json', schema: trip } },
      'llama-cpp',
    )
    expect(plan.mode).toBe('tool-or-json')
    expect(plan.grammarSchema).toEqual({
      oneOf: [
        envelope(weather, weather.inputSchema),
        { type: 'object', properties: { days: { type: 'integer' } } },
      ],
    })
  })

  it('required: a call of any tool; a named tool: a call of that one only; none: no tools', () => {
    expect(
      planAnswer({ messages, tools: [weather, time], toolChoice: 'required' }, 'llama-cpp'),
    ).toMatchObject({
      mode: 'tool',
      toolNames: new Set(['get_weather', 'get_time']),
    })
    const named = planAnswer(
      { messages, tools: [weather, time], toolChoice: { type: 'tool', toolName: 'get_time' } },
      'llama-cpp',
    )
    expect(named).toMatchObject({ mode: 'tool', toolNames: new Set(['get_time']) })
    expect(named.grammarSchema).toEqual(envelope(time, { type: 'object', properties: {} }))
    expect(named.instructions).not.toContain('get_weather')
    expect(
      planAnswer({ messages, tools: [weather], toolChoice: 'none' }, 'llama-cpp'),
    ).toMatchObject({
      mode: 'text',
      instructions: undefined,
    })
  })

  it('rejects tools without a name or with the same name', () => {
    for (const tools of [[{ ...weather, name: '' }], [weather, weather]]) {
      let error: unknown
      try {
        planAnswer({ messages, tools }, 'llama-cpp')
      } catch (caught) {
        error = caught
      }
      expect(InvalidArgumentError.isInstance(error)).toBe(true)
    }
  })
})
