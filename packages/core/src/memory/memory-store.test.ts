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
  name: 'memory (packs ended runs)',
  createStore: () => createMemoryStore({ packEndedRuns: true }),
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
  it('keeps ended runs packed, reads them back as JSON, and keeps what JSON cannot hold as it is', async () => {
    const { createEngine, createStep, createWorkflow } = await import('../index')
    const { z } = await import('zod')
    const engine = createEngine({ store: createMemoryStore({ packEndedRuns: true }) })
    const when = createStep({
      id: 'when',
      input: z.object({}),
      output: z.object({ at: z.date(), none: z.undefined() }),
      run: () => ({ at: new Date(0), none: undefined }),
    })
    const big = createStep({
      id: 'big',
      input: z.object({}),
      output: z.bigint(),
      run: () => 10n ** 20n,
    })
    const dated = await engine.start(
      createWorkflow({ id: 'dated', input: z.object({}) })
        .then(when)
        .commit(),
      {},
    )
    await dated.result()
    expect((await dated.steps())[0]?.output).toEqual({ at: '1970-01-01T00:00:00.000Z' })
    const huge = await engine.start(
      createWorkflow({ id: 'huge', input: z.object({}) })
        .then(big)
        .commit(),
      {},
    )
    expect(await huge.result()).toBe(10n ** 20n)
    expect((await huge.record()).output).toBe(10n ** 20n)
    await engine.close()
  })
})
