// Group commit of the PostgreSQL store: commits that come while `commitConcurrency` commit
// statements run go together, as one statement, and each gets its own answer.
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import {
  InvalidArgumentError,
  StoreError,
  type CommitInput,
  type RunRecord,
  type TaskRecord,
} from '@tessera/core'
import { createPostgresStore, type PostgresStore } from '@tessera/connectors/postgres'
import { requireService, uniqueName } from '../../test/services'

const url = 'postgres://postgres@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString: url, max: 2 })
admin.on('error', () => {})
afterAll(() => admin.end())
const up = await requireService('PostgreSQL', url, () => admin.query('SELECT 1'))

const pools: pg.Pool[] = []
afterAll(() => Promise.all(pools.map((pool) => pool.end())))

/** A store on a pool of its own whose statements are counted (`texts`, in order). */
async function countedStore(
  schema: string,
  commitConcurrency: number,
): Promise<{ store: PostgresStore; texts: string[] }> {
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  pool.on('error', () => {})
  pools.push(pool)
  const store = createPostgresStore({ pool }, { schema, commitConcurrency })
  await store.ready()
  const texts: string[] = []
  const query = pool.query.bind(pool)
  pool.query = ((config: { text?: string }, ...rest: unknown[]) => {
    texts.push(typeof config === 'string' ? config : (config.text ?? ''))
    return (query as (...args: unknown[]) => unknown)(config, ...rest)
  }) as typeof pool.query
  return { store, texts }
}

let counter = 0
function runRecord(): RunRecord {
  const now = Date.now()
  return {
    id: `run-${now.toString(36)}-${++counter}`,
    workflowId: 'group-test',
    workflowVersion: 'v1',
    status: 'running',
    input: { n: counter },
    createdAt: now,
    updatedAt: now,
  }
}

function task(run: RunRecord, key: string): TaskRecord {
  return {
    id: `${run.id}/${key}`,
    runId: run.id,
    workflowId: run.workflowId,
    workflowVersion: run.workflowVersion,
    nodeId: key,
    key,
    path: [],
    input: { key },
    attempt: 1,
    availableAt: 0,
    fence: 1,
    leaseOwner: 'worker',
    leaseExpiresAt: Date.now() + 60_000,
  }
}

/** Step `a` of `run` done, its successor `b` queued, as the engine commits a step. */
function stepCommit(run: RunRecord, fence = 1): CommitInput {
  const now = Date.now()
  return {
    runId: run.id,
    now,
    task: { id: `${run.id}/a`, fence },
    step: {
      runId: run.id,
      key: 'a',
      nodeId: 'a',
      path: [],
      status: 'succeeded',
      output: { run: run.id },
      attempts: 1,
      startedAt: now,
      endedAt: now,
    },
    tasks: [task(run, 'b')],
  }
}

const commitTexts = (texts: string[]) => texts.filter((text) => text.includes('_commit"('))
const isGroup = (text: string) => text.includes('jsonb_array_elements($1::jsonb)')

describe.runIf(up)('PostgreSQL group commit', () => {
  const schema = uniqueName('tsr_group')
  afterAll(() => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))

  it('sends the commits that wait for a slot as one statement, each with its own answer', async () => {
    const { store, texts } = await countedStore(schema, 1)
    const runs = Array.from({ length: 12 }, runRecord)
    for (const run of runs) await store.createRun({ run, tasks: [task(run, 'a')], scopes: [] })
    // Run 0's step is committed first: the same commit again is refused (its task is gone).
    await store.commit(stepCommit(runs[0]!))
    texts.length = 0
    const inputs = runs.map((run, index) =>
      index === 0 ? stepCommit(runs[0]!) : index === 5 ? stepCommit(run, 7) : stepCommit(run),
    )
    const answers = await Promise.all(inputs.map((input) => store.commit(input)))
    expect(answers[0]).toEqual({ status: 'stale' })
    expect(answers[5]).toEqual({ status: 'stale' })
    for (const index of [1, 2, 3, 4, 6, 7, 8, 9, 10, 11]) {
      expect(answers[index]).toEqual({ status: 'committed' })
    }
    // The first went alone; the eleven that came while it ran went together.
    expect(commitTexts(texts).map(isGroup)).toEqual([false, true])
    for (const [index, run] of runs.entries()) {
      const history = await store.getRunHistory(run.id)
      expect(history?.steps.map((step) => step.key)).toEqual(index === 5 ? [] : ['a'])
      expect(history?.tasks.map((t) => t.key)).toEqual(index === 5 ? ['a'] : ['b'])
    }
    await store.close()
  })

  it('gives each commit of one run in a group the answer it would get alone', async () => {
    const { store, texts } = await countedStore(schema, 1)
    const run = runRecord()
    const other = runRecord()
    for (const r of [run, other])
      await store.createRun({ run: r, tasks: [task(r, 'a')], scopes: [] })
    texts.length = 0
    const answers = await Promise.all([
      store.commit(stepCommit(other)),
      store.commit(stepCommit(run)),
      // The same step again, in the same group: refused as the second of two commits is.
      store.commit(stepCommit(run)),
    ])
    expect(answers).toEqual([{ status: 'committed' }, { status: 'committed' }, { status: 'stale' }])
    expect(commitTexts(texts).map(isGroup)).toEqual([false, true])
    expect((await store.getRunHistory(run.id))?.steps).toHaveLength(1)
    await store.close()
  })

  it('sends each commit of a group that failed alone: one error, the others committed', async () => {
    const { store, texts } = await countedStore(schema, 1)
    const runs = Array.from({ length: 4 }, runRecord)
    for (const run of runs) await store.createRun({ run, tasks: [task(run, 'a')], scopes: [] })
    texts.length = 0
    const broken = stepCommit(runs[2]!)
    // A fence PostgreSQL cannot read as a bigint fails the statement that carries it.
    ;(broken.task as { fence: unknown }).fence = 'not a number'
    const settled = await Promise.allSettled([
      store.commit(stepCommit(runs[0]!)),
      store.commit(stepCommit(runs[1]!)),
      store.commit(broken),
      store.commit(stepCommit(runs[3]!)),
    ])
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ])
    const error = (settled[2] as PromiseRejectedResult).reason
    expect(StoreError.isInstance(error) && error.message).toMatch(/Could not commit/)
    // Alone, then the group of three (rolled back), then each of the three alone.
    expect(commitTexts(texts).map(isGroup)).toEqual([false, true, false, false, false])
    for (const [index, run] of runs.entries()) {
      const steps = (await store.getRunHistory(run.id))?.steps ?? []
      expect(steps).toHaveLength(index === 2 ? 0 : 1)
    }
    await store.close()
  })

  it('creates the runs that wait for a slot in one statement, idempotent within the group', async () => {
    const { store, texts } = await countedStore(schema, 1)
    const runs = Array.from({ length: 6 }, runRecord)
    const keyed = { ...runRecord(), idempotencyKey: `key-${counter}` }
    const sameKey = { ...runRecord(), idempotencyKey: keyed.idempotencyKey }
    texts.length = 0
    const created = await Promise.all([
      ...runs.map((run) => store.createRun({ run, tasks: [task(run, 'a')], scopes: [] })),
      // The same run again, and two runs with one idempotency key, in the same group.
      store.createRun({ run: runs[3]!, tasks: [task(runs[3]!, 'a')], scopes: [] }),
      store.createRun({ run: keyed, tasks: [task(keyed, 'a')], scopes: [] }),
      store.createRun({ run: sameKey, tasks: [task(sameKey, 'a')], scopes: [] }),
    ])
    expect(created.slice(0, 7).map((answer) => answer.created)).toEqual([
      ...runs.map(() => true),
      false,
    ])
    expect(created[6]?.run).toEqual(runs[3])
    // Of two runs with one key, one is created (groups go in run-id order) and the other
    // answers it.
    const [first, second] = [created[7]!, created[8]!]
    expect([first.created, second.created].sort()).toEqual([false, true])
    const winner = first.created ? keyed : sameKey
    expect(first.run).toEqual(winner)
    expect(second.run).toEqual(winner)
    const creates = texts.filter((text) => text.includes('_create_run"('))
    expect(creates.map((text) => text.includes('jsonb_array_elements($1::jsonb)'))).toEqual([
      false,
      true,
    ])
    for (const run of [...runs, winner]) {
      expect((await store.getRunHistory(run.id))?.tasks.map((t) => t.key)).toEqual(['a'])
    }
    expect(await store.getRun(winner === keyed ? sameKey.id : keyed.id)).toBeUndefined()
    await store.close()
  })

  it('answers the commits it accepted before close()', async () => {
    const { store } = await countedStore(schema, 1)
    const runs = Array.from({ length: 5 }, runRecord)
    for (const run of runs) await store.createRun({ run, tasks: [task(run, 'a')], scopes: [] })
    const commits = runs.map((run) => store.commit(stepCommit(run)))
    await store.close()
    expect(await Promise.all(commits)).toEqual(runs.map(() => ({ status: 'committed' })))
  })

  it('sends every commit alone with commitConcurrency: Infinity', async () => {
    const { store, texts } = await countedStore(schema, Infinity)
    const runs = Array.from({ length: 4 }, runRecord)
    for (const run of runs) await store.createRun({ run, tasks: [task(run, 'a')], scopes: [] })
    texts.length = 0
    await Promise.all(runs.map((run) => store.commit(stepCommit(run))))
    expect(commitTexts(texts).map(isGroup)).toEqual([false, false, false, false])
    await store.close()
  })

  it('refuses a commitConcurrency that is not a positive integer', () => {
    for (const commitConcurrency of [0, 1.5, -1, Number.NaN]) {
      const error = (() => {
        try {
          createPostgresStore({ connectionString: url }, { commitConcurrency })
        } catch (caught) {
          return caught
        }
      })()
      expect(InvalidArgumentError.isInstance(error)).toBe(true)
      expect((error as Error).message).toMatch(/commitConcurrency/)
    }
  })
})
