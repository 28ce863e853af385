import { readFileSync } from 'node:fs'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  createEngine,
  createStep,
  createWorkflow,
  StoreError,
  TesseraError,
  waitForever,
  type RunRecord,
  type StoreV1,
  type TaskRecord,
} from '@tessera/core'
import { describeStoreConformance } from '@tessera/core/testing'
import {
  createPostgresStore,
  isRetryablePostgresError,
  postgresMigrations,
  postgresSchemaVersion,
  type PostgresStore,
} from '@tessera/connectors/postgres'
import { requireService, uniqueName } from '../../test/services'

/** Creates a store and waits until it is ready (connected, schema checked), as a host would. */
async function openStore(...args: Parameters<typeof createPostgresStore>) {
  const store = createPostgresStore(...args)
  await store.ready()
  return store
}

const url = 'postgres://postgres@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString: url, max: 4 })
admin.on('error', () => {})
afterAll(() => admin.end())
const up = await requireService('PostgreSQL', url, () => admin.query('SELECT 1'))

/** A pool of the test's own (the store leaves it open); ended after the file. */
const pools: pg.Pool[] = []
afterAll(() => Promise.all(pools.map((pool) => pool.end())))
function newPool(config: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 6, ...config })
  pool.on('error', () => {})
  pools.push(pool)
  return pool
}

/** Drops the tables and functions of one prefix in `public` (a schema of its own is dropped). */
async function dropPrefix(prefix: string): Promise<void> {
  await admin.query(
    `DO $$ DECLARE item record; BEGIN
      FOR item IN SELECT oid::regprocedure AS signature FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace AND left(proname, ${prefix.length}) = '${prefix}'
      LOOP EXECUTE 'DROP FUNCTION ' || item.signature || ' CASCADE'; END LOOP;
      FOR item IN SELECT tablename FROM pg_tables
        WHERE schemaname = 'public' AND left(tablename, ${prefix.length}) = '${prefix}'
      LOOP EXECUTE format('DROP TABLE public.%I CASCADE', item.tablename); END LOOP;
    END $$`,
  )
}

const dropSchema = (schema: string) => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)

if (up) {
  const prefix = `${uniqueName('tsr')}_`
  describeStoreConformance({
    name: 'postgres (connection string, default schema, table prefix)',
    createStore: () => openStore({ connectionString: url }, { tablePrefix: prefix }),
    cleanup: () => dropPrefix(prefix),
  })

  const schema = uniqueName('tsr_schema')
  describeStoreConformance({
    name: 'postgres (own pool, custom schema)',
    createStore: () => openStore({ pool: newPool() }, { schema }),
    cleanup: () => dropSchema(schema).then(() => undefined),
  })
}

let counter = 0
const id = (label: string) => `${label}-${Date.now().toString(36)}-${++counter}`

function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  const now = Date.now()
  return {
    id: id('run'),
    workflowId: 'pg-test',
    workflowVersion: 'v1',
    status: 'running',
    input: { n: 1 },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  }
}

function task(run: RunRecord, key: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
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
    fence: 0,
    ...overrides,
  }
}

/** What a call threw or rejected with. */
async function errorOf(call: () => unknown): Promise<unknown> {
  try {
    await call()
  } catch (error) {
    return error
  }
  throw new Error('Expected the call to fail')
}

async function tablesOf(schema: string): Promise<string[]> {
  const result = await admin.query<{ tablename: string }>(
    'SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename',
    [schema],
  )
  return result.rows.map((row) => row.tablename)
}

async function indexesOf(schema: string): Promise<string[]> {
  const result = await admin.query<{ indexname: string }>(
    'SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
    [schema],
  )
  return result.rows.map((row) => row.indexname)
}

describe.runIf(up)('createPostgresStore', () => {
  it('declares a durable, shared store that is also a task transport', async () => {
    const schema = uniqueName('tsr_caps')
    const store = await openStore({ pool: newPool() }, { schema })
    expect(store.provider).toBe('postgres')
    expect(store.capabilities).toEqual({
      durable: true,
      shared: true,
      transport: true,
      threads: true,
      records: true,
    })
    expect(typeof store.claimNext).toBe('function')
    await store.close()
    await dropSchema(schema)
  })

  it('owns the pool it creates and leaves a pool it was given open', async () => {
    const schema = uniqueName('tsr_pool')
    const pool = newPool()
    const given = await openStore({ pool }, { schema })
    await given.close()
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    const owned = await openStore({ connectionString: url }, { schema, poolSize: 2 })
    expect(await owned.getRun('nothing')).toBeUndefined()
    await owned.close()
    await owned.close()
    const closed = await errorOf(() => owned.getRun('nothing'))
    expect(StoreError.isInstance(closed) && closed.message).toMatch(/closed/)
    await dropSchema(schema)
  })

  it('reads its JSON whatever type parsers the caller gave its pool', async () => {
    const schema = uniqueName('tsr_types')
    const raw = newPool({ types: { getTypeParser: () => (text: string) => text } })
    const store = await openStore({ pool: raw }, { schema })
    const run = runRecord()
    await store.createRun({ run, tasks: [task(run, 'a')], scopes: [] })
    expect(await store.getRun(run.id)).toEqual(run)
    expect((await raw.query('SELECT 1::int AS one')).rows).toEqual([{ one: '1' }])
    await store.close()
    await dropSchema(schema)
  })

  it('migrates idempotently: twice in a row, and from two stores at once', async () => {
    const schema = uniqueName('tsr_migrate')
    const stores = await Promise.all(
      [1, 2, 3].map(() => openStore({ pool: newPool({ max: 2 }) }, { schema })),
    )
    const again = await openStore({ pool: newPool({ max: 2 }) }, { schema })
    for (const store of [...stores, again]) await store.close()
    expect(await tablesOf(schema)).toEqual([
      'tessera_events',
      'tessera_messages',
      'tessera_meta',
      'tessera_records',
      'tessera_runs',
      'tessera_scope_results',
      'tessera_scopes',
      'tessera_steps',
      'tessera_tasks',
      'tessera_threads',
    ])
    const meta = await admin.query(
      `SELECT key, value::float8 AS value FROM "${schema}".tessera_meta ORDER BY key`,
    )
    expect(meta.rows).toEqual([
      { key: 'migrations_hash', value: expect.any(Number) },
      { key: 'schema_version', value: 3 },
    ])
    // A schema already at these migrations is left alone: no lock, no DDL (a dropped index
    // stays dropped); a changed hash (another release of the functions) applies them again.
    await admin.query(`DROP INDEX "${schema}".tessera_events_expires`)
    await (await openStore({ pool: newPool({ max: 1 }) }, { schema })).close()
    expect(await indexesOf(schema)).not.toContain('tessera_events_expires')
    await admin.query(`UPDATE "${schema}".tessera_meta SET value = 0 WHERE key = 'migrations_hash'`)
    await (await openStore({ pool: newPool({ max: 1 }) }, { schema })).close()
    expect(await indexesOf(schema)).toContain('tessera_events_expires')
    // The exported statements, applied by hand on top, change nothing either.
    const client = await admin.connect()
    try {
      for (const statement of postgresMigrations({ schema })) await client.query(statement)
    } finally {
      client.release()
    }
    expect(await tablesOf(schema)).toHaveLength(10)
    await dropSchema(schema)
  })

  it('ships the default migrations as sql/postgres/001_init.sql, 002_threads.sql and 003_records.sql, and they apply', async () => {
    const read = (name: string) =>
      readFileSync(new URL(`../../sql/postgres/${name}`, import.meta.url), 'utf8')
    const init = read('001_init.sql')
    const threads = read('002_threads.sql')
    const records = read('003_records.sql')
    // Regenerate 003 with: postgresMigrations({ from: 2 }).join(';\n\n') + ';\n' (001 and 002
    // are the schemas of versions 1 and 2, never changed: migration tools refuse a changed file).
    expect(records).toBe(postgresMigrations({ from: 2 }).join(';\n\n') + ';\n')
    expect(`${threads}\n${records}`).toBe(postgresMigrations({ from: 1 }).join(';\n\n') + ';\n')
    expect(`${init}\n${threads}\n${records}`).toBe(postgresMigrations().join(';\n\n') + ';\n')
    expect(postgresMigrations({ from: 3 })).toEqual([])
    expect(init).toContain(`VALUES ('schema_version', 1)`)
    expect(threads).toContain(`VALUES ('schema_version', 2)`)
    expect(records).toContain(`VALUES ('schema_version', ${postgresSchemaVersion})`)
    // DDL is transactional in PostgreSQL: apply the files and roll them back.
    const client = await admin.connect()
    try {
      await client.query('BEGIN')
      await client.query(init)
      await client.query(threads)
      await client.query(records)
      const found = await client.query(
        `SELECT to_regproc('public.tessera_commit') AS commit,
           to_regproc('public.tessera_append_thread') AS append,
           to_regproc('public.tessera_put_record') AS put`,
      )
      expect(found.rows[0]).toEqual({
        commit: 'tessera_commit',
        append: 'tessera_append_thread',
        put: 'tessera_put_record',
      })
    } finally {
      await client.query('ROLLBACK')
      client.release()
    }
  })

  it('with migrate: false, uses tables applied by hand and refuses when they are missing', async () => {
    const schema = uniqueName('tsr_manual')
    await admin.query(postgresMigrations({ schema, tablePrefix: 'wf_' }).join(';\n'))
    const store = await openStore(
      { pool: newPool() },
      { schema, tablePrefix: 'wf_', migrate: false },
    )
    const run = runRecord()
    expect(await store.createRun({ run, tasks: [], scopes: [] })).toEqual({ run, created: true })
    await store.close()
    const missing = await errorOf(() =>
      openStore({ pool: newPool() }, { schema, tablePrefix: 'none_', migrate: false }),
    )
    expect(StoreError.isInstance(missing) && missing.message).toMatch(/do not exist/)
    expect(await tablesOf(schema)).not.toContain('none_runs')
    await dropSchema(schema)
  })

  it('upgrades tables of schema version 1 (before threads), and refuses them with migrate: false', async () => {
    const schema = uniqueName('tsr_v1')
    const all = postgresMigrations({ schema })
    const v1 = all.slice(0, all.length - postgresMigrations({ schema, from: 1 }).length)
    await admin.query(v1.join(';\n'))
    await admin.query(
      `INSERT INTO "${schema}".tessera_runs (id, workflow_id, workflow_version, status, input,
         created_at, updated_at) VALUES ('old', 'w', 'v1', 'running', '{"n": 1}', 1, 1)`,
    )
    const refused = await errorOf(() => openStore({ pool: newPool() }, { schema, migrate: false }))
    expect(StoreError.isInstance(refused) && refused.message).toMatch(
      /schema version 1, older than the version 3 .*postgresMigrations\(\{ from: 1 \}\)/,
    )
    expect(await tablesOf(schema)).not.toContain('tessera_threads')
    const store = await openStore({ pool: newPool() }, { schema })
    expect(await store.getRun('old')).toMatchObject({ status: 'running', input: { n: 1 } })
    expect(await store.appendThreadMessages({ threadId: 't', messages: ['hi'], now: 5 })).toEqual({
      lastSeq: 1,
    })
    await store.close()
    const meta = await admin.query(
      `SELECT value::int AS value FROM "${schema}".tessera_meta WHERE key = 'schema_version'`,
    )
    expect(meta.rows).toEqual([{ value: 3 }])
    await dropSchema(schema)
  })

  it('upgrades tables of schema version 2 (before records), and refuses them with migrate: false', async () => {
    const schema = uniqueName('tsr_v2')
    const all = postgresMigrations({ schema })
    const v2 = all.slice(0, all.length - postgresMigrations({ schema, from: 2 }).length)
    await admin.query(v2.join(';\n'))
    await admin.query(
      `INSERT INTO "${schema}".tessera_threads (id, last_seq, created_at, updated_at)
       VALUES ('t', 0, 1, 1)`,
    )
    const refused = await errorOf(() => openStore({ pool: newPool() }, { schema, migrate: false }))
    expect(StoreError.isInstance(refused) && refused.message).toMatch(
      /schema version 2, older than the version 3 .*postgresMigrations\(\{ from: 2 \}\)/,
    )
    expect(await tablesOf(schema)).not.toContain('tessera_records')
    // The caller's migration tool applies the upgrade; the store then opens without migrating.
    await admin.query(postgresMigrations({ schema, from: 2 }).join(';\n'))
    const store = await openStore({ pool: newPool() }, { schema, migrate: false })
    expect(await store.getThread({ threadId: 't' })).toMatchObject({ lastSeq: 0 })
    expect(
      await store.putRecord({ collection: 'c', key: 'k', value: [1], now: 5, expectRevision: 0 }),
    ).toMatchObject({ status: 'written', record: { revision: 1 } })
    await store.close()
    const meta = await admin.query(
      `SELECT value::int AS value FROM "${schema}".tessera_meta WHERE key = 'schema_version'`,
    )
    expect(meta.rows).toEqual([{ value: 3 }])
    await dropSchema(schema)
  })

  it('shares records between stores: of 16 writers on two pools expecting one revision, one wins', async () => {
    const schema = uniqueName('tsr_records')
    const a = await openStore({ pool: newPool({ max: 8 }) }, { schema })
    const b = await openStore({ pool: newPool({ max: 8 }) }, { schema })
    const now = Date.now()
    for (const expectRevision of [0, 1, 2]) {
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, writer) =>
          (writer % 2 === 0 ? a : b).putRecord({
            collection: 'shared',
            key: 'k',
            value: writer,
            now,
            expectRevision,
          }),
        ),
      )
      expect(results.filter((result) => result.status === 'written')).toHaveLength(1)
      for (const result of results) {
        if (result.status === 'conflict') expect(result.current?.revision).toBe(expectRevision + 1)
      }
    }
    expect(await b.getRecord({ collection: 'shared', key: 'k' })).toMatchObject({ revision: 3 })
    await a.close()
    await b.close()
    await dropSchema(schema)
  })

  it('refuses a schema newer than it knows, and writes nothing', async () => {
    const schema = uniqueName('tsr_newer')
    const first = await openStore({ pool: newPool() }, { schema })
    await first.close()
    await admin.query(`UPDATE "${schema}".tessera_meta SET value = 4 WHERE key = 'schema_version'`)
    await admin.query(`DROP TABLE "${schema}".tessera_events`)
    await admin.query(`DROP FUNCTION "${schema}".tessera_purge_runs(jsonb)`)
    for (const migrate of [true, false]) {
      const error = await errorOf(() => openStore({ connectionString: url }, { schema, migrate }))
      expect(StoreError.isInstance(error)).toBe(true)
      expect((error as StoreError).message).toMatch(/schema version 4, newer than/)
      expect((error as StoreError).retryable).toBe(false)
    }
    // Nothing was recreated.
    expect(await tablesOf(schema)).not.toContain('tessera_events')
    const proc = await admin.query(`SELECT to_regproc('"${schema}".tessera_purge_runs') AS name`)
    expect(proc.rows[0].name).toBeNull()
    await dropSchema(schema)
  })

  it('rejects bad arguments with InvalidArgumentError', async () => {
    const codeOf = async (call: () => unknown) => {
      const error = await errorOf(call)
      return TesseraError.isInstance(error) ? error.code : String(error)
    }
    const pool = newPool()
    const cases: Array<() => unknown> = [
      () => openStore({ connectionString: url }, { tablePrefix: 'x; drop' }),
      () => openStore({ connectionString: url }, { tablePrefix: '1abc' }),
      () => openStore({ connectionString: url }, { schema: 'a-b' }),
      () => openStore({ connectionString: url }, { schema: '' }),
      () => openStore({ connectionString: url }, { migrate: 'yes' as never }),
      () => openStore({ connectionString: url }, { poolSize: 0 }),
      () => openStore({ pool }, { poolSize: 4 }),
      () => openStore({} as never),
      () => openStore({ connectionString: '' }),
      () => openStore({ pool: {} as never }),
      () => postgresMigrations({ tablePrefix: 'x'.repeat(41) }),
      () => postgresMigrations({ schema: 'drop table"' }),
    ]
    for (const call of cases) expect(await codeOf(call)).toBe('invalid_argument')
    // Nothing was created for them.
    const created = await admin.query(
      `SELECT count(*)::int AS count FROM pg_namespace WHERE nspname IN ('a-b', '')`,
    )
    expect(created.rows[0].count).toBe(0)
  })

  it('reports a store that could not be prepared on every call, not only from ready()', async () => {
    const store = createPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test' })
    const error = await errorOf(() => store.getRun('any'))
    expect(StoreError.isInstance(error) && error.retryable).toBe(true)
    await store.close()
  })

  it('reports an unreachable server as a retryable StoreError', async () => {
    const error = await errorOf(() =>
      openStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test' }),
    )
    expect(StoreError.isInstance(error)).toBe(true)
    expect((error as StoreError).retryable).toBe(true)
  })

  it('classifies driver errors: serialization, deadlock, lock timeout, lost connection', () => {
    for (const code of ['40001', '40P01', '55P03', '57P01', '08006', '08003', 'ECONNRESET']) {
      expect(isRetryablePostgresError(Object.assign(new Error('x'), { code }))).toBe(true)
    }
    expect(isRetryablePostgresError(new Error('Connection terminated unexpectedly'))).toBe(true)
    for (const code of ['23505', '42P01', '22P02']) {
      expect(isRetryablePostgresError(Object.assign(new Error('x'), { code }))).toBe(false)
    }
  })
})

describe.runIf(up)('a PostgreSQL store', () => {
  const schema = uniqueName('tsr_store')
  let store: PostgresStore
  let other: PostgresStore
  const poolA = up ? newPool() : undefined
  afterAll(async () => {
    await store?.close()
    await other?.close()
    await dropSchema(schema)
  })
  const ready = async () => {
    store ??= await openStore({ pool: poolA! }, { schema })
    // A second process: its own pool, the same schema.
    other ??= await openStore({ connectionString: url }, { schema, poolSize: 4 })
  }

  it('names the table and the row of a corrupt record in its StoreError', async () => {
    await ready()
    const run = runRecord()
    const a = task(run, 'a')
    await store.createRun({ run, tasks: [a], scopes: [] })
    await admin.query(`UPDATE "${schema}".tessera_tasks SET path = '"oops"' WHERE id = $1`, [a.id])
    const history = await errorOf(() => store.getRunHistory(run.id))
    expect(StoreError.isInstance(history)).toBe(true)
    expect((history as StoreError).message).toContain(`"${schema}"."tessera_tasks"`)
    expect((history as StoreError).message).toContain(a.id)
    const claim = await errorOf(() =>
      store.claimTask({ taskId: a.id, owner: 'w', leaseMs: 1000, now: Date.now() }),
    )
    expect((claim as StoreError).message).toMatch(/Corrupt row .* path/)
    await admin.query(`UPDATE "${schema}".tessera_runs SET status = 'bogus' WHERE id = $1`, [
      run.id,
    ])
    const read = await errorOf(() => store.getRun(run.id))
    expect((read as StoreError).message).toContain(`"${schema}"."tessera_runs"`)
    expect((read as StoreError).message).toContain(run.id)
    await admin.query(
      `UPDATE "${schema}".tessera_runs SET status = 'running', error = '42'
      WHERE id = $1`,
      [run.id],
    )
    const error = await errorOf(() => store.getRun(run.id))
    expect((error as StoreError).message).toMatch(/error is not a serialized error/)
    // Other tests share the schema (and claimNext sees every task): remove the corrupt rows.
    await admin.query(`DELETE FROM "${schema}".tessera_tasks WHERE run_id = $1`, [run.id])
    await admin.query(`DELETE FROM "${schema}".tessera_runs WHERE id = $1`, [run.id])
  })

  it('names the table and the thread of a corrupt thread row in its StoreError', async () => {
    await ready()
    const threadId = id('thread')
    await store.appendThreadMessages({ threadId, messages: ['a'], now: 1 })
    await store.summarizeThread({ threadId, summary: 's', throughSeq: 1, now: 2 })
    await admin.query(`UPDATE "${schema}".tessera_threads SET summary = NULL WHERE id = $1`, [
      threadId,
    ])
    const error = await errorOf(() => store.getThread({ threadId }))
    expect(StoreError.isInstance(error)).toBe(true)
    expect((error as StoreError).message).toBe(
      `[postgres] Corrupt row "${threadId}" in table "${schema}"."tessera_threads": summary_through is set but summary is NULL`,
    )
    await store.deleteThread({ threadId })
  })

  it('numbers the appends of two pools to one thread one after the other', async () => {
    await ready()
    const threadId = id('thread')
    const now = Date.now()
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        (index % 2 === 0 ? store : other).appendThreadMessages({
          threadId,
          messages: [`a${index}`, `b${index}`, `c${index}`],
          now,
        }),
      ),
    )
    expect(results.map((result) => result.lastSeq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, index) => 3 * (index + 1)),
    )
    // Summaries racing with appends: each sees a whole thread, and no message is lost.
    const racing = await Promise.all([
      store.summarizeThread({ threadId, summary: 'x', throughSeq: 45, now }),
      other.appendThreadMessages({ threadId, messages: ['late'], now }),
      other.summarizeThread({ threadId, summary: 'y', throughSeq: 45, now }),
    ])
    expect(racing[1]).toEqual({ lastSeq: 91 })
    expect([racing[0].status, racing[2].status].sort()).toEqual(['stale', 'summarized'])
    const thread = await other.getThread({ threadId })
    expect(thread?.messages.map((entry) => entry.seq)).toEqual(
      Array.from({ length: 46 }, (_, index) => 46 + index),
    )
    expect(await store.deleteThread({ threadId })).toBe(true)
  })

  it('refuses a commit with a stale fence from another pool, writing nothing', async () => {
    await ready()
    const run = runRecord()
    const a = task(run, 'a')
    await store.createRun({ run, tasks: [a], scopes: [] })
    const now = Date.now()
    const first = await store.claimTask({ taskId: a.id, owner: 'p1', leaseMs: 100, now })
    expect(first.status === 'claimed' && first.task.fence).toBe(1)
    // The lease runs out; the other process takes the task over.
    const second = await other.claimTask({
      taskId: a.id,
      owner: 'p2',
      leaseMs: 100,
      now: now + 100,
    })
    expect(second.status === 'claimed' && second.task.fence).toBe(2)
    const step = {
      runId: run.id,
      key: 'a',
      nodeId: 'a',
      path: [],
      status: 'succeeded' as const,
      output: 1,
      attempts: 1,
      startedAt: now,
      endedAt: now,
    }
    const stale = await store.commit({
      runId: run.id,
      task: { id: a.id, fence: 1 },
      step,
      tasks: [task(run, 'b')],
    })
    expect(stale).toEqual({ status: 'stale' })
    const untouched = await other.getRunHistory(run.id)
    expect(untouched?.steps).toEqual([])
    expect(untouched?.tasks.map((t) => [t.id, t.fence])).toEqual([[a.id, 2]])
    expect(
      await other.commit({
        runId: run.id,
        task: { id: a.id, fence: 2 },
        step: { ...step, output: 2 },
      }),
    ).toEqual({ status: 'committed' })
    expect((await store.getRunHistory(run.id))?.steps.map((s) => s.output)).toEqual([2])
  })

  it('never hands one task to two pools claiming concurrently (many tasks, many rounds)', async () => {
    await ready()
    // Only this test's tasks are claimable at `now`: other tests' tasks are in the past too, so
    // they are drained first and filtered out.
    const now = Date.now() + 1000
    const runs = Array.from({ length: 10 }, () => runRecord())
    const all: TaskRecord[] = []
    for (const run of runs) {
      const tasks = Array.from({ length: 30 }, (_, i) =>
        task(run, `t${i}`, { availableAt: now - i }),
      )
      all.push(...tasks)
      await store.createRun({ run, tasks, scopes: [] })
    }
    const mine = new Set(all.map((t) => t.id))
    const claimed: TaskRecord[] = []
    for (let round = 0; round < 100; round++) {
      const batches = await Promise.all(
        [store, other, store, other, store, other].map((s, worker) =>
          s.claimNext({ owner: `w${worker}`, leaseMs: 60_000, now, limit: 7 }),
        ),
      )
      const got = batches.flat()
      claimed.push(...got.filter((t) => mine.has(t.id)))
      if (got.length === 0) break
    }
    expect(claimed).toHaveLength(all.length)
    expect(new Set(claimed.map((t) => t.id)).size).toBe(all.length)
    for (const t of claimed) expect(t.fence).toBe(1)
  })

  it('creates a run once when two processes start it with one idempotency key at once', async () => {
    await ready()
    const key = id('key')
    for (let round = 0; round < 5; round++) {
      const runs = [
        runRecord({ idempotencyKey: `${key}-${round}` }),
        runRecord({ idempotencyKey: `${key}-${round}` }),
      ]
      const results = await Promise.all(
        [store, other, store, other].map((s, index) =>
          s.createRun({ run: runs[index % 2]!, tasks: [task(runs[index % 2]!, 'a')], scopes: [] }),
        ),
      )
      expect(results.filter((result) => result.created)).toHaveLength(1)
      const winner = results.find((result) => result.created)!.run.id
      expect(new Set(results.map((result) => result.run.id))).toEqual(new Set([winner]))
      const loser = runs.find((run) => run.id !== winner)!
      expect(await store.getRun(loser.id)).toBeUndefined()
      await store.commit({ runId: winner, run: { status: 'cancelled', updatedAt: Date.now() } })
    }
  })

  it('never loses an event racing with the commit that registers its wait', async () => {
    await ready()
    for (let round = 0; round < 15; round++) {
      const name = id('race')
      const run = runRecord()
      const start = task(run, 'start')
      await store.createRun({ run, tasks: [start], scopes: [] })
      const now = Date.now()
      await store.claimTask({ taskId: start.id, owner: 'w', leaseMs: 60_000, now })
      const wait = task(run, 'wait', { availableAt: waitForever, wait: { kind: 'event', name } })
      const event = {
        id: id('event'),
        name,
        payload: { round },
        receivedAt: now,
        expiresAt: now + 60_000,
      }
      const [committed, delivered] = await Promise.all([
        store.commit({ runId: run.id, task: { id: start.id, fence: 1 }, tasks: [wait], now }),
        other.deliverEvent({ event, now }),
      ])
      expect(committed.status).toBe('committed')
      // Either the delivery found the wait, or the commit found the event in the inbox.
      const woken = committed.status === 'committed' ? (committed.woken ?? []) : []
      expect(delivered.delivered.length + woken.length).toBe(1)
      const history = await store.getRunHistory(run.id)
      expect(history?.tasks[0]?.wait?.resolution).toMatchObject({ eventId: event.id })
      expect(history?.run.status).toBe('running')
    }
  })

  it('matches events on nested values, nulls and numbers as the canonical JSON of the wait', async () => {
    await ready()
    const name = id('match')
    const run = runRecord()
    const waits = [
      { key: 'nested', match: { order: { id: 'A1', lines: [1, 2] } } },
      { key: 'null', match: { coupon: null } },
      { key: 'two', match: { region: 'eu', tier: 2 } },
      { key: 'any', match: {} },
    ].map(({ key, match }) =>
      task(run, key, { availableAt: waitForever, wait: { kind: 'event', name, match } }),
    )
    await store.createRun({ run, tasks: waits, scopes: [] })
    const send = async (payload: unknown) => {
      const now = Date.now()
      const event = { id: id('e'), name, payload, receivedAt: now, expiresAt: now }
      return (await other.deliverEvent({ event, now })).delivered.map((t) => t.key).sort()
    }
    expect(await send({ order: { lines: [2, 1], id: 'A1' } })).toEqual(['any'])
    expect(await send({ tier: 2, region: 'eu', order: { lines: [1, 2], id: 'A1' }, x: 1 })).toEqual(
      ['nested', 'two'],
    )
    expect(await send({ coupon: 'none' })).toEqual([])
    expect(await send({ coupon: null })).toEqual(['null'])
  })

  it('keeps an event in the inbox only when it expires after both now and its arrival', async () => {
    await ready()
    const now = Date.now()
    const name = id('kept')
    const send = (receivedAt: number, expiresAt: number) =>
      other.deliverEvent({ event: { id: id('e'), name, payload: {}, receivedAt, expiresAt }, now })
    await send(now + 50, now + 10) // expires before it arrived: never kept
    await send(now, now) // expired now: never kept
    const kept = { receivedAt: now, expiresAt: now + 60_000 }
    await send(kept.receivedAt, kept.expiresAt)
    const inbox = await admin.query(
      `SELECT received_at::float8 AS "receivedAt", expires_at::float8 AS "expiresAt"
       FROM "${schema}".tessera_events WHERE name = $1`,
      [name],
    )
    expect(inbox.rows).toEqual([kept])
  })

  it('keeps JSON values exactly, null and absent apart', async () => {
    await ready()
    const input = {
      text: 'é ✓ "quoted" \\ ',
      big: 8_640_000_000_000_000,
      neg: -0.5,
      list: [null, {}],
    }
    const run = runRecord({ input, output: null })
    const a = task(run, 'a', { input: null })
    await store.createRun({ run, tasks: [a], scopes: [] })
    const history = await store.getRunHistory(run.id)
    expect(history?.run).toEqual(run)
    expect(history?.run.output).toBeNull()
    expect('error' in history!.run).toBe(false)
    expect(history?.tasks[0]?.input).toBeNull()
    expect('lastError' in history!.tasks[0]!).toBe(false)
  })

  it('reports a held row lock past lock_timeout as a retryable StoreError, and writes nothing', async () => {
    await ready()
    const impatient = await openStore(
      { pool: newPool({ options: '-c lock_timeout=50' }) },
      { schema, migrate: false },
    )
    const run = runRecord()
    await store.createRun({ run, tasks: [task(run, 'a')], scopes: [] })
    const holder = await admin.connect()
    try {
      await holder.query('BEGIN')
      await holder.query(`SELECT 1 FROM "${schema}".tessera_runs WHERE id = $1 FOR UPDATE`, [
        run.id,
      ])
      const error = await errorOf(() =>
        impatient.commit({ runId: run.id, tasks: [task(run, 'b')], now: Date.now() }),
      )
      expect(StoreError.isInstance(error) && error.retryable).toBe(true)
      expect((error as StoreError).cause).toMatchObject({ code: '55P03' })
    } finally {
      await holder.query('ROLLBACK')
      holder.release()
    }
    expect((await store.getRunHistory(run.id))?.tasks.map((t) => t.key)).toEqual(['a'])
    await impatient.close()
  })

  it('maps a value JSON cannot hold to a StoreError, writing nothing', async () => {
    await ready()
    const run = runRecord({ input: { big: 1n } })
    const error = await errorOf(() => store.createRun({ run, tasks: [], scopes: [] }))
    expect(StoreError.isInstance(error) && error.retryable).toBe(false)
    expect((error as StoreError).cause).toBeInstanceOf(TypeError)
    expect(await store.getRun(run.id)).toBeUndefined()
  })

  it('answers a commit and a claim with one round trip each', async () => {
    await ready()
    const pool = newPool({ max: 2 })
    const counted = await openStore({ pool }, { schema, migrate: false })
    const run = runRecord()
    await counted.createRun({ run, tasks: [task(run, 'a')], scopes: [] })
    let queries = 0
    const query = pool.query.bind(pool)
    pool.query = ((...args: Parameters<typeof query>) => {
      queries++
      return query(...args)
    }) as typeof pool.query
    const now = Date.now()
    const claim = await counted.claimTask({ taskId: `${run.id}/a`, owner: 'w', leaseMs: 5000, now })
    expect(claim.status).toBe('claimed')
    expect(queries).toBe(1)
    const step = {
      runId: run.id,
      key: 'a',
      nodeId: 'a',
      path: [],
      status: 'succeeded' as const,
      output: { ok: true },
      attempts: 1,
      startedAt: now,
      endedAt: now,
    }
    expect(
      await counted.commit({
        runId: run.id,
        task: { id: `${run.id}/a`, fence: 1 },
        step,
        tasks: [task(run, 'b')],
      }),
    ).toEqual({ status: 'committed' })
    // One statement each (pg sends parse, bind and execute of a named statement together).
    expect(queries).toBe(2)
    const threadId = id('thread')
    await counted.appendThreadMessages({ threadId, messages: [1, 2, 3], now })
    await counted.summarizeThread({ threadId, summary: 's', throughSeq: 2, now })
    expect((await counted.getThread({ threadId }))?.lastSeq).toBe(3)
    await counted.deleteThread({ threadId })
    expect(queries).toBe(6)
    await counted.close()
  })
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
const workflow = createWorkflow({ id: 'postgres-e2e', input: num })
  .then(inc)
  .parallel({ a: inc, b: double })
  .map(({ input }) => [input.a.n, input.b.n, 7])
  .foreach(each, { concurrency: 2 })
  .map(({ input }) => ({ total: input.reduce((sum, value) => sum + value, 0) }))
  .commit()

describe.runIf(up)('an engine on the PostgreSQL store', () => {
  it('runs a workflow to completion, and another store on the database reads the run', async () => {
    const schema = uniqueName('tsr_engine')
    const store: StoreV1 = await openStore({ connectionString: url }, { schema })
    const engine = createEngine({ store })
    const key = id('order')
    const run = await engine.start(workflow, { n: 1 }, { idempotencyKey: key })
    // n: 1 → inc 2 → { a: 3, b: 4 } → [3, 4, 7] → [30, 40, 70] → 140
    expect(await run.result()).toEqual({ total: 140 })
    const again = await engine.start(workflow, { n: 5 }, { idempotencyKey: key })
    expect(again.id).toBe(run.id)
    await engine.close()
    await store.close()

    const reader = await openStore({ pool: newPool() }, { schema })
    expect(await reader.getRun(run.id)).toMatchObject({
      id: run.id,
      workflowId: 'postgres-e2e',
      status: 'succeeded',
      input: { n: 1 },
      output: { total: 140 },
    })
    const history = await reader.getRunHistory(run.id)
    expect(history?.tasks).toEqual([])
    expect(history?.steps.length).toBeGreaterThanOrEqual(6)
    await reader.close()
    await dropSchema(schema)
  })

  it('suspends runs on event waits, approvals and sleeps, and resumes them from the database', async () => {
    const schema = uniqueName('tsr_engine_waits')
    const store = await openStore({ connectionString: url }, { schema })
    const engine = createEngine({ store, poll: '10ms', resultPollInterval: '10ms' })
    const flow = createWorkflow({ id: 'postgres-waits', input: z.object({ orderId: z.string() }) })
      .waitForEvent('paid', {
        schema: z.object({ orderId: z.string(), amount: z.number() }),
        match: ({ input }) => ({ orderId: input.orderId }),
      })
      .approval({ id: 'manager' })
      .sleep('20ms')
      .map(() => ({ done: true }))
      .commit()
    // Order A's payment arrives before its run: the inbox keeps it for the wait.
    await engine.sendEvent('paid', { orderId: 'A', amount: 5 })
    const a = await engine.start(flow, { orderId: 'A' })
    const b = await engine.start(flow, { orderId: 'B' })
    await statusOf(b, 'suspended')
    await engine.sendEvent('paid', { orderId: 'B', amount: 7 })
    for (const run of [a, b]) {
      await statusOf(run, 'suspended')
      await run.approve('manager')
    }
    expect(await a.result()).toEqual({ done: true })
    expect(await b.result()).toEqual({ done: true })
    const history = await store.getRunHistory(b.id)
    expect(history?.steps.map((step) => step.nodeId)).toEqual(['paid', 'manager', 'sleep'])
    expect(history?.steps[0]?.output).toEqual({ orderId: 'B', amount: 7 })
    await engine.close()
    await store.close()
    await dropSchema(schema)
  })

  it('shares the work of one database between two worker engines, each step once', async () => {
    const schema = uniqueName('tsr_engine_shared')
    const runsOf = new Map<string, number>()
    const count = createStep({
      id: 'count',
      input: num,
      output: num,
      run: async ({ input, runId }) => {
        runsOf.set(`${runId}/${input.n}`, (runsOf.get(`${runId}/${input.n}`) ?? 0) + 1)
        await new Promise((resolve) => setTimeout(resolve, 1))
        return { n: input.n + 1 }
      },
    })
    const chain = createWorkflow({ id: 'postgres-shared', input: num })
      .then(count)
      .then(count)
      .then(count)
      .commit()
    const stores = await Promise.all(
      [1, 2, 3].map(() => openStore({ pool: newPool({ max: 4 }) }, { schema })),
    )
    const [starterStore, ...workerStores] = stores as [PostgresStore, ...PostgresStore[]]
    const starter = createEngine({
      store: starterStore,
      worker: false,
      resultPollInterval: '10ms',
      workflows: [chain],
    })
    const workers = workerStores.map((store, index) =>
      createEngine({
        store,
        poll: '5ms',
        worker: { concurrency: 4, id: `worker-${index}` },
        workflows: [chain],
      }),
    )
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, n) => starter.start(chain, { n: n * 10 })),
    )
    const results = await Promise.all(runs.map((run) => run.result()))
    expect(results).toEqual(Array.from({ length: 12 }, (_, n) => ({ n: n * 10 + 3 })))
    expect(runsOf.size).toBe(36)
    expect([...runsOf.values()].every((times) => times === 1)).toBe(true)
    for (const engine of [starter, ...workers]) await engine.close()
    for (const store of stores) await store.close()
    await dropSchema(schema)
  })
  it('a second worker adds capacity: steps run on both at once, beyond one worker’s limit', async () => {
    const schema = uniqueName('tsr_engine_capacity')
    let inFlight = 0
    let peak = 0
    let release!: () => void
    const allIn = new Promise<void>((resolve) => (release = resolve))
    const hold = createStep({
      id: 'hold',
      input: num,
      output: num,
      run: async ({ input }) => {
        inFlight++
        peak = Math.max(peak, inFlight)
        if (inFlight === 4) release()
        // Held until four steps run at once; the 5 s bound only keeps a broken build from hanging.
        await Promise.race([allIn, new Promise((resolve) => setTimeout(resolve, 5_000))])
        inFlight--
        return { n: input.n + 1 }
      },
    })
    const single = createWorkflow({ id: 'postgres-capacity', input: num }).then(hold).commit()
    const stores = await Promise.all(
      [1, 2, 3].map(() => openStore({ pool: newPool({ max: 4 }) }, { schema })),
    )
    const [starterStore, ...workerStores] = stores as [PostgresStore, ...PostgresStore[]]
    const starter = createEngine({
      store: starterStore,
      worker: false,
      resultPollInterval: '10ms',
      workflows: [single],
    })
    // Two workers that each run at most two steps at a time.
    const workers = workerStores.map((store, index) =>
      createEngine({
        store,
        poll: '5ms',
        worker: { concurrency: 2, id: `capacity-${index}` },
        workflows: [single],
      }),
    )
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, n) => starter.start(single, { n })),
    )
    const results = await Promise.all(runs.map((run) => run.result()))
    expect(results).toEqual(Array.from({ length: 8 }, (_, n) => ({ n: n + 1 })))
    expect(peak).toBe(4) // two workers × two slots: the second worker's capacity was used
    for (const engine of [starter, ...workers]) await engine.close()
    for (const store of stores) await store.close()
    await dropSchema(schema)
  })
})

/** Polls the stored status (the store derives `suspended`) until it is `status`. */
async function statusOf(run: { record(): Promise<RunRecord> }, status: string): Promise<void> {
  for (let turn = 0; turn < 2000; turn++) {
    if ((await run.record()).status === status) return
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  throw new Error(`The run never became ${status}`)
}
