import { describe, expect, it } from 'vitest'
import { describeStoreConformance } from '../testing/index'
import { runFixture, taskFixture } from '../testing/fixtures'
import { createMemoryStore } from './memory-store'

describeStoreConformance({ name: 'memory', createStore: () => createMemoryStore() })
describeStoreConformance({
  name: 'memory (keeps every run)',
  createStore: () => createMemoryStore({ maxEndedRuns: Infinity }),
})
describeStoreConformance({
  name: 'memory (ended runs kept as objects)',
  createStore: () => createMemoryStore({ packEndedRuns: false }),
})

describe.each([false, true])('createMemoryStore retention (packEndedRuns: %s)', (packEndedRuns) => {
  it('keeps the last maxEndedRuns ended runs and every running one', async () => {
    const store = createMemoryStore({ maxEndedRuns: 2, packEndedRuns })
    const running = runFixture()
    await store.createRun({ run: running, tasks: [taskFixture(running, 'a')], scopes: [] })
    const ended = []
    for (let index = 0; index < 4; index++) {
      const run = runFixture({ idempotencyKey: `key-${index}` })
      await store.createRun({ run, tasks: [], scopes: [] })
      await store.commit({
        runId: run.id,
        run: { status: 'succeeded', output: index, updatedAt: 1, endedAt: 1 },
      })
      ended.push(run)
    }
    expect(await store.getRun(running.id)).toMatchObject({ status: 'running' })
    expect(await store.getRun(ended[0]!.id)).toBeUndefined()
    expect(await store.getRun(ended[1]!.id)).toBeUndefined()
    expect(await store.getRun(ended[2]!.id)).toMatchObject({ output: 2 })
    expect(await store.getRun(ended[3]!.id)).toMatchObject({ output: 3 })
    // An evicted run's idempotency key is free again.
    const again = runFixture({ idempotencyKey: 'key-0' })
    expect((await store.createRun({ run: again, tasks: [], scopes: [] })).created).toBe(true)
    // A run created already ended counts too.
    const born = runFixture({ status: 'failed' })
    await store.createRun({ run: born, tasks: [], scopes: [] })
    expect(await store.getRun(ended[2]!.id)).toBeUndefined()
    expect(await store.getRun(born.id)).toMatchObject({ status: 'failed' })
  })

  it('rejects a bad maxEndedRuns', () => {
    expect(() => createMemoryStore({ maxEndedRuns: -1 })).toThrow(
      'createMemoryStore: "maxEndedRuns" must be a non-negative integer or Infinity, received -1',
    )
  })
})

describe('createMemoryStore: ended runs', () => {
  /** Ends a run with one step whose output is `output`; returns what the store reads back. */
  const endWith = async (store: ReturnType<typeof createMemoryStore>, output: unknown) => {
    const run = runFixture()
    await store.createRun({ run, tasks: [], scopes: [] })
    const step = {
      runId: run.id,
      key: 'a',
      nodeId: 'a',
      path: [],
      status: 'succeeded' as const,
      output,
      attempts: 1,
      startedAt: 5,
      endedAt: 6,
    }
    await store.commit({ runId: run.id, step })
    await store.commit({
      runId: run.id,
      run: { status: 'succeeded', output, updatedAt: 7, endedAt: 7 },
    })
    const history = (await store.getRunHistory(run.id))!
    return { run: history.run, step: history.steps[0]! }
  }

  it('packs runs of plain JSON values by default and reads them back as equal copies', async () => {
    const output = { n: 1, text: 'ünï ✓', list: [1.5, null, true, { deep: ['x'] }], none: null }
    const { run, step } = await endWith(createMemoryStore(), output)
    expect(step).toMatchObject({ key: 'a', attempts: 1, startedAt: 5, endedAt: 6, output })
    expect(step.output).not.toBe(output)
    expect(run).toMatchObject({ status: 'succeeded', output, updatedAt: 7, endedAt: 7 })
    expect(run.output).not.toBe(output)
  })

  it.each([
    ['a Date', { at: new Date(0) }],
    ['an undefined property', { none: undefined }],
    ['an undefined array item', [1, undefined]],
    ['an array hole', new Array<number>(3).fill(1, 0, 1)],
    ['-0', { zero: -0 }],
    ['NaN', [Number.NaN]],
    ['a class instance', { value: new Map([[1, 2]]) }],
    ['a null-prototype object', Object.create(null) as object],
    ['a BigInt', 10n ** 20n],
    [
      'a cycle',
      (() => {
        const cycle: Record<string, unknown> = {}
        cycle.self = cycle
        return cycle
      })(),
    ],
  ])('keeps a run holding %s as it is', async (_, output) => {
    const { run, step } = await endWith(createMemoryStore(), output)
    expect(step.output).toBe(output)
    expect(run.output).toBe(output)
  })

  it('keeps every ended run as objects with packEndedRuns: false', async () => {
    const output = { n: 1 }
    const { run, step } = await endWith(createMemoryStore({ packEndedRuns: false }), output)
    expect(step.output).toBe(output)
    expect(run.output).toBe(output)
  })

  it('runs workflows on a packing store: results, records and steps read back', async () => {
    const { createEngine, createStep, createWorkflow } = await import('../index')
    const { z } = await import('zod')
    const engine = createEngine()
    const when = createStep({
      id: 'when',
      input: z.object({}),
      output: z.object({ at: z.date() }),
      run: () => ({ at: new Date(0) }),
    })
    const count = createStep({
      id: 'count',
      input: z.object({}),
      output: z.object({ n: z.number() }),
      run: () => ({ n: 3 }),
    })
    const dated = await engine.start(
      createWorkflow({ id: 'dated', input: z.object({}) })
        .then(when)
        .commit(),
      {},
    )
    const at = await dated.result()
    expect((await dated.steps())[0]?.output).toEqual({ at: new Date(0) })
    expect((await dated.record()).output).toBe(at)
    const counted = await engine.start(
      createWorkflow({ id: 'counted', input: z.object({}) })
        .then(count)
        .commit(),
      {},
    )
    const n = await counted.result()
    expect((await counted.steps())[0]?.output).toEqual({ n: 3 })
    expect((await counted.record()).output).toEqual(n)
    expect((await engine.getRun(counted.id)).id).toBe(counted.id)
    await engine.close()
  })
})
