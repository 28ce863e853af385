import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConflictError,
  NotFoundError,
  RunCancelledError,
  StepFailedError,
  StepTimeoutError,
  createStep,
  createWorkflow,
  type EngineEvent,
} from '../index'
import {
  deferred,
  fakeClock,
  flush,
  recordEvents,
  rejectionOf,
  until,
  useEngines,
} from '../../test/helpers'
import { inc, num } from '../../test/fixtures'

const newEngine = useEngines()

/** A step that waits for its signal to abort, recording the reason, then rethrows it. */
function waitsForAbort(
  id: string,
  options: { timeout?: number; retry?: object; succeedOnAttempt?: number } = {},
) {
  const reasons: unknown[] = []
  const started: number[] = []
  const step = createStep({
    id,
    input: num,
    output: num,
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    run: ({ input, signal, attempt }) => {
      started.push(attempt)
      if (attempt === options.succeedOnAttempt) return Promise.resolve({ n: input.n + 1 })
      return new Promise<{ n: number }>((_, reject) => {
        signal.addEventListener('abort', () => {
          reasons.push(signal.reason)
          reject(signal.reason)
        })
      })
    },
  })
  return { step, reasons, started }
}

describe('per-step timeout', () => {
  it('aborts the signal with StepTimeoutError and fails the run when no attempt is left', async () => {
    const clock = fakeClock()
    const { step, reasons } = waitsForAbort('slow', { timeout: 1000 })
    const wf = createWorkflow({ id: 'timing-out', input: num }).then(step).then(inc).commit()
    const engine = newEngine({ clock })
    const run = await engine.start(wf, { n: 0 })
    const starts: string[] = []
    run.on('step-start', (event) => starts.push(event.stepId))
    await until(() => starts.length === 1, 'the step to start')
    clock.advance(999)
    await flush()
    expect(reasons).toEqual([])
    clock.advance(1)
    const error = await rejectionOf(run.result())
    expect(reasons).toHaveLength(1)
    expect(StepTimeoutError.isInstance(reasons[0])).toBe(true)
    expect((reasons[0] as StepTimeoutError).message).toBe('Step "slow" timed out after 1000 ms')
    expect(StepFailedError.isInstance(error)).toBe(true)
    expect(StepTimeoutError.isInstance(error.cause)).toBe(true)
    expect(error.message).toBe(
      'Step "slow" in workflow "timing-out" failed after 1 attempt: Step "slow" timed out after 1000 ms',
    )
    expect(starts).toEqual(['slow'])
  })

  it('a step that ignores its signal still times out', async () => {
    const clock = fakeClock()
    const deaf = createStep({
      id: 'deaf',
      input: num,
      output: num,
      timeout: '2s',
      run: () => new Promise<never>(() => {}),
    })
    const engine = newEngine({ clock })
    const run = await engine.start(
      createWorkflow({ id: 'deaf-wf', input: num }).then(deaf).commit(),
      { n: 0 },
    )
    const starts: EngineEvent[] = []
    run.on('step-start', (event) => starts.push(event))
    await until(() => starts.length === 1, 'the step to start')
    clock.advance(2000)
    expect((await rejectionOf(run.result())).cause.code).toBe('step_timeout')
  })

  it('a timed-out attempt is retried when attempts remain', async () => {
    const clock = fakeClock()
    const { step, started } = waitsForAbort('sometimes-slow', {
      timeout: 500,
      retry: { attempts: 2, backoff: { initial: 10, jitter: false } },
      succeedOnAttempt: 2,
    })
    const engine = newEngine({ clock })
    const run = await engine.start(
      createWorkflow({ id: 'retry-timeout', input: num }).then(step).commit(),
      { n: 1 },
    )
    const retries: EngineEvent[] = []
    run.on('step-retry', (event) => retries.push(event))
    await until(() => started.length === 1, 'the first attempt')
    clock.advance(500)
    await until(() => retries.length === 1, 'the retry')
    expect(retries[0]).toMatchObject({ attempt: 1, delayMs: 10, error: { code: 'step_timeout' } })
    clock.advance(10)
    expect(await run.result()).toEqual({ n: 2 })
    expect(started).toEqual([1, 2])
    expect(clock.pending()).toEqual([]) // the second attempt’s timer was cleared
  })

  it('the workflow’s and the engine’s default timeouts apply to steps that set none', async () => {
    for (const where of ['workflow', 'engine'] as const) {
      const clock = fakeClock()
      const { step, reasons, started } = waitsForAbort(`hangs-${where}`)
      const engine = newEngine({
        clock,
        ...(where === 'engine' ? { defaults: { timeout: 300 } } : {}),
      })
      const wf = createWorkflow({
        id: `default-${where}`,
        input: num,
        ...(where === 'workflow' ? { defaults: { timeout: 300 } } : {}),
      })
        .then(step)
        .commit()
      const run = await engine.start(wf, { n: 0 })
      await until(() => started.length === 1, 'the step to start')
      clock.advance(300)
      expect((await rejectionOf(run.result())).cause.code).toBe('step_timeout')
      expect((reasons[0] as StepTimeoutError).timeoutMs).toBe(300)
    }
  })
})

describe('cancellation', () => {
  it('aborts the running step’s signal with RunCancelledError; result() rejects; no further step starts', async () => {
    const { step, reasons, started } = waitsForAbort('long')
    const after = createStep({ id: 'after', input: num, output: num, run: ({ input }) => input })
    const wf = createWorkflow({ id: 'cancellable', input: num }).then(step).then(after).commit()
    const engine = newEngine()
    const run = await engine.start(wf, { n: 0 })
    const events = recordEvents(run)
    await until(() => started.length === 1, 'the step to start')
    await run.cancel('user closed the ticket')
    const error = await rejectionOf(run.result())
    expect(error).toBeInstanceOf(RunCancelledError)
    expect(error.message).toBe(`Run "${run.id}" was cancelled: user closed the ticket`)
    expect(error.reason).toBe('user closed the ticket')
    expect(reasons).toHaveLength(1)
    expect(reasons[0]).toBe(error) // the signal's reason is the very error result() rejects with
    await flush()
    expect(events.map((event) => event.type)).toEqual(['run-start', 'step-start', 'run-end'])
    expect(events[2]).toMatchObject({ status: 'cancelled', error: { code: 'run_cancelled' } })
    expect(await run.steps()).toEqual([])
    const record = await run.record()
    expect(record.status).toBe('cancelled')
    expect(record.endedAt).toBeDefined()
  })

  it('a step that ignores cancellation and returns later commits nothing and starts nothing', async () => {
    const gate = deferred()
    const stubborn = createStep({
      id: 'stubborn',
      input: num,
      output: num,
      run: async ({ input }) => {
        await gate.promise
        return input
      },
    })
    let afterRan = false
    const after = createStep({
      id: 'after',
      input: num,
      output: num,
      run: ({ input }) => ((afterRan = true), input),
    })
    const engine = newEngine()
    const run = await engine.start(
      createWorkflow({ id: 'stubborn-wf', input: num }).then(stubborn).then(after).commit(),
      { n: 0 },
    )
    const starts: string[] = []
    run.on('step-start', (event) => starts.push(event.stepId))
    await until(() => starts.length === 1, 'the step to start')
    await engine.cancel(run.id)
    gate.resolve()
    await flush(10)
    expect(afterRan).toBe(false)
    expect(await run.steps()).toEqual([])
    expect(RunCancelledError.isInstance(await rejectionOf(run.result()))).toBe(true)
  })

  it('aborts every step in flight (foreach items)', async () => {
    const { step, reasons, started } = waitsForAbort('item')
    const wf = createWorkflow({ id: 'many', input: z.array(num) })
      .foreach(step, { concurrency: 3 })
      .commit()
    const run = await newEngine().start(wf, [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }])
    await until(() => started.length === 3, 'three items to start')
    await run.cancel()
    await rejectionOf(run.result())
    expect(reasons).toHaveLength(3)
    expect(reasons.every((reason) => RunCancelledError.isInstance(reason))).toBe(true)
    await flush()
    expect(started).toHaveLength(3) // the fourth item never started
  })

  it('a retry waiting for its delay never runs after cancellation', async () => {
    const clock = fakeClock()
    let attempts = 0
    const failing = createStep({
      id: 'failing',
      input: num,
      output: num,
      retry: { attempts: 3, backoff: { initial: 1000, jitter: false } },
      run: () => {
        attempts++
        throw new Error('nope')
      },
    })
    const engine = newEngine({ clock })
    const run = await engine.start(
      createWorkflow({ id: 'cancel-retry', input: num }).then(failing).commit(),
      { n: 0 },
    )
    const retries: EngineEvent[] = []
    run.on('step-retry', (event) => retries.push(event))
    await until(() => retries.length === 1, 'the retry to be scheduled')
    await run.cancel()
    clock.advance(5000)
    await flush()
    expect(attempts).toBe(1)
    expect((await run.record()).status).toBe('cancelled')
  })

  it('cancelling right after start: run-start is never delivered after run-end', async () => {
    const { step, started } = waitsForAbort('never')
    const engine = newEngine()
    const order: string[] = []
    engine.on('run-start', () => order.push('run-start'))
    engine.on('run-end', () => order.push('run-end'))
    const run = await engine.start(
      createWorkflow({ id: 'instant-cancel', input: num }).then(step).commit(),
      { n: 0 },
    )
    await run.cancel()
    await flush(10)
    expect(order.at(-1)).toBe('run-end')
    expect(order.filter((name) => name === 'run-end')).toHaveLength(1)
    expect(started).toEqual([])
  })

  it('cancelling an ended run throws ConflictError; an unknown run NotFoundError', async () => {
    const engine = newEngine()
    const run = await engine.start(createWorkflow({ id: 'quick', input: num }).then(inc).commit(), {
      n: 0,
    })
    await run.result()
    const error = await rejectionOf(run.cancel())
    expect(ConflictError.isInstance(error)).toBe(true)
    expect(error.message).toBe(`Run "${run.id}" already ended with status "succeeded"`)
    expect((await run.record()).status).toBe('succeeded')
    expect(NotFoundError.isInstance(await rejectionOf(engine.cancel('missing-run')))).toBe(true)
  })

  it('a handle from getRun sees the cancellation as a RunCancelledError', async () => {
    const { step, started } = waitsForAbort('idle')
    const engine = newEngine()
    const run = await engine.start(
      createWorkflow({ id: 'observed', input: num }).then(step).commit(),
      { n: 0 },
    )
    await until(() => started.length === 1, 'the step to start')
    await run.cancel('stop')
    const other = await engine.getRun(run.id)
    const error = await rejectionOf(other.result())
    expect(RunCancelledError.isInstance(error)).toBe(true)
    expect(error.message).toBe(`Run "${run.id}" was cancelled: stop`)
  })
})
