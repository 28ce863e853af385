import { ModelCallError, type ModelStreamPart } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { createAnswerAssembler, type AnswerMode } from './create-answer-assembler'

function assemble(mode: AnswerMode, pieces: string[], stopReason: 'stop' | 'length' = 'stop') {
  let next = 0
  const assembler = createAnswerAssembler({
    mode,
    toolNames: new Set(['get_weather']),
    generateId: () => `call_${++next}`,
    provider: 'llama-cpp',
    modelId: 'tiny',
  })
  const parts: ModelStreamPart[] = pieces.flatMap((piece) => assembler.push(piece))
  const end = assembler.finish(stopReason)
  return { parts: [...parts, ...end.parts], content: end.content, finishReason: end.finishReason }
}

const pieces = (text: string) => text.match(/.{1,3}/gs) ?? []

describe('createAnswerAssembler', () => {
  it('streams text without its surrounding whitespace', () => {
    const { parts, content, finishReason } = assemble('text', [
      '  ',
      '\nOnce',
      ' upon',
      ' \n',
      'a time',
      '\n\n',
    ])
    expect(parts).toEqual([
      { type: 'text-delta', delta: 'Once' },
      { type: 'text-delta', delta: ' upon' },
      { type: 'text-delta', delta: ' \na time' },
    ])
    expect(content).toEqual([{ type: 'text', text: 'Once upon \na time' }])
    expect(finishReason).toBe('stop')
  })

  it('an empty answer has no content', () => {
    expect(assemble('text', [' '], 'length')).toEqual({
      parts: [],
      content: [],
      finishReason: 'length',
    })
  })

  it('streams a tool call’s input as deltas that join to its JSON', () => {
    const raw = '{"name": "get_weather", "input": {"city": "Oslo", "where": {"x": 1}}}'
    for (const mode of ['tool', 'tool-or-text', 'tool-or-json'] as const) {
      const { parts, content, finishReason } = assemble(mode, pieces(raw))
      expect(parts.every((part) => part.type === 'tool-call-delta')).toBe(true)
      const joined = parts
        .map((part) => (part.type === 'tool-call-delta' ? part.inputDelta : ''))
        .join('')
      expect(joined).toBe('{"city": "Oslo", "where": {"x": 1}}')
      expect(parts[0]).toMatchObject({ toolCallId: 'call_1', toolName: 'get_weather' })
      expect(content).toEqual([
        {
          type: 'tool-call',
          toolCallId: 'call_1',
          toolName: 'get_weather',
          input: { city: 'Oslo', where: { x: 1 } },
        },
      ])
      expect(finishReason).toBe('tool-calls')
    }
  })

  it('with tool-or-text, text that does not open with { is text', () => {
    const { content, finishReason } = assemble(
      'tool-or-text',
      pieces(' Sunny {"name": "get_weather"}'),
    )
    expect(content).toEqual([{ type: 'text', text: 'Sunny {"name": "get_weather"}' }])
    expect(finishReason).toBe('stop')
  })

  it('with tool-or-json, JSON that is no call is the answer’s text', () => {
    const { parts, content } = assemble('tool-or-json', pieces('{"city": "Oslo"}'))
    expect(parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('')).toBe(
      '{"city": "Oslo"}',
    )
    expect(content).toEqual([{ type: 'text', text: '{"city": "Oslo"}' }])
  })

  it('a call cut off by the token limit fails with a ModelCallError that says so', () => {
    let error: unknown
    try {
      assemble('tool', pieces('{"name": "get_weather", "input": {"ci'), 'length')
    } catch (caught) {
      error = caught
    }
    expect(ModelCallError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ failure: 'other', modelId: 'tiny', retryable: false })
    expect((error as Error).message).toContain('maxOutputTokens')
  })

  it('a forced call that is not one is a malformed response', () => {
    let error: unknown
    try {
      assemble('tool', ['Sunny'])
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({ failure: 'malformed-response', retryable: true })
  })
})
