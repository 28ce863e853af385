import { createPool } from 'mysql2/promise'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createStep, createWorkflow } from '@tessera/core'
import { createMysqlStore } from '@tessera/connectors/mysql'
import { requireService, uniqueName } from '../../test/services'

const uri = process.env.TESSERA_MYSQL_URI ?? 'mysql://root@127.0.0.1:3306/test'
const admin = createPool({ uri, connectionLimit: 1 })
const up = await requireService('MariaDB/MySQL', uri, () => admin.query('SELECT 1'))
const prefix = `${uniqueName('engine')}_`
afterAll(async () => {
  if (up) {
    const tables = [
      'meta',
      'runs',
      'steps',
      'tasks',
      'scopes',
      'scope_results',
      'inbox',
      'wait_fields',
    ]
    await admin.query(`DROP TABLE IF EXISTS ${tables.map((table) => prefix + table).join(', ')}`)
  }
  await admin.end()
})

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

const workflow = createWorkflow({ id: 'mysql-e2e', input: num })
  .then(inc)
  .parallel({ a: inc, b: double })
  .map(({ input }) => [input.a.n, input.b.n, 7])
  .foreach(each, { concurrency: 2 })
  .map(({ input }) => ({ total: input.reduce((sum, value) => sum + value, 0) }))
  .commit()

describe.runIf(up)('an engine on the MySQL store', () => {
  it('runs a workflow to completion, and another store on the database reads it back', async () => {
    const store = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 4 })
    const engine = createEngine({ store })
    const run = await engine.start(workflow, { n: 1 }, { idempotencyKey: 'order-1' })
    // n: 1 → inc 2 → { a: 3, b: 4 } → [3, 4, 7] → [30, 40, 70] → 140
    expect(await run.result()).toEqual({ total: 140 })
    const again = await engine.start(workflow, { n: 5 }, { idempotencyKey: 'order-1' })
    expect(again.id).toBe(run.id)
    await engine.close()
    await store.close()

    const other = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 2 })
    expect(await other.getRun(run.id)).toMatchObject({
      id: run.id,
      workflowId: 'mysql-e2e',
      status: 'succeeded',
      input: { n: 1 },
      output: { total: 140 },
      idempotencyKey: 'order-1',
    })
    const history = await other.getRunHistory(run.id)
    const steps = Object.fromEntries(history!.steps.map((step) => [step.key, step]))
    expect(steps).toMatchObject({
      inc: { status: 'succeeded', output: { n: 2 }, attempts: 1 },
      'each#0': { nodeId: 'each', path: [0], output: 30 },
      'each#2': { nodeId: 'each', path: [2], output: 70 },
    })
    expect(history!.tasks).toEqual([])
    expect(history!.scopes.every((scope) => scope.closed)).toBe(true)
    const engine2 = createEngine({ store: other })
    expect(await (await engine2.getRun(run.id)).result()).toEqual({ total: 140 })
    await engine2.close()
    await other.close()
  })

  it('records a failed run durably', async () => {
    const boom = createStep({
      id: 'boom',
      input: num,
      output: num,
      retry: { attempts: 2, backoff: { type: 'fixed', initial: '1ms' } },
      run: () => {
        throw new Error('no luck')
      },
    })
    const failing = createWorkflow({ id: 'mysql-fails', input: num }).then(boom).commit()
    const store = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 2 })
    const engine = createEngine({ store })
    const run = await engine.start(failing, { n: 1 })
    await expect(run.result()).rejects.toThrow()
    await engine.close()
    const history = await store.getRunHistory(run.id)
    expect(history?.run.status).toBe('failed')
    expect(history?.steps).toMatchObject([{ key: 'boom', status: 'failed', attempts: 2 }])
    expect(history?.steps[0]?.error?.message).toContain('no luck')
    await store.close()
  })
})
