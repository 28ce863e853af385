import { describe, expect, it } from 'vitest'
import { ValidationError, noopLogger, type TriggerContext } from '@tessera/core'
import { decideMessageWithRetry, sleepUnlessAborted } from './consumer-trigger'

type StartRun = TriggerContext['startRun']

/** A context whose startRun answers from `results` in turn (an Error is thrown). */
function contextAnswering(results: (Error | { runId: string; created: boolean })[]) {
  const calls: { input: unknown; idempotencyKey: string | undefined }[] = []
  const startRun = (async (input: unknown, options?: { idempotencyKey?: string }) => {
    calls.push({ input, idempotencyKey: options?.idempotencyKey })
    const next = results.shift()
    if (next === undefined || next instanceof Error) throw next ?? new Error('no more answers')
    return next
  }) as unknown as StartRun
  return { context: { startRun, logger: noopLogger }, calls }
}

describe('decideMessageWithRetry', () => {
  it('retries while the start fails, doubling the wait, then acknowledges', async () => {
    const { context, calls } = contextAnswering([
      new Error('store down'),
      new Error('store down'),
      { runId: 'run-1', created: true },
    ])
    const waits: number[] = []
    const outcome = await decideMessageWithRetry(
      context,
      new AbortController().signal,
      () => ({ order: 1 }),
      () => 'key-1',
      { retryDelayMs: 1, onRetry: (_error, inMs) => waits.push(inMs) },
    )
    expect(outcome).toEqual({ kind: 'ack', runId: 'run-1', created: true })
    expect(waits).toEqual([1, 2])
    expect(calls).toEqual([
      { input: { order: 1 }, idempotencyKey: 'key-1' },
      { input: { order: 1 }, idempotencyKey: 'key-1' },
      { input: { order: 1 }, idempotencyKey: 'key-1' },
    ])
  })

  it('returns an invalid message at once, without a retry', async () => {
    const refused = new ValidationError({ target: 'input', issues: [] })
    const { context, calls } = contextAnswering([refused])
    const retries: unknown[] = []
    const outcome = await decideMessageWithRetry(
      context,
      new AbortController().signal,
      () => 'bad',
      () => 'key-2',
      { onRetry: (error) => retries.push(error) },
    )
    expect(outcome).toEqual({ kind: 'invalid', error: refused })
    expect(retries).toEqual([])
    expect(calls).toHaveLength(1)
  })

  it('gives up (undefined) when the consumer stops during a wait', async () => {
    const { context, calls } = contextAnswering([
      new Error('store down'),
      { runId: 'r', created: true },
    ])
    const stopping = new AbortController()
    const outcome = await decideMessageWithRetry(
      context,
      stopping.signal,
      () => null,
      () => 'key-3',
      // A wait of an hour that the abort ends.
      { retryDelayMs: 3_600_000, onRetry: () => stopping.abort() },
    )
    expect(outcome).toBeUndefined()
    expect(calls).toHaveLength(1)
  })
})

describe('sleepUnlessAborted', () => {
  it('resolves at once on an aborted signal, and when the signal aborts', async () => {
    const aborted = AbortSignal.abort()
    await expect(sleepUnlessAborted(3_600_000, aborted)).resolves.toBeUndefined()
    const controller = new AbortController()
    const sleeping = sleepUnlessAborted(3_600_000, controller.signal)
    controller.abort()
    await expect(sleeping).resolves.toBeUndefined()
  })

  it('resolves after the delay when nothing aborts', async () => {
    const controller = new AbortController()
    await expect(sleepUnlessAborted(1, controller.signal)).resolves.toBeUndefined()
    expect(controller.signal.aborted).toBe(false)
  })
})
