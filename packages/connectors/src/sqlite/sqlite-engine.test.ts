import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createStep, createWorkflow } from '@tessera/core'
import { createSqliteStore } from '@tessera/connectors/sqlite'

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-engine-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const num = z.object({ n: z.number() })
const inc = createStep({
  id: 'inc',
  input: num,
  output: num,
  run: ({ input }) => ({ n: input.n + 1 }),
})
const double = createStep({
  id: 'double',
  input: num,
  output: num,
  run: async ({ input }) => ({ n: input.n * 2 }),
})
const each = createStep({
  id: 'each',
  input: z.number(),
  output: z.number(),
  run: async ({ input }) => input * 10,
})

const workflow = createWorkflow({ id: 'sqlite-e2e', input: num })
  .then(inc)
  .parallel({ a: inc, b: double })
  .map(({ input }) => [input.a.n, input.b.n, 7])
  .foreach(each, { concurrency: 2 })
  .map(({ input }) => ({ total: input.reduce((sum, value) => sum + value, 0) }))
  .commit()

describe('an engine on the SQLite store', () => {
  it('runs a workflow to completion, and the run survives reopening the file', async () => {
    const filename = join(dir, 'engine.db')
    const store = createSqliteStore({ filename })
    const engine = createEngine({ store })
    const run = await engine.start(workflow, { n: 1 }, { idempotencyKey: 'order-1' })
    // n: 1 → inc 2 → { a: 3, b: 4 } → [3, 4, 7] → [30, 40, 70] → 140
    expect(await run.result()).toEqual({ total: 140 })
    const again = await engine.start(workflow, { n: 5 }, { idempotencyKey: 'order-1' })
    expect(again.id).toBe(run.id)
    await engine.close()
    await store.close()

    const reopened = createSqliteStore({ filename })
    const record = await reopened.getRun(run.id)
    expect(record).toMatchObject({
      id: run.id,
      workflowId: 'sqlite-e2e',
      status: 'succeeded',
      input: { n: 1 },
      output: { total: 140 },
      idempotencyKey: 'order-1',
    })
    expect(record?.endedAt).toEqual(expect.any(Number))
    const history = await reopened.getRunHistory(run.id)
    const steps = Object.fromEntries(history!.steps.map((step) => [step.key, step]))
    expect(steps).toMatchObject({
      inc: { status: 'succeeded', output: { n: 2 }, attempts: 1 },
      'each#0': { nodeId: 'each', path: [0], output: 30 },
      'each#2': { nodeId: 'each', path: [2], output: 70 },
    })
    expect(history!.steps.filter((step) => step.nodeId === 'each')).toHaveLength(3)
    expect(history!.tasks).toEqual([])
    expect(history!.scopes.every((scope) => scope.closed)).toBe(true)
    expect((await reopened.listRuns({ workflowId: 'sqlite-e2e' })).runs.map((r) => r.id)).toEqual([
      run.id,
    ])

    // Another engine on the reopened file sees the run and its result.
    const engine2 = createEngine({ store: reopened })
    const handle = await engine2.getRun(run.id)
    expect(await handle.result()).toEqual({ total: 140 })
    await engine2.close()
    await reopened.close()
  })

  it('records a failed run durably', async () => {
    const filename = join(dir, 'failed.db')
    const boom = createStep({
      id: 'boom',
      input: num,
      output: num,
      retry: { attempts: 2, backoff: { type: 'fixed', initial: '1ms' } },
      run: () => {
        throw new Error('no luck')
      },
    })
    const failing = createWorkflow({ id: 'sqlite-fails', input: num }).then(boom).commit()
    const store = createSqliteStore({ filename })
    const engine = createEngine({ store })
    const run = await engine.start(failing, { n: 1 })
    await expect(run.result()).rejects.toThrow()
    await engine.close()
    await store.close()
    const reopened = createSqliteStore({ filename })
    const history = await reopened.getRunHistory(run.id)
    expect(history?.run.status).toBe('failed')
    expect(history?.steps).toMatchObject([{ key: 'boom', status: 'failed', attempts: 2 }])
    expect(history?.steps[0]?.error?.message).toContain('no luck')
    await reopened.close()
  })
})

describe('the store transport on SQLite', () => {
  it('keeps a worker within its concurrency across local deliveries and polled tasks', async () => {
    const filename = join(dir, 'concurrency.db')
    let running = 0
    let most = 0
    const slow = createStep({
      id: 'slow',
      input: num,
      output: num,
      run: async ({ input }) => {
        running++
        most = Math.max(most, running)
        await new Promise((resolve) => setTimeout(resolve, 5))
        running--
        return { n: input.n + 1 }
      },
    })
    const chain = createWorkflow({ id: 'bounded', input: num }).then(slow).then(slow).commit()
    // Another process's runs (a starter without a worker) reach this worker by polling; its own
    // by local delivery. Both paths share one budget of 2.
    const starter = createEngine({ store: createSqliteStore({ filename }), worker: false })
    const worker = createEngine({
      store: createSqliteStore({ filename }),
      workflows: [chain],
      worker: { concurrency: 2 },
      poll: '5ms',
    })
    const runs = [
      ...(await Promise.all(Array.from({ length: 6 }, (_, n) => starter.start(chain, { n })))),
      ...(await Promise.all(Array.from({ length: 6 }, (_, n) => worker.start(chain, { n })))),
    ]
    const outputs = await Promise.all(runs.map((run) => run.result()))
    expect(outputs).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5].map((n) => ({ n: n + 2 })))
    expect(most).toBeLessThanOrEqual(2)
    expect(most).toBe(2)
    await starter.close()
    await worker.close()
  })
})
