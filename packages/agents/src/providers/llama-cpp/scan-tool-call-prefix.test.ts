import { describe, expect, it } from 'vitest'
import { scanToolCallPrefix } from './scan-tool-call-prefix'

const tools = new Set(['get_weather', 'say "hi"'])

describe('scanToolCallPrefix', () => {
  it('waits while the text can still open a call', () => {
    for (const text of [
      '',
      '  ',
      '{',
      '{\n    "na',
      '{"name": "get_',
      '{"name":"get_weather" ,',
      '{"name": "get_weather", "input"',
    ]) {
      expect(scanToolCallPrefix(text, tools), JSON.stringify(text)).toEqual({ state: 'wait' })
    }
  })

  it('recognises a call once "input": is read, whatever the whitespace', () => {
    const text = '{\n    "name": "get_weather",\n    "input": {"city": "Oslo"'
    expect(scanToolCallPrefix(text, tools)).toEqual({
      state: 'match',
      name: 'get_weather',
      inputStart: text.indexOf('{"city"'),
    })
    expect(scanToolCallPrefix('{"name":"say \\"hi\\"","input":', tools)).toMatchObject({
      state: 'match',
      name: 'say "hi"',
    })
  })

  it('tells text, other JSON and unknown tools apart from calls', () => {
    for (const text of [
      'Sunny',
      '[1]',
      '{"city": "Oslo"}',
      '{"name": "lookup", "input": {}}',
      '{"name": "get_weather"}',
      '{"name": "get_weather", "args": {}}',
      '{"name": 3',
    ]) {
      expect(scanToolCallPrefix(text, tools), JSON.stringify(text)).toEqual({ state: 'no' })
    }
  })
})
