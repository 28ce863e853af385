// The schema over time: databases of the previous schema migrate forward, a newer schema is
// refused without a write, and rows that cannot be read back say which row of which table.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { StoreError, waitForever, type StoreV1 } from '@tessera/core'
import {
  createSqliteStore,
  sqliteMigrations,
  sqliteSchemaVersion,
} from '@tessera/connectors/sqlite'

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-schema-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newFile = () => join(dir, `db-${++files}.db`)

/** The schema before versions, as sqliteMigrations() wrote it (a fixture copied at the time). */
const schemaV0 = readFileSync(new URL('../../sql/sqlite/schema-v0.sql', import.meta.url), 'utf8')
/** A database file with the version-0 tables under `prefix`, and rows written as v0 did. */
function createV0Database(filename: string, prefix = 'tessera_'): void {
  const db = new Database(filename)
  db.pragma('journal_mode = WAL')
  db.exec(schemaV0.replaceAll('tessera_', prefix))
  const insert = (table: string, row: Record<string, unknown>) =>
    db
      .prepare(
        `INSERT INTO ${prefix}${table} (${Object.keys(row).join(', ')})
         VALUES (${Object.keys(row)
           .map((column) => `@${column}`)
           .join(', ')})`,
      )
      .run(row)
  const run = { workflow_id: 'w', workflow_version: 'v1', created_at: 1000, updated_at: 1000 }
  insert('runs', { ...run, id: 'live', status: 'running', input: '{"n":1}', idempotency_key: 'k1' })
  insert('runs', {
    ...run,
    id: 'done',
    status: 'succeeded',
    input: '{"n":2}',
    output: '{"total":3}',
    created_at: 900,
    ended_at: 1100,
  })
  const step = {
    node_id: 'a',
    path: '[]',
    status: 'succeeded',
    attempts: 1,
    started_at: 1,
    ended_at: 2,
  }
  insert('steps', { ...step, run_id: 'live', key: 'a', output: '{"n":2}' })
  insert('steps', { ...step, run_id: 'done', key: 'a', output: '{"total":3}' })
  const task = { run_id: 'live', workflow_id: 'w', workflow_version: 'v1', path: '[]', attempt: 1 }
  insert('tasks', {
    ...task,
    id: 'live/b',
    node_id: 'b',
    key: 'b',
    input: '{"n":2}',
    available_at: 1000,
    fence: 0,
  })
  insert('tasks', {
    ...task,
    id: 'live/c',
    node_id: 'c',
    key: 'c',
    input: '{"n":2}',
    available_at: 1000,
    fence: 1,
    lease_owner: 'old-worker',
    lease_expires_at: 5000,
  })
  insert('scopes', { run_id: 'live', key: 'p', expected: 2, completed: 1, items: '[1,2]' })
  insert('scope_results', { run_id: 'live', scope_key: 'p', idx: 0, output: '"first"' })
  db.close()
}

const tableSql = (filename: string, table: string) => {
  const db = new Database(filename, { readonly: true })
  try {
    return db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).pluck().get(table) as string
  } finally {
    db.close()
  }
}

async function expectV0DataWorks(store: StoreV1) {
  expect(await store.getRun('live')).toEqual({
    id: 'live',
    workflowId: 'w',
    workflowVersion: 'v1',
    status: 'running',
    input: { n: 1 },
    idempotencyKey: 'k1',
    createdAt: 1000,
    updatedAt: 1000,
  })
  const history = await store.getRunHistory('live')
  expect(history?.steps).toEqual([
    {
      runId: 'live',
      key: 'a',
      nodeId: 'a',
      path: [],
      status: 'succeeded',
      output: { n: 2 },
      attempts: 1,
      startedAt: 1,
      endedAt: 2,
    },
  ])
  expect(history?.tasks.map((task) => task.id)).toEqual(['live/b', 'live/c'])
  expect(history?.tasks[1]).toMatchObject({ fence: 1, leaseOwner: 'old-worker' })
  expect(history?.tasks.some((task) => 'wait' in task || 'parked' in task)).toBe(false)
  expect(await store.getScope('live', 'p')).toMatchObject({
    completed: 1,
    results: { 0: 'first' },
    items: [1, 2],
  })
  expect((await store.listRuns({ workflowId: 'w' })).runs.map((run) => run.id)).toEqual([
    'live',
    'done',
  ])
  // The idempotency key of a v0 run still finds it.
  const again = await store.createRun({
    run: { ...(await store.getRun('done'))!, id: 'other', idempotencyKey: 'k1', status: 'running' },
    tasks: [],
    scopes: [],
  })
  expect(again).toMatchObject({ created: false, run: { id: 'live' } })

  // The migrated run goes on with the new rules: claim, commit a wait, suspend, deliver.
  const claimed = await store.claimTask({ taskId: 'live/b', owner: 'w', leaseMs: 1000, now: 2000 })
  expect(claimed).toMatchObject({ status: 'claimed', task: { fence: 1 } })
  const stolen = await store.claimTask({ taskId: 'live/c', owner: 'w', leaseMs: 1000, now: 6000 })
  expect(stolen).toMatchObject({ status: 'claimed', task: { fence: 2 } })
  const wait = {
    ...history!.tasks[0]!,
    id: 'live/ship',
    nodeId: 'ship',
    key: 'ship',
    fence: 0,
    availableAt: waitForever,
    wait: { kind: 'event' as const, name: 'shipped', match: { orderId: 'A1' } },
  }
  expect(
    await store.commit({ runId: 'live', task: { id: 'live/b', fence: 1 }, tasks: [wait] }),
  ).toEqual({ status: 'committed' })
  expect(await store.commit({ runId: 'live', task: { id: 'live/c', fence: 2 } })).toEqual({
    status: 'committed',
  })
  expect((await store.getRun('live'))?.status).toBe('suspended')
  const delivered = await store.deliverEvent({
    event: {
      id: 'e1',
      name: 'shipped',
      payload: { orderId: 'A1' },
      receivedAt: 7000,
      expiresAt: 0,
    },
    now: 7000,
  })
  expect(delivered.delivered.map((task) => task.id)).toEqual(['live/ship'])
  expect((await store.getRun('live'))?.status).toBe('running')
  expect(await store.purgeRuns({ keepLast: 0, workflowId: 'w', limit: 10, now: 7000 })).toEqual({
    runs: 1,
    events: 0,
  })
  expect(await store.getRun('done')).toBeUndefined()
}

describe('migration from the previous schema (no version)', () => {
  it('opens a v0 database: adds what is missing, keeps every row, and everything works', async () => {
    const filename = newFile()
    createV0Database(filename)
    expect(tableSql(filename, 'tessera_tasks')).not.toMatch(/WITHOUT ROWID/)
    const store = createSqliteStore({ filename })
    expect(tableSql(filename, 'tessera_tasks')).toMatch(/WITHOUT ROWID/)
    expect(tableSql(filename, 'tessera_tasks_available')).toBeUndefined()
    await expectV0DataWorks(store)
    await store.close()
    // Opening again changes nothing and reads what the first store wrote.
    const reopened = createSqliteStore({ filename })
    expect(await reopened.getRun('live')).toMatchObject({ status: 'running' })
    expect((await reopened.getRunHistory('live'))?.tasks[0]?.wait?.resolution).toMatchObject({
      eventId: 'e1',
    })
    await reopened.close()
    const db = new Database(filename, { readonly: true })
    expect(db.prepare(`SELECT key, value FROM tessera_meta`).all()).toEqual([
      { key: 'schema_version', value: sqliteSchemaVersion },
    ])
    db.close()
  })

  it('migrates a v0 database with a table prefix, on a connection the caller owns', async () => {
    const filename = newFile()
    createV0Database(filename, 'wf_')
    const database = new Database(filename)
    const store = createSqliteStore({ database }, { tablePrefix: 'wf_' })
    await expectV0DataWorks(store)
    await store.close()
    expect(database.open).toBe(true)
    database.close()
  })

  it('gives the upgrade as SQL for teams with their own migration tool', async () => {
    const filename = newFile()
    createV0Database(filename)
    const db = new Database(filename)
    // Before the upgrade, migrate: false refuses the old schema and says what to do.
    expect(() => createSqliteStore({ database: db }, { migrate: false })).toThrow(
      /schema version 0.*sqliteMigrations\(\{ from: 0 \}\)/,
    )
    db.exec(sqliteMigrations({ from: 0 }).join(';\n'))
    const store = createSqliteStore({ database: db }, { migrate: false })
    await expectV0DataWorks(store)
    await store.close()
    db.close()
  })
})

describe('the schema version', () => {
  const newerThanKnown = (filename: string) => {
    const db = new Database(filename)
    db.prepare(`UPDATE tessera_meta SET value = ? WHERE key = 'schema_version'`).run(
      sqliteSchemaVersion + 1,
    )
    db.close()
  }

  it('refuses a database whose schema is newer than the code, with a StoreError that says so', async () => {
    const filename = newFile()
    const store = createSqliteStore({ filename })
    await store.createRun({
      run: {
        id: 'r1',
        workflowId: 'w',
        workflowVersion: 'v',
        status: 'running',
        input: 1,
        createdAt: 1,
        updatedAt: 1,
      },
      tasks: [],
      scopes: [],
    })
    await store.close()
    newerThanKnown(filename)
    for (const migrate of [true, false]) {
      let error: unknown
      try {
        createSqliteStore({ filename }, { migrate })
      } catch (caught) {
        error = caught
      }
      expect(StoreError.isInstance(error)).toBe(true)
      expect((error as Error).message).toMatch(
        new RegExp(`schema version ${sqliteSchemaVersion + 1}.*newer.*${sqliteSchemaVersion}`),
      )
    }
  })

  it('writes nothing to a newer database, not even the upgrades it would make to an old one', () => {
    const filename = newFile()
    // Version-0 tables with a version row from the future: a migration would rebuild them.
    createV0Database(filename)
    const db = new Database(filename)
    db.exec(`CREATE TABLE tessera_meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
      INSERT INTO tessera_meta VALUES ('schema_version', ${sqliteSchemaVersion + 1})`)
    const before = db.prepare(`SELECT * FROM sqlite_master ORDER BY name`).all()
    const changes = () => db.pragma('data_version', { simple: true })
    const version = changes()
    expect(() => createSqliteStore({ filename })).toThrow(/newer/)
    expect(db.prepare(`SELECT * FROM sqlite_master ORDER BY name`).all()).toEqual(before)
    // data_version changes when another connection commits a write.
    expect(changes()).toBe(version)
    db.close()
  })
})

describe('corrupt rows', () => {
  const filename = newFile()
  const setup = async () => {
    const store = createSqliteStore({ filename })
    const run = {
      id: `run-${++files}`,
      workflowId: 'w',
      workflowVersion: 'v',
      status: 'running' as const,
      input: { n: 1 },
      createdAt: 1,
      updatedAt: 1,
    }
    const task = {
      id: `${run.id}/a`,
      runId: run.id,
      workflowId: 'w',
      workflowVersion: 'v',
      nodeId: 'a',
      key: 'a',
      path: [],
      input: 1,
      attempt: 1,
      availableAt: 1,
      fence: 0,
    }
    await store.createRun({ run, tasks: [task], scopes: [] })
    const db = new Database(filename)
    return { store, run, task, db }
  }
  const storeErrorOf = async (call: () => unknown) => {
    try {
      await call()
    } catch (error) {
      expect(StoreError.isInstance(error)).toBe(true)
      return (error as Error).message
    }
    throw new Error('expected a StoreError')
  }

  it('names the table and the id of a run with unparseable JSON or a column of the wrong type', async () => {
    const { store, run, db } = await setup()
    db.prepare(`UPDATE tessera_runs SET input = '{not json' WHERE id = ?`).run(run.id)
    expect(await storeErrorOf(() => store.getRun(run.id))).toMatch(
      new RegExp(`row "${run.id}" in table tessera_runs: column input`),
    )
    db.prepare(`UPDATE tessera_runs SET input = '1', created_at = 'yesterday' WHERE id = ?`).run(
      run.id,
    )
    expect(await storeErrorOf(() => store.listRuns({ workflowId: 'w' }))).toMatch(
      /in table tessera_runs: column created_at holds text "yesterday", expected an integer/,
    )
    db.prepare(`UPDATE tessera_runs SET created_at = 1, status = 'bogus' WHERE id = ?`).run(run.id)
    expect(await storeErrorOf(() => store.getRunHistory(run.id))).toMatch(/column status/)
    db.close()
    await store.close()
  })

  it('names the table and the id of a corrupt task, step or scope', async () => {
    const { store, run, task, db } = await setup()
    db.prepare(`UPDATE tessera_tasks SET path = '[' WHERE id = ?`).run(task.id)
    expect(await storeErrorOf(() => store.getRunHistory(run.id))).toMatch(
      new RegExp(`row "${task.id}" in table tessera_tasks: column path`),
    )
    expect(
      await storeErrorOf(() =>
        store.claimTask({ taskId: task.id, owner: 'w', leaseMs: 1, now: 2 }),
      ),
    ).toMatch(/tessera_tasks/)
    db.prepare(`UPDATE tessera_tasks SET path = '[]', wait_kind = 'nap' WHERE id = ?`).run(task.id)
    expect(await storeErrorOf(() => store.getRunHistory(run.id))).toMatch(/column wait_kind/)
    db.prepare(`DELETE FROM tessera_tasks WHERE id = ?`).run(task.id)
    db.prepare(
      `INSERT INTO tessera_steps (run_id, key, node_id, path, status, output, attempts,
         started_at, ended_at) VALUES (?, 'a', 'a', '[]', 'succeeded', '{x', 1, 1, 1)`,
    ).run(run.id)
    expect(await storeErrorOf(() => store.getRunHistory(run.id))).toMatch(
      new RegExp(`row "${run.id}/a" in table tessera_steps: column output`),
    )
    db.prepare(`DELETE FROM tessera_steps WHERE run_id = ?`).run(run.id)
    db.prepare(
      `INSERT INTO tessera_scopes (run_id, key, expected, completed, items)
       VALUES (?, 'p', 2, 0, '{"not":"an array"}')`,
    ).run(run.id)
    expect(await storeErrorOf(() => store.getScope(run.id, 'p'))).toMatch(
      new RegExp(`row "${run.id}/p" in table tessera_scopes: column items`),
    )
    db.close()
    await store.close()
  })
})
