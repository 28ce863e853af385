// Cron and poll triggers on durable stores shared by several engines (workers): real SQLite files
// and a real PostgreSQL database, the real clock for the cron schedule.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createStep, createWorkflow, type Engine, type StoreV1 } from '@tessera/core'
import { createPostgresStore } from '@tessera/connectors/postgres'
import { createSqliteStore } from '@tessera/connectors/sqlite'
import { cronTrigger, pollTrigger, triggerStateCollection } from '@tessera/connectors/triggers'
import { requireService, uniqueName } from '../../test/services'
import { memoryLogger, waitFor } from '../../test/trigger-kit'

const dir = mkdtempSync(join(tmpdir(), 'tessera-triggers-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const url = 'postgres://postgres@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString: url, max: 2 })
admin.on('error', () => {})
afterAll(() => admin.end())
const pgUp = await requireService('PostgreSQL', url, () => admin.query('SELECT 1'))
const schemas: string[] = []
afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
})

const tickInput = z.object({ scheduledAt: z.string() })
const echoTick = createStep({
  id: 'echo-tick',
  input: tickInput,
  output: tickInput,
  run: ({ input }) => input,
})
const tick = createWorkflow({ id: 'durable-tick', input: tickInput }).then(echoTick).commit()

const item = z.object({ id: z.number() })
const handleItem = createStep({
  id: 'handle-item',
  input: item,
  output: item,
  run: ({ input }) => input,
})
const itemFlow = createWorkflow({ id: 'durable-item', input: item }).then(handleItem).commit()

/** Engines and stores of one test, closed after it (engines first: they use the stores). */
const engines: Engine[] = []
const stores: StoreV1[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
  await Promise.all(stores.splice(0).map((store) => store.close()))
})

interface Target {
  name: string
  /** A new database shared by every store `open` returns for it. */
  database(): { open(): Promise<StoreV1> }
}

const targets: Target[] = [
  {
    name: 'SQLite file',
    database() {
      const filename = join(dir, `${uniqueName('triggers')}.db`)
      return { open: async () => createSqliteStore({ filename }) }
    },
  },
]
if (pgUp) {
  targets.push({
    name: 'PostgreSQL',
    database() {
      const schema = uniqueName('tsr_triggers')
      schemas.push(schema)
      return {
        async open() {
          const store = createPostgresStore({ connectionString: url }, { schema })
          await store.ready()
          return store
        },
      }
    },
  })
}

const openEngine = async (
  database: { open(): Promise<StoreV1> },
  options: Parameters<typeof createEngine>[0] = {},
) => {
  const store = await database.open()
  stores.push(store)
  const engine = createEngine({ store, ...options })
  engines.push(engine)
  return engine
}

async function runsOf(store: StoreV1) {
  const runs = []
  let cursor: string | undefined
  do {
    const page = await store.listRuns({ limit: 100, ...(cursor ? { cursor } : {}) })
    runs.push(...page.runs)
    cursor = page.nextCursor
  } while (cursor)
  return runs
}

describe.each(targets)('triggers on a $name shared by two engines', (target) => {
  it('a 1-second cron schedule on the real clock: each tick starts exactly one run', async () => {
    const database = target.database()
    const loggers = [memoryLogger(), memoryLogger()]
    const workers = [
      await openEngine(database, { logger: loggers[0] }),
      await openEngine(database, { logger: loggers[1] }),
    ]
    // Two trigger objects with one id, as two processes deploying the same code would have.
    for (const engine of workers) {
      await engine.startTrigger(
        cronTrigger({ id: 'every-second', schedule: '* * * * * *', workflow: tick }),
      )
    }
    const store = workers[0]!.store
    await waitFor(async () => (await runsOf(store)).length >= 3, 'three ticks')
    await Promise.all(workers.map((engine) => engine.close()))

    const runs = await runsOf(store)
    const keys = runs.map((run) => run.idempotencyKey!)
    expect(new Set(keys).size).toBe(runs.length)
    for (const key of keys) expect(key).toMatch(/^trigger:every-second:\d{4}-.*T.*:\d\d\.000Z$/)
    for (const run of runs)
      expect(`trigger:every-second:${(run.input as { scheduledAt: string }).scheduledAt}`).toBe(
        run.idempotencyKey,
      )
    // Both workers fired ticks; for each tick one created the run and the other got it back.
    const created = workers.reduce((sum, engine) => sum + engine.triggers[0]!.runs, 0)
    expect(created).toBe(runs.length)
    const duplicates = loggers.flatMap((logger) =>
      logger.lines.filter((line) => line.message === 'Trigger event had started a run already'),
    )
    expect(duplicates.length).toBeGreaterThan(0)
    for (const duplicate of duplicates)
      expect(keys).toContain(runs.find((run) => run.id === duplicate.fields.runId)?.idempotencyKey)
    const state = await store.getRecord!({
      collection: triggerStateCollection,
      key: 'cron:every-second',
    })
    expect(keys).toContain(
      `trigger:every-second:${(state!.value as { lastTick: string }).lastTick}`,
    )
  }, 30_000)

  it('a poll trigger keeps its cursor across an engine restart', async () => {
    const database = target.database()
    const items = [1, 2, 3, 4, 5].map((id) => ({ id }))
    const cursors: (number | undefined)[] = []
    const newPoller = () =>
      pollTrigger({
        id: 'restartable',
        interval: '20ms',
        workflow: itemFlow,
        poll: async ({ cursor }: { cursor: number | undefined }) => {
          cursors.push(cursor)
          const after = items.filter((entry) => entry.id > (cursor ?? 0)).slice(0, 2)
          return { items: after, cursor: after.at(-1)?.id ?? cursor ?? 0 }
        },
        key: (entry) => `item-${entry.id}`,
      })
    const first = await openEngine(database)
    await first.startTrigger(newPoller())
    const store = first.store
    await waitFor(async () => (await runsOf(store)).length === 5, 'five runs')
    await waitFor(
      async () =>
        (await store.getRecord!({ collection: triggerStateCollection, key: 'poll:restartable' }))
          ?.value !== undefined &&
        (
          (await store.getRecord!({ collection: triggerStateCollection, key: 'poll:restartable' }))!
            .value as { cursor: number }
        ).cursor === 5,
      'the cursor at 5',
    )
    await first.close()

    items.push({ id: 6 }, { id: 7 })
    cursors.length = 0
    const second = await openEngine(database)
    await second.startTrigger(newPoller())
    await waitFor(async () => (await runsOf(second.store)).length === 7, 'seven runs')
    // The restarted trigger polled from the stored cursor, not from the start.
    expect(cursors[0]).toBe(5)
    const keys = (await runsOf(second.store)).map((run) => run.idempotencyKey).sort()
    expect(keys).toEqual([1, 2, 3, 4, 5, 6, 7].map((id) => `trigger:restartable:item-${id}`))
  }, 30_000)

  it('two pollers on one database start one run per item and share the cursor', async () => {
    const database = target.database()
    const items = Array.from({ length: 20 }, (_, index) => ({ id: index + 1 }))
    const seen: number[] = []
    const newPoller = () =>
      pollTrigger({
        id: 'shared-poller',
        interval: '10ms',
        workflow: itemFlow,
        poll: async ({ cursor }: { cursor: number | undefined }) => {
          const after = items.filter((entry) => entry.id > (cursor ?? 0)).slice(0, 3)
          seen.push(...after.map((entry) => entry.id))
          return { items: after, cursor: after.at(-1)?.id ?? cursor ?? 0 }
        },
        key: (entry) => String(entry.id),
      })
    const workers = [await openEngine(database), await openEngine(database)]
    await Promise.all(workers.map((engine) => engine.startTrigger(newPoller())))
    const store = workers[0]!.store
    await waitFor(async () => (await runsOf(store)).length >= 20, 'twenty runs')
    await Promise.all(workers.map((engine) => engine.close()))
    const runs = await runsOf(store)
    expect(
      runs.map((run) => Number((run.input as { id: number }).id)).sort((a, b) => a - b),
    ).toEqual(items.map((entry) => entry.id))
    expect(new Set(runs.map((run) => run.idempotencyKey)).size).toBe(20)
    expect(workers.reduce((sum, engine) => sum + engine.triggers[0]!.runs, 0)).toBe(20)
    const state = await store.getRecord!({
      collection: triggerStateCollection,
      key: 'poll:shared-poller',
    })
    expect(state?.value).toEqual({ cursor: 20 })
  }, 30_000)
})
