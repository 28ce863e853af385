import { describe, expect, it } from 'vitest'
import { renderConversation, renderToolCall } from './render-conversation'

describe('renderConversation', () => {
  it('hoists system messages, merges turns of one role, and appends the instructions', () => {
    expect(
      renderConversation(
        [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Are you ' },
              { type: 'text', text: 'there?' },
            ],
          },
          { role: 'assistant', content: 'Yes.' },
          { role: 'system', content: 'Be kind.' },
          { role: 'user', content: 'Good.' },
        ],
        'Reply in JSON.',
      ),
    ).toEqual({
      system: 'Be brief.\n\nBe kind.\n\nReply in JSON.',
      turns: [
        { role: 'user', text: 'Hi\n\nAre you there?' },
        { role: 'assistant', text: 'Yes.' },
        { role: 'user', text: 'Good.' },
      ],
    })
  })

  it('writes tool calls as the model writes them and results as a user turn', () => {
    const { system, turns } = renderConversation([
      { role: 'user', content: 'Weather in Paris and Oslo?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking.' },
          {
            type: 'tool-call',
            toolCallId: 'c1',
            toolName: 'get_weather',
            input: { city: 'Paris' },
          },
          { type: 'tool-call', toolCallId: 'c2', toolName: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'c1',
            toolName: 'get_weather',
            output: { sky: 'sunny' },
          },
          {
            type: 'tool-result',
            toolCallId: 'c2',
            toolName: 'get_weather',
            output: 'no data',
            isError: true,
          },
        ],
      },
    ])
    expect(system).toBeUndefined()
    expect(turns).toEqual([
      { role: 'user', text: 'Weather in Paris and Oslo?' },
      {
        role: 'assistant',
        text: 'Looking.\n{"name": "get_weather", "input": {"city":"Paris"}}\n{"name": "get_weather", "input": {"city":"Oslo"}}',
      },
      {
        role: 'user',
        text: 'Tool result for get_weather (call c1): {"sky":"sunny"}\nTool error for get_weather (call c2): no data',
      },
    ])
  })

  it('renders a call without input as an empty object', () => {
    expect(renderToolCall('ping', undefined)).toBe('{"name": "ping", "input": {}}')
  })
})
