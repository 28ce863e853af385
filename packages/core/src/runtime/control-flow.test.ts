import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ControlFlowError, createStep, createWorkflow } from '../index'
import {
  barrier,
  deferred,
  flush,
  recordEvents,
  rejectionOf,
  until,
  useEngines,
} from '../../test/helpers'
import { inc, num, square } from '../../test/fixtures'

const label = createStep({
  id: 'label',
  input: num,
  output: z.object({ label: z.string() }),
  run: ({ input }) => ({ label: `#${input.n}` }),
})

const newEngine = useEngines()

describe('map', () => {
  it('reshapes the previous output synchronously', async () => {
    const wf = createWorkflow({ id: 'map-wf', input: z.object({ items: z.array(z.number()) }) })
      .map(({ input }) => ({ n: input.items.reduce((sum, value) => sum + value, 0) }))
      .then(inc)
      .map(({ input, workflowId }) => `${workflowId}:${input.n}`)
      .commit()
    const run = await newEngine().start(wf, { items: [1, 2, 3] })
    expect(await run.result()).toBe('map-wf:7')
  })

  it('receives the run id', async () => {
    const wf = createWorkflow({ id: 'map-run-id', input: z.object({}) })
      .map(({ runId }) => runId)
      .commit()
    const run = await newEngine().start(wf, {}, { runId: 'the-run' })
    expect(await run.result()).toBe('the-run')
  })

  it('an async map fails the run with ControlFlowError', async () => {
    const wf = createWorkflow({ id: 'async-map', input: num })
      .then(inc)
      .map(async ({ input }) => input.n)
      .commit()
    const run = await newEngine().start(wf, { n: 1 })
    const error = await rejectionOf(run.result())
    expect(ControlFlowError.isInstance(error)).toBe(true)
    expect(error.reason).toBe('function_threw')
    expect(error.nodeId).toBe('map-1') // control nodes are numbered
    expect(error.message).toBe(
      'Node "map-1" in workflow "async-map": map functions must be synchronous (it returned a promise); do I/O in a step',
    )
  })

  it('an async map that rejects fails the run without an unhandled rejection', async () => {
    const wf = createWorkflow({ id: 'async-map-rejects', input: num })
      .map(async (): Promise<number> => {
        throw new Error('async failure')
      })
      .commit()
    const run = await newEngine().start(wf, { n: 1 })
    expect(ControlFlowError.isInstance(await rejectionOf(run.result()))).toBe(true)
    await flush() // an unhandled rejection would surface here and fail the test file
  })

  it('a map that throws fails the run with ControlFlowError carrying the cause', async () => {
    const wf = createWorkflow({ id: 'map-throws', input: num })
      .then(inc)
      .map((): number => {
        throw new Error('bad reshape')
      })
      .commit()
    const run = await newEngine().start(wf, { n: 1 })
    const events = recordEvents(run)
    const error = await rejectionOf(run.result())
    expect(ControlFlowError.isInstance(error)).toBe(true)
    expect(error.message).toContain('inline function threw: bad reshape')
    expect(error.cause).toBeInstanceOf(Error)
    // the step before succeeded and is recorded; its step-end comes before run-end
    expect((await run.steps()).map((step) => [step.key, step.status])).toEqual([
      ['inc', 'succeeded'],
    ])
    expect(events.map((event) => event.type)).toEqual([
      'run-start',
      'step-start',
      'step-end',
      'run-end',
    ])
  })
})

describe('branch', () => {
  const wf = createWorkflow({ id: 'branchy', input: num })
    .branch([
      [({ input }) => input.n > 10, label],
      [({ input }) => input.n > 0, inc],
    ])
    .commit()

  it('runs the first branch whose condition holds; the output is that branch’s', async () => {
    const engine = newEngine()
    expect(await (await engine.start(wf, { n: 50 })).result()).toEqual({ label: '#50' })
    const small = await engine.start(wf, { n: 5 })
    expect(await small.result()).toEqual({ n: 6 })
    // only the chosen branch ran
    expect((await small.steps()).map((step) => step.nodeId)).toEqual(['inc'])
  })

  it('the union output flows to the next node', async () => {
    const union = createWorkflow({ id: 'branch-union', input: num })
      .branch([
        [({ input }) => input.n % 2 === 0, label],
        [() => true, inc],
      ])
      .map(({ input }) => ('label' in input ? `label ${input.label}` : `number ${input.n}`))
      .commit()
    const engine = newEngine()
    expect(await (await engine.start(union, { n: 2 })).result()).toBe('label #2')
    expect(await (await engine.start(union, { n: 3 })).result()).toBe('number 4')
  })

  it('no branch matched fails the run with ControlFlowError', async () => {
    const run = await newEngine().start(wf, { n: -1 })
    const error = await rejectionOf(run.result())
    expect(ControlFlowError.isInstance(error)).toBe(true)
    expect(error.reason).toBe('no_branch_matched')
    expect(error.message).toBe(
      'Node "branch-1" in workflow "branchy": no branch condition matched (2 tried); add [() => true, fallback] as the last case',
    )
    expect((await run.record()).status).toBe('failed')
  })

  it('a condition that does not return a boolean fails the run with a ControlFlowError saying so', async () => {
    const asyncCondition = createWorkflow({ id: 'branch-async', input: num })
      .branch([
        // @ts-expect-error conditions must be synchronous
        [async () => true, inc],
        [() => true, label],
      ])
      .commit()
    const error = await rejectionOf((await newEngine().start(asyncCondition, { n: 1 })).result())
    expect(ControlFlowError.isInstance(error)).toBe(true)
    expect(error.message).toContain(
      'branch condition returned a promise; it must return a boolean synchronously',
    )
    const untyped = createWorkflow({ id: 'branch-undefined', input: num })
      .branch([[(() => undefined) as unknown as () => boolean, inc]])
      .commit()
    const second = await rejectionOf((await newEngine().start(untyped, { n: 1 })).result())
    expect(second.message).toContain('branch condition must return a boolean, returned undefined')
  })

  it('no branch matched after a step: step-end is delivered before run-end', async () => {
    const after = createWorkflow({ id: 'branch-after', input: num })
      .then(inc)
      .branch([[({ input }) => input.n > 100, label]])
      .commit()
    const engine = newEngine()
    const engineEvents: string[] = []
    engine.on('step-end', (event) => engineEvents.push(event.type))
    engine.on('run-end', (event) => engineEvents.push(event.type))
    const run = await engine.start(after, { n: 1 })
    const events = recordEvents(run)
    expect(ControlFlowError.isInstance(await rejectionOf(run.result()))).toBe(true)
    expect(events.map((event) => event.type)).toEqual([
      'run-start',
      'step-start',
      'step-end',
      'run-end',
    ])
    expect(engineEvents).toEqual(['step-end', 'run-end'])
  })
})

describe('parallel', () => {
  it('produces a record of the branches’ outputs under their keys', async () => {
    const wf = createWorkflow({ id: 'par', input: num })
      .parallel({ a: inc, b: square, c: label })
      .commit()
    const run = await newEngine().start(wf, { n: 3 })
    expect(await run.result()).toEqual({ a: { n: 4 }, b: { n: 9 }, c: { label: '#3' } })
  })

  it('runs all branches at once (each waits for all the others to start)', async () => {
    const meet = barrier(3)
    const make = (id: string) =>
      createStep({
        id,
        input: num,
        output: z.string(),
        run: async () => {
          await meet.arrive()
          return id
        },
      })
    const wf = createWorkflow({ id: 'par-barrier', input: num })
      .parallel({ x: make('x'), y: make('y'), z: make('z') })
      .commit()
    const run = await newEngine().start(wf, { n: 0 })
    expect(await run.result()).toEqual({ x: 'x', y: 'y', z: 'z' })
    expect(meet.arrived).toBe(3)
  })

  it('continues once, after the last branch, whatever order they finish in', async () => {
    const gates = { a: deferred(), b: deferred() }
    const make = (id: 'a' | 'b') =>
      createStep({
        id,
        input: num,
        output: num,
        run: async ({ input }) => {
          await gates[id].promise
          return { n: input.n + (id === 'a' ? 1 : 2) }
        },
      })
    const wf = createWorkflow({ id: 'par-order', input: num })
      .parallel({ a: make('a'), b: make('b') })
      .map(({ input }) => ({ n: input.a.n * 10 + input.b.n }))
      .then(inc)
      .commit()
    const run = await newEngine().start(wf, { n: 0 })
    const starts: string[] = []
    run.on('step-start', (event) => starts.push(event.stepId))
    await until(() => starts.length === 2, 'both branches to start')
    gates.b.resolve()
    await flush()
    expect(starts).toEqual(['a', 'b']) // nothing after the join started with one branch pending
    gates.a.resolve()
    expect(await run.result()).toEqual({ n: 13 })
    expect(starts).toEqual(['a', 'b', 'inc'])
  })
})

describe('foreach', () => {
  const list = z.object({ items: z.array(z.number()) })

  it('outputs are in input order, even when items finish out of order', async () => {
    const gates = new Map<number, () => void>()
    const wait = createStep({
      id: 'wait',
      input: num,
      output: num,
      run: ({ input }) =>
        new Promise<{ n: number }>((resolve) =>
          gates.set(input.n, () => resolve({ n: input.n * 10 })),
        ),
    })
    const wf = createWorkflow({ id: 'fe-order', input: list })
      .map(({ input }) => input.items.map((n) => ({ n })))
      .foreach(wait, { concurrency: 4 })
      .commit()
    const run = await newEngine().start(wf, { items: [1, 2, 3, 4] })
    await until(() => gates.size === 4, 'all items to start')
    for (const n of [3, 1, 4, 2]) gates.get(n)!()
    expect(await run.result()).toEqual([{ n: 10 }, { n: 20 }, { n: 30 }, { n: 40 }])
    expect((await run.steps()).map((step) => step.key).sort()).toEqual([
      'wait#0',
      'wait#1',
      'wait#2',
      'wait#3',
    ])
  })

  it('never has more than `concurrency` items in flight, and reaches it', async () => {
    let inFlight = 0
    let maxInFlight = 0
    const held: (() => void)[] = []
    const hold = createStep({
      id: 'hold',
      input: num,
      output: num,
      run: async ({ input }) => {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        await new Promise<void>((resolve) => held.push(resolve))
        inFlight--
        return input
      },
    })
    const wf = createWorkflow({ id: 'fe-limit', input: list })
      .map(({ input }) => input.items.map((n) => ({ n })))
      .foreach(hold, { concurrency: 3 })
      .commit()
    const run = await newEngine().start(wf, { items: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] })
    let released = 0
    while (released < 10) {
      await until(() => held.length > 0 || released === 10, 'a held item')
      await flush() // give any extra item the chance to start (it must not)
      expect(inFlight).toBeLessThanOrEqual(3)
      if (released <= 7) expect(inFlight).toBe(3) // a free slot is refilled before the next release
      held.shift()!()
      released++
    }
    expect((await run.result()).map((item: { n: number }) => item.n)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ])
    expect(maxInFlight).toBe(3)
  })

  it('an empty array produces an empty array without running the body', async () => {
    let calls = 0
    const counted = createStep({
      id: 'counted',
      input: num,
      output: num,
      run: ({ input }) => (calls++, input),
    })
    const wf = createWorkflow({ id: 'fe-empty', input: z.array(num) })
      .foreach(counted)
      .commit()
    const run = await newEngine().start(wf, [])
    expect(await run.result()).toEqual([])
    expect(calls).toBe(0)
    expect(await run.steps()).toEqual([])
  })

  it('a non-array fails the run with ControlFlowError', async () => {
    const wf = createWorkflow({ id: 'fe-not-array', input: num })
      .map(({ input }) => input as unknown as { n: number }[])
      .foreach(inc)
      .commit()
    const run = await newEngine().start(wf, { n: 1 })
    const error = await rejectionOf(run.result())
    expect(ControlFlowError.isInstance(error)).toBe(true)
    expect(error.reason).toBe('not_an_array')
    expect(error.message).toBe(
      'Node "foreach-1" in workflow "fe-not-array": foreach needs an array, received object',
    )
  })
})

describe('loop', () => {
  it('repeats until `until` holds, passing each output on, with 1-based iteration numbers', async () => {
    const seen: { n: number; iteration: number }[] = []
    const wf = createWorkflow({ id: 'loopy', input: num })
      .loop(inc, {
        until: ({ output, iteration }) => {
          seen.push({ n: output.n, iteration })
          return output.n >= 4
        },
      })
      .commit()
    const run = await newEngine().start(wf, { n: 0 })
    expect(await run.result()).toEqual({ n: 4 })
    expect(seen).toEqual([
      { n: 1, iteration: 1 },
      { n: 2, iteration: 2 },
      { n: 3, iteration: 3 },
      { n: 4, iteration: 4 },
    ])
    expect((await run.steps()).map((step) => step.key)).toEqual([
      'inc#0',
      'inc#1',
      'inc#2',
      'inc#3',
    ])
  })

  it('fails with ControlFlowError when maxIterations is exceeded', async () => {
    const wf = createWorkflow({ id: 'endless', input: num })
      .loop(inc, { until: () => false, maxIterations: 3 })
      .commit()
    const run = await newEngine().start(wf, { n: 0 })
    const error = await rejectionOf(run.result())
    expect(ControlFlowError.isInstance(error)).toBe(true)
    expect(error.reason).toBe('loop_limit')
    expect(error.message).toBe(
      'Node "loop-1" in workflow "endless": loop did not end within maxIterations (3)',
    )
    expect(await run.steps()).toHaveLength(3)
  })

  it('a loop whose until holds at the limit succeeds', async () => {
    const wf = createWorkflow({ id: 'just-in-time', input: num })
      .loop(inc, { until: ({ iteration }) => iteration === 3, maxIterations: 3 })
      .commit()
    expect(await (await newEngine().start(wf, { n: 0 })).result()).toEqual({ n: 3 })
  })
})
