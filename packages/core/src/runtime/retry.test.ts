import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import {
  NonRetryableError,
  StepFailedError,
  TesseraError,
  createStep,
  createWorkflow,
  type RetryOptions,
  type StepRetryEvent,
} from '../index'
import { RateLimitedError } from '../errors/rate-limited-error'
import {
  fakeClock,
  flush,
  rejectionOf,
  until,
  useEngines,
  type FakeClock,
} from '../../test/helpers'
import { num } from '../../test/fixtures'

const newEngine = useEngines()

afterEach(() => {
  vi.restoreAllMocks()
})

/** A step that fails its first `failures` attempts, recording what each attempt saw. */
function flaky(failures: number, retry?: RetryOptions, id = 'flaky') {
  const attempts: { attempt: number; idempotencyKey: string; at: number }[] = []
  let clock: FakeClock | undefined
  const step = createStep({
    id,
    input: num,
    output: num,
    ...(retry ? { retry } : {}),
    run: async ({ input, attempt, idempotencyKey }) => {
      attempts.push({ attempt, idempotencyKey, at: clock?.now() ?? Date.now() })
      if (attempt <= failures) throw new Error(`boom ${attempt}`)
      return { n: input.n + attempt }
    },
  })
  return { step, attempts, useClock: (value: FakeClock) => (clock = value) }
}

/** Starts `workflow` on an engine with a fake clock; collects step-retry events. */
async function startWithClock(workflow: any, input: unknown, engineOptions: object = {}) {
  const clock = fakeClock()
  const engine = newEngine({ clock, ...engineOptions })
  const run = await engine.start(workflow, input)
  const retries: StepRetryEvent[] = []
  run.on('step-retry', (event) => retries.push(event))
  return { clock, engine, run, retries }
}

describe('retries with backoff', () => {
  it('retries until success; the step sees attempt numbers; delays grow exponentially', async () => {
    const { step, attempts, useClock } = flaky(2, {
      attempts: 3,
      backoff: { type: 'exponential', initial: 100, factor: 2, jitter: false },
    })
    const wf = createWorkflow({ id: 'retrying', input: num }).then(step).commit()
    const { clock, run, retries } = await startWithClock(wf, { n: 10 })
    useClock(clock)
    const start = clock.now()

    await until(() => retries.length === 1, 'the first retry')
    expect(retries[0]).toMatchObject({
      attempt: 1,
      delayMs: 100,
      stepId: 'flaky',
      key: 'flaky',
      error: { message: 'boom 1' },
    })
    expect(clock.pending()).toContain(100)
    clock.advance(99)
    await flush()
    expect(attempts).toHaveLength(1) // not before the delay
    clock.advance(1)
    await until(() => retries.length === 2, 'the second retry')
    expect(retries[1]).toMatchObject({ attempt: 2, delayMs: 200, error: { message: 'boom 2' } })
    clock.advance(200)

    expect(await run.result()).toEqual({ n: 13 })
    expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3])
    expect(attempts.map((entry) => entry.at - start)).toEqual([0, 100, 300])
    const [record] = await run.steps()
    expect(record).toMatchObject({ status: 'succeeded', attempts: 3 })
  })

  it("waits for a failure's retryAfterMs when it is longer than the backoff", async () => {
    const clock = fakeClock()
    const seen: number[] = []
    const limited = createStep({
      id: 'limited',
      input: num,
      output: num,
      retry: { attempts: 3, backoff: { type: 'fixed', initial: 100, jitter: false } },
      run: async ({ input, attempt }) => {
        seen.push(clock.now())
        if (attempt === 1) throw new RateLimitedError({ retryAfterMs: 5_000 })
        if (attempt === 2) throw new RateLimitedError({ retryAfterMs: 20 }) // shorter: backoff wins
        return { n: input.n + attempt }
      },
    })
    const wf = createWorkflow({ id: 'retry-after', input: num }).then(limited).commit()
    const engine = newEngine({ clock })
    const start = clock.now()
    const run = await engine.start(wf, { n: 0 })
    const retries: StepRetryEvent[] = []
    run.on('step-retry', (event) => retries.push(event))
    await until(() => retries.length === 1, 'the first retry')
    expect(retries[0]).toMatchObject({ delayMs: 5_000, error: { code: 'rate_limited' } })
    clock.advance(4_999)
    await flush()
    expect(seen).toHaveLength(1) // not before the server's Retry-After
    clock.advance(1)
    await until(() => retries.length === 2, 'the second retry')
    expect(retries[1]!.delayMs).toBe(100)
    clock.advance(100)
    expect(await run.result()).toEqual({ n: 3 })
    expect(seen.map((at) => at - start)).toEqual([0, 5_000, 5_100])
  })

  it('caps delays at max; fixed backoff keeps the initial delay', async () => {
    const capped = flaky(
      3,
      { attempts: 4, backoff: { initial: '1s', factor: 3, max: '2s', jitter: false } },
      'capped',
    )
    const fixed = flaky(
      3,
      { attempts: 4, backoff: { type: 'fixed', initial: 50, jitter: false } },
      'fixed',
    )
    for (const { step, useClock } of [capped, fixed]) {
      const wf = createWorkflow({ id: `wf-${step.id}`, input: num })
        .then(step)
        .commit()
      const { clock, run, retries } = await startWithClock(wf, { n: 0 })
      useClock(clock)
      for (let index = 1; index <= 3; index++) {
        await until(() => retries.length === index, `retry ${index}`)
        clock.advance(retries[index - 1]!.delayMs)
      }
      expect(await run.result()).toEqual({ n: 4 })
      expect(retries.map((event) => event.delayMs)).toEqual(
        step.id === 'capped' ? [1000, 2000, 2000] : [50, 50, 50],
      )
    }
  })

  it('jitter draws each delay uniformly in [0, delay]', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.25)
    const { step } = flaky(1, { attempts: 2, backoff: { initial: 400 } })
    const wf = createWorkflow({ id: 'jittery', input: num }).then(step).commit()
    const { clock, run, retries } = await startWithClock(wf, { n: 0 })
    await until(() => retries.length === 1, 'the retry')
    expect(retries[0]!.delayMs).toBe(100)
    clock.advance(100)
    expect(await run.result()).toEqual({ n: 2 })
  })

  it('fails with StepFailedError carrying the last cause once attempts are exhausted', async () => {
    const { step, attempts } = flaky(99, { attempts: 3, backoff: { initial: 0, jitter: false } })
    const wf = createWorkflow({ id: 'hopeless', input: num }).then(step).commit()
    const run = await newEngine().start(wf, { n: 0 })
    const ends: string[] = []
    run.on('step-end', (event) => ends.push(`${event.status}@${event.attempt}`))
    const error = await rejectionOf(run.result())
    expect(error).toBeInstanceOf(StepFailedError)
    expect(error.attempts).toBe(3)
    expect(error.stepId).toBe('flaky')
    expect(error.workflowId).toBe('hopeless')
    expect(error.cause).toBeInstanceOf(Error)
    expect(error.cause.message).toBe('boom 3')
    expect(error.message).toBe(
      'Step "flaky" in workflow "hopeless" failed after 3 attempts: boom 3',
    )
    expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3])
    expect(ends).toEqual(['failed@3']) // one step-end, for the last attempt
    const [record] = await run.steps()
    expect(record).toMatchObject({ status: 'failed', attempts: 3, error: { message: 'boom 3' } })
    expect((await run.record()).error).toMatchObject({
      code: 'step_failed',
      details: { attempts: 3, stepId: 'flaky' },
      cause: { message: 'boom 3' },
    })
  })

  it('NonRetryableError stops retries at once', async () => {
    const seen: number[] = []
    const picky = createStep({
      id: 'picky',
      input: num,
      output: num,
      retry: { attempts: 5, backoff: { initial: 0 } },
      run: ({ attempt }) => {
        seen.push(attempt)
        throw new NonRetryableError('no such customer')
      },
    })
    const run = await newEngine().start(
      createWorkflow({ id: 'no-retry', input: num }).then(picky).commit(),
      { n: 0 },
    )
    const retries: unknown[] = []
    run.on('step-retry', (event) => retries.push(event))
    const error = await rejectionOf(run.result())
    expect(StepFailedError.isInstance(error)).toBe(true)
    expect(NonRetryableError.isInstance(error.cause)).toBe(true)
    expect(error.message).toBe(
      'Step "picky" in workflow "no-retry" failed after 1 attempt: no such customer',
    )
    expect(seen).toEqual([1])
    expect(retries).toEqual([])
  })

  it('a TesseraError marked retryable is retried; thrown non-errors are retried too', async () => {
    const seen: number[] = []
    const odd = createStep({
      id: 'odd',
      input: num,
      output: num,
      retry: { attempts: 3, backoff: { initial: 0 } },
      run: ({ attempt, input }) => {
        seen.push(attempt)
        if (attempt === 1) throw new TesseraError('busy', 'try later', { retryable: true })
        if (attempt === 2) throw 'a string'
        return input
      },
    })
    const run = await newEngine().start(
      createWorkflow({ id: 'odd-wf', input: num }).then(odd).commit(),
      { n: 5 },
    )
    expect(await run.result()).toEqual({ n: 5 })
    expect(seen).toEqual([1, 2, 3])
  })
})

describe('retry defaults', () => {
  const plain = () => flaky(2)

  it('without any policy a step runs once', async () => {
    const { step, attempts } = plain()
    const run = await newEngine().start(
      createWorkflow({ id: 'once', input: num }).then(step).commit(),
      { n: 0 },
    )
    expect((await rejectionOf(run.result())).attempts).toBe(1)
    expect(attempts).toHaveLength(1)
  })

  it('the workflow’s default applies to steps that set none', async () => {
    const { step, attempts } = plain()
    const wf = createWorkflow({
      id: 'wf-default',
      input: num,
      defaults: { retry: { attempts: 3, backoff: { initial: 0 } } },
    })
      .then(step)
      .commit()
    expect(await (await newEngine().start(wf, { n: 0 })).result()).toEqual({ n: 3 })
    expect(attempts).toHaveLength(3)
  })

  it('the engine’s default applies when neither step nor workflow sets one', async () => {
    const { step, attempts } = plain()
    const engine = newEngine({ defaults: { retry: { attempts: 3, backoff: { initial: 0 } } } })
    const run = await engine.start(
      createWorkflow({ id: 'engine-default', input: num }).then(step).commit(),
      { n: 0 },
    )
    expect(await run.result()).toEqual({ n: 3 })
    expect(attempts).toHaveLength(3)
  })

  it('step beats workflow beats engine', async () => {
    const engine = newEngine({ defaults: { retry: { attempts: 5, backoff: { initial: 0 } } } })
    const own = flaky(99, { attempts: 2, backoff: { initial: 0 } }, 'own')
    const inherits = flaky(99, undefined, 'inherits')
    const wf = (step: any, id: string) =>
      createWorkflow({
        id,
        input: num,
        defaults: { retry: { attempts: 3, backoff: { initial: 0 } } },
      })
        .then(step)
        .commit()
    expect(
      (await rejectionOf((await engine.start(wf(own.step, 'a'), { n: 0 })).result())).attempts,
    ).toBe(2)
    expect(
      (await rejectionOf((await engine.start(wf(inherits.step, 'b'), { n: 0 })).result())).attempts,
    ).toBe(3)
    const bare = flaky(99, undefined, 'bare')
    const noDefaults = createWorkflow({ id: 'c', input: num }).then(bare.step).commit()
    expect((await rejectionOf((await engine.start(noDefaults, { n: 0 })).result())).attempts).toBe(
      5,
    )
  })
})

describe('idempotency key in the step context', () => {
  it('is stable across retries and distinct per step instance', async () => {
    const { step, attempts } = flaky(1, { attempts: 2, backoff: { initial: 0 } })
    const wf = createWorkflow({ id: 'keys', input: z.array(num) })
      .foreach(step, { concurrency: 2 })
      .commit()
    const run = await newEngine().start(wf, [{ n: 0 }, { n: 1 }])
    await run.result()
    const byKey = new Map<string, number[]>()
    for (const entry of attempts)
      byKey.set(entry.idempotencyKey, [...(byKey.get(entry.idempotencyKey) ?? []), entry.attempt])
    expect([...byKey.keys()].sort()).toEqual([`${run.id}:flaky#0`, `${run.id}:flaky#1`])
    expect([...byKey.values()]).toEqual([
      [1, 2],
      [1, 2],
    ])
  })
})
