import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ControlFlowError, createStep, createWorkflow } from '../index'
import { rejectionOf, settleWithin, useEngines } from '../../test/helpers'
import { inc, num, square } from '../../test/fixtures'

const newEngine = useEngines()

describe('nested control flow', () => {
  const list = z.array(num)

  it('foreach inside parallel', async () => {
    const each = createWorkflow({ id: 'each', input: list })
      .foreach(inc, { concurrency: 2 })
      .commit()
    const squares = createWorkflow({ id: 'squares', input: list }).foreach(square).commit()
    const both = createWorkflow({ id: 'fe-in-par-2', input: list })
      .parallel({ incs: each, squares })
      .commit()
    const run = await newEngine().start(both, [{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(await run.result()).toEqual({
      incs: [{ n: 2 }, { n: 3 }, { n: 4 }],
      squares: [{ n: 1 }, { n: 4 }, { n: 9 }],
    })
    const keys = (await run.steps()).map((step) => step.key).sort()
    expect(keys).toEqual([
      'each/inc#0',
      'each/inc#1',
      'each/inc#2',
      'squares/square#0',
      'squares/square#1',
      'squares/square#2',
    ])
  })

  it('parallel inside foreach', async () => {
    const pair = createWorkflow({ id: 'pair', input: num })
      .parallel({ plus: inc, times: square })
      .commit()
    const wf = createWorkflow({ id: 'par-in-fe', input: list })
      .foreach(pair, { concurrency: 2 })
      .commit()
    const run = await newEngine().start(wf, [{ n: 2 }, { n: 3 }, { n: 4 }])
    expect(await run.result()).toEqual([
      { plus: { n: 3 }, times: { n: 4 } },
      { plus: { n: 4 }, times: { n: 9 } },
      { plus: { n: 5 }, times: { n: 16 } },
    ])
    expect((await run.steps()).map((step) => step.key).sort()).toEqual([
      'pair/inc#0',
      'pair/inc#1',
      'pair/inc#2',
      'pair/square#0',
      'pair/square#1',
      'pair/square#2',
    ])
  })

  it('loop inside foreach: per-item iterations with keys item.iteration', async () => {
    const countTo = createWorkflow({ id: 'count-to', input: num })
      .loop(inc, { until: ({ output }) => output.n % 3 === 0 })
      .commit()
    const wf = createWorkflow({ id: 'loop-in-fe', input: list })
      .foreach(countTo, { concurrency: 3 })
      .commit()
    const run = await newEngine().start(wf, [{ n: 0 }, { n: 4 }, { n: 2 }])
    expect(await run.result()).toEqual([{ n: 3 }, { n: 6 }, { n: 3 }])
    expect((await run.steps()).map((step) => step.key).sort()).toEqual([
      'count-to/inc#0.0',
      'count-to/inc#0.1',
      'count-to/inc#0.2',
      'count-to/inc#1.0',
      'count-to/inc#1.1',
      'count-to/inc#2.0',
    ])
  })

  it('foreach inside foreach, and a nested failure fails the whole run', async () => {
    const picky = createStep({
      id: 'picky',
      input: num,
      output: num,
      run: ({ input }) => {
        if (input.n === 99) throw new Error('not 99')
        return { n: input.n + 1 }
      },
    })
    const inner = createWorkflow({ id: 'inner', input: list })
      .foreach(picky, { concurrency: 2 })
      .commit()
    const outer = createWorkflow({ id: 'outer', input: z.array(list) })
      .foreach(inner, { concurrency: 2 })
      .commit()
    const engine = newEngine()
    const run = await engine.start(outer, [[{ n: 1 }, { n: 2 }], [], [{ n: 3 }]])
    expect(await run.result()).toEqual([[{ n: 2 }, { n: 3 }], [], [{ n: 4 }]])
    expect((await run.steps()).map((step) => step.key).sort()).toEqual([
      'inner/picky#0.0',
      'inner/picky#0.1',
      'inner/picky#2.0',
    ])
    const bad = await engine.start(outer, [[{ n: 1 }], [{ n: 2 }, { n: 99 }]])
    const error = await rejectionOf(bad.result())
    expect(error.code).toBe('step_failed')
    expect(error.stepId).toBe('inner/picky')
    expect((await bad.record()).status).toBe('failed')
  })
})

describe('scopes inside loops', () => {
  it('parallel inside a loop: each iteration joins its own scope', async () => {
    const both = createWorkflow({ id: 'both', input: num })
      .parallel({ a: inc, b: square })
      .map(({ input }) => ({ n: input.a.n + input.b.n }))
      .commit()
    const wf = createWorkflow({ id: 'par-in-loop', input: num })
      .loop(both, { until: ({ iteration }) => iteration === 3 })
      .commit()
    const run = await newEngine().start(wf, { n: 1 })
    // 1 → 2+1 = 3 → 4+9 = 13 → 14+169 = 183
    expect(await settleWithin(run.result())).toEqual({ n: 183 })
    expect((await run.steps()).map((step) => step.key).sort()).toEqual([
      'both/inc#0',
      'both/inc#1',
      'both/inc#2',
      'both/square#0',
      'both/square#1',
      'both/square#2',
    ])
  })

  it('foreach inside a loop', async () => {
    const sumOfIncs = createWorkflow({ id: 'sum-of-incs', input: num })
      .map(({ input }) => [input, input, input])
      .foreach(inc, { concurrency: 2 })
      .map(({ input }) => ({ n: input.reduce((sum, item) => sum + item.n, 0) }))
      .commit()
    const wf = createWorkflow({ id: 'fe-in-loop', input: num })
      .loop(sumOfIncs, { until: ({ iteration }) => iteration === 2 })
      .commit()
    const run = await newEngine().start(wf, { n: 0 })
    // 0 → 3 × 1 = 3 → 3 × 4 = 12
    expect(await settleWithin(run.result())).toEqual({ n: 12 })
    expect(await run.steps()).toHaveLength(6)
  })

  it('an until that throws fails the run with ControlFlowError', async () => {
    const wf = createWorkflow({ id: 'until-throws', input: num })
      .loop(inc, {
        until: () => {
          throw new Error('no idea')
        },
      })
      .commit()
    const error = await rejectionOf((await newEngine().start(wf, { n: 0 })).result())
    expect(ControlFlowError.isInstance(error)).toBe(true)
    expect(error.reason).toBe('function_threw')
    expect(error.message).toBe(
      'Node "loop-1" in workflow "until-throws": inline function threw: no idea',
    )
  })
})

describe('bodies that complete at once (no steps)', () => {
  const doubled = createWorkflow({ id: 'doubled', input: num })
    .map(({ input }) => ({ n: input.n * 2 }))
    .commit()

  it('a foreach over thousands of such items does not overflow the stack', async () => {
    const wf = createWorkflow({ id: 'many-maps', input: z.array(num) })
      .foreach(doubled)
      .commit()
    const items = Array.from({ length: 5000 }, (_, n) => ({ n }))
    const output = (await (await newEngine().start(wf, items)).result()) as { n: number }[]
    expect(output).toHaveLength(5000)
    expect(output[4999]).toEqual({ n: 9998 })
  })

  it('a loop of thousands of such iterations does not overflow the stack', async () => {
    const plusOne = createWorkflow({ id: 'plus-one', input: num })
      .map(({ input }) => ({ n: input.n + 1 }))
      .commit()
    const wf = createWorkflow({ id: 'long-loop', input: num })
      .loop(plusOne, { until: ({ output }) => output.n === 20_000, maxIterations: 50_000 })
      .commit()
    expect(await (await newEngine().start(wf, { n: 0 })).result()).toEqual({ n: 20_000 })
  })

  it('a foreach mixing items with and without steps finishes (no lost join)', async () => {
    const viaStep = createWorkflow({ id: 'via-step', input: num }).then(square).commit()
    const body = createWorkflow({ id: 'body', input: num })
      .branch([
        [({ input }) => input.n % 2 === 0, viaStep],
        [() => true, doubled],
      ])
      .commit()
    const wf = createWorkflow({ id: 'mixed', input: z.array(num) })
      .foreach(body)
      .commit()
    const engine = newEngine()
    const run = await engine.start(wf, [{ n: 2 }, { n: 3 }, { n: 5 }, { n: 4 }, { n: 7 }])
    expect(await settleWithin(run.result())).toEqual([
      { n: 4 },
      { n: 6 },
      { n: 10 },
      { n: 16 },
      { n: 14 },
    ])
    const wide = await engine.start(
      createWorkflow({ id: 'mixed-wide', input: z.array(num) })
        .foreach(body, { concurrency: 2 })
        .commit(),
      [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 5 }, { n: 6 }],
    )
    expect(await settleWithin(wide.result())).toEqual([
      { n: 2 },
      { n: 4 },
      { n: 6 },
      { n: 10 },
      { n: 36 },
    ])
  })
})

describe('failures inside parallel and foreach', () => {
  it('a failing parallel branch fails the run and aborts the branches still running', async () => {
    const reasons: unknown[] = []
    let startedWaiting!: () => void
    const waiting = new Promise<void>((resolve) => (startedWaiting = resolve))
    const patient = createStep({
      id: 'patient',
      input: num,
      output: num,
      run: ({ signal }) =>
        new Promise<{ n: number }>((_, reject) => {
          signal.addEventListener('abort', () => {
            reasons.push(signal.reason)
            reject(signal.reason)
          })
          startedWaiting()
        }),
    })
    const failing = createStep({
      id: 'failing',
      input: num,
      output: num,
      run: async () => {
        await waiting
        throw new Error('branch failed')
      },
    })
    const wf = createWorkflow({ id: 'par-fail', input: num })
      .parallel({ a: patient, b: failing })
      .commit()
    const run = await newEngine().start(wf, { n: 0 })
    const error = await rejectionOf(settleWithin(run.result()))
    expect(error.code).toBe('step_failed')
    expect(error.stepId).toBe('failing')
    expect(reasons).toEqual([error]) // the sibling saw the run's error as its abort reason
    expect((await run.steps()).map((step) => [step.key, step.status])).toEqual([
      ['failing', 'failed'],
    ])
  })

  it('a failing foreach item fails the run; later items never start', async () => {
    const seen: number[] = []
    const picky = createStep({
      id: 'picky',
      input: num,
      output: num,
      run: async ({ input }) => {
        seen.push(input.n)
        if (input.n === 2) throw new Error('two is bad')
        return input
      },
    })
    const wf = createWorkflow({ id: 'fe-fail', input: z.array(num) })
      .foreach(picky)
      .commit()
    const run = await newEngine().start(wf, [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }])
    expect((await rejectionOf(run.result())).message).toBe(
      'Step "picky" in workflow "fe-fail" failed after 1 attempt: two is bad',
    )
    expect(seen).toEqual([1, 2])
    expect((await run.steps()).map((step) => [step.key, step.status])).toEqual([
      ['picky#0', 'succeeded'],
      ['picky#1', 'failed'],
    ])
  })
})
