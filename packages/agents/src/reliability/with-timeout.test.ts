import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, ModelCallError, type LanguageModelV1 } from '@tessera/core'
import { createManualClock } from '@tessera/core/testing'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { withTimeout } from './with-timeout'

const messages = [{ role: 'user' as const, content: 'Hello' }]

/** A model that never answers on its own, and records the signals it was given. */
function silentModel(options: { honoursAbort: boolean; firstDelta?: boolean }) {
  const signals: AbortSignal[] = []
  const waitForAbort = (signal: AbortSignal | undefined) =>
    new Promise<never>((_resolve, reject) => {
      if (options.honoursAbort) signal?.addEventListener('abort', () => reject(signal.reason))
    })
  const model: LanguageModelV1 = {
    specificationVersion: 'v1',
    provider: 'test',
    modelId: 'silent',
    capabilities: { tools: false, structuredOutput: false, streaming: true },
    generate(request) {
      signals.push(request.signal!)
      return waitForAbort(request.signal)
    },
    async *stream(request) {
      signals.push(request.signal!)
      if (options.firstDelta) yield { type: 'text-delta', delta: 'Hel' }
      await waitForAbort(request.signal)
    },
  }
  return { model, signals }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('withTimeout', () => {
  it('fails a silent call with a retryable timeout error and aborts the model', async () => {
    const clock = createManualClock()
    const { model, signals } = silentModel({ honoursAbort: true })
    const call = withTimeout(model, '2s', { clock }).generate({ messages })
    clock.advance(1999)
    await flush()
    expect(signals[0]!.aborted).toBe(false)
    clock.advance(1)
    const error = await call.catch((caught: unknown) => caught)
    expect(ModelCallError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ failure: 'timeout', retryable: true, provider: 'test' })
    expect(signals[0]!.aborted).toBe(true)
  })

  it('fails at the deadline even when the model ignores its signal', async () => {
    const clock = createManualClock()
    const { model } = silentModel({ honoursAbort: false })
    const call = withTimeout(model, 1000, { clock }).generate({ messages })
    clock.advance(1000)
    await expect(call).rejects.toMatchObject({ code: 'model_call_failed', failure: 'timeout' })
  })

  it('passes the caller abort through with its own reason', async () => {
    const clock = createManualClock()
    const { model } = silentModel({ honoursAbort: true })
    const controller = new AbortController()
    const call = withTimeout(model, '1m', { clock }).generate({
      messages,
      signal: controller.signal,
    })
    controller.abort(new Error('user cancelled'))
    await expect(call).rejects.toThrow('user cancelled')
    expect(clock.pending()).toEqual([])
  })

  it('clears its timer once the answer came', async () => {
    const clock = createManualClock()
    const answer = await withTimeout(createScriptedModel(['Hi']), '5s', { clock }).generate({
      messages,
    })
    expect(answer.content).toEqual([{ type: 'text', text: 'Hi' }])
    expect(clock.pending()).toEqual([])
  })

  it('times out a stream that stalls after its first part', async () => {
    const clock = createManualClock()
    const { model, signals } = silentModel({ honoursAbort: false, firstDelta: true })
    const reader = withTimeout(model, '3s', { clock }).stream({ messages })[Symbol.asyncIterator]()
    expect((await reader.next()).value).toEqual({ type: 'text-delta', delta: 'Hel' })
    const next = reader.next()
    clock.advance(3000)
    await expect(next).rejects.toMatchObject({ failure: 'timeout' })
    expect(signals[0]!.aborted).toBe(true)
  })

  it('lets a stream that finishes in time through untouched', async () => {
    const clock = createManualClock()
    const parts = []
    for await (const part of withTimeout(createScriptedModel(['Hello there']), '3s', {
      clock,
    }).stream({ messages })) {
      parts.push(part)
    }
    expect(parts.map((part) => part.type)).toEqual(['text-delta', 'text-delta', 'finish'])
    expect(clock.pending()).toEqual([])
  })

  it('rejects a timeout that is not a positive duration', () => {
    const model = createScriptedModel([])
    expect(() => withTimeout(model, 0)).toThrow(InvalidArgumentError)
    expect(() => withTimeout(model, 'later' as never)).toThrow(/timeout/)
  })
})
