import { describe, expect, it } from 'vitest'
import {
  TesseraError,
  type LanguageModelV1,
  type ModelRequest,
  type ModelStreamPart,
} from '@tessera/core'
import { createScriptedModel } from './create-scripted-model'
import { ScriptExhaustedError } from './script-exhausted-error'

const ask = (content: string): ModelRequest => ({ messages: [{ role: 'user', content }] })

async function collect(parts: AsyncIterable<ModelStreamPart>): Promise<ModelStreamPart[]> {
  const out: ModelStreamPart[] = []
  for await (const part of parts) out.push(part)
  return out
}

describe('createScriptedModel', () => {
  it('answers in script order through a LanguageModelV1-typed variable and records the calls', async () => {
    const model: LanguageModelV1 = createScriptedModel(['first answer', 'second answer'], {
      modelId: 'test-model',
    })
    expect(model.specificationVersion).toBe('v1')
    expect(model.provider).toBe('scripted')

    const first = await model.generate(ask('one'))
    const second = await model.generate(ask('two'))
    expect(first).toMatchObject({
      content: [{ type: 'text', text: 'first answer' }],
      finishReason: 'stop',
      modelId: 'test-model',
    })
    expect(second.content).toEqual([{ type: 'text', text: 'second answer' }])
    expect(first.usage.outputTokens).toBe(Math.ceil('first answer'.length / 4))
    expect(first.usage.inputTokens).toBe(1)
  })

  it('exposes every request it received, and what is left', async () => {
    const model = createScriptedModel(['a', 'b', 'c'])
    const request = { ...ask('hello'), temperature: 0.2 }
    await model.generate(request)
    await collect(model.stream(ask('again')))
    expect(model.calls).toHaveLength(2)
    expect(model.calls[0]).toBe(request)
    expect(model.calls[1]?.messages).toEqual([{ role: 'user', content: 'again' }])
    expect(model.remaining).toBe(1)
  })

  it('streams text deltas that join back to the text, then one finish part', async () => {
    const model = createScriptedModel(['Hello  brave new world'])
    const parts = await collect(model.stream(ask('hi')))
    const deltas = parts.filter((part) => part.type === 'text-delta').map((part) => part.delta)
    expect(deltas.length).toBeGreaterThan(1)
    expect(deltas.join('')).toBe('Hello  brave new world')
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      response: {
        content: [{ type: 'text', text: 'Hello  brave new world' }],
        finishReason: 'stop',
      },
    })
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1)
  })

  it('replies with tool calls, finish reason tool-calls, and streams them as deltas', async () => {
    const call = {
      type: 'tool-call' as const,
      toolCallId: 'c1',
      toolName: 'lookup',
      input: { id: 7 },
    }
    const model = createScriptedModel([
      { content: [call] },
      { content: [call], usage: { inputTokens: 3, outputTokens: 4 }, finishReason: 'length' },
    ])
    expect((await model.generate(ask('where is 7?'))).finishReason).toBe('tool-calls')
    const parts = await collect(model.stream(ask('where is 7?')))
    expect(parts[0]).toEqual({
      type: 'tool-call-delta',
      toolCallId: 'c1',
      toolName: 'lookup',
      inputDelta: '{"id":7}',
    })
    expect(parts[1]).toMatchObject({
      type: 'finish',
      response: { finishReason: 'length', usage: { inputTokens: 3, outputTokens: 4 } },
    })
  })

  it('rejects with a scripted Error', async () => {
    const model = createScriptedModel([new Error('rate limited'), 'ok'])
    await expect(model.generate(ask('x'))).rejects.toThrow('rate limited')
    await expect(model.generate(ask('x'))).resolves.toMatchObject({
      content: [{ type: 'text', text: 'ok' }],
    })
  })

  it('throws a script_exhausted TesseraError when the script runs out, from generate and from stream', async () => {
    const model = createScriptedModel(['only one'])
    await model.generate(ask('first'))
    const error = await model
      .generate(ask('what about a second question?'))
      .catch((caught: unknown) => caught)
    expect(TesseraError.isInstance(error)).toBe(true)
    expect(ScriptExhaustedError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'script_exhausted', callNumber: 2, scriptLength: 1 })
    expect((error as Error).message).toContain('received call 2 but its script has only 1 reply')
    expect((error as Error).message).toContain('what about a second question?')
    await expect(collect(model.stream(ask('third')))).rejects.toMatchObject({
      code: 'script_exhausted',
      callNumber: 3,
    })
    expect(model.calls).toHaveLength(3)
  })

  it('honours an aborted signal', async () => {
    const model = createScriptedModel(['never'])
    const controller = new AbortController()
    controller.abort(new Error('cancelled by test'))
    await expect(model.generate({ ...ask('x'), signal: controller.signal })).rejects.toThrow(
      'cancelled by test',
    )
  })

  it('rejects a malformed script with an invalid_argument error', () => {
    expect(() => createScriptedModel([42 as never])).toThrow(
      /script\[0\]" must be a string, an Error or an object/,
    )
    expect(() => createScriptedModel('hello' as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})
