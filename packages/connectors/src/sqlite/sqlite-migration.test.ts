// Databases of the previous schema (version 0, before the meta table) migrate forward: the
// store upgrades them itself, idempotently, and sqliteMigrations({ from: 0 }) gives the SQL.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { waitForever, type StoreV1 } from '@tessera/core'
import {
  createSqliteStore,
  sqliteMigrations,
  sqliteSchemaVersion,
} from '@tessera/connectors/sqlite'

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-migration-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newFile = () => join(dir, `db-${++files}.db`)

/**
 * The schema before versions (no meta table), exactly as `sqliteMigrations()` wrote it up to
 * commit 81419f2 (default prefix), copied here as a fixture.
 */
const schemaV0 = `CREATE TABLE IF NOT EXISTS tessera_runs (
  id TEXT PRIMARY KEY NOT NULL,
  workflow_id TEXT NOT NULL,
  workflow_version TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  error TEXT,
  idempotency_key TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS tessera_runs_idempotency
  ON tessera_runs (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS tessera_runs_created ON tessera_runs (created_at, id);
CREATE INDEX IF NOT EXISTS tessera_runs_workflow_created
  ON tessera_runs (workflow_id, created_at, id);
CREATE TABLE IF NOT EXISTS tessera_steps (
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  node_id TEXT NOT NULL,
  path TEXT NOT NULL,
  status TEXT NOT NULL,
  output TEXT,
  error TEXT,
  attempts INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS tessera_tasks (
  id TEXT PRIMARY KEY NOT NULL,
  run_id TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  workflow_version TEXT NOT NULL,
  node_id TEXT NOT NULL,
  key TEXT NOT NULL,
  path TEXT NOT NULL,
  input TEXT,
  attempt INTEGER NOT NULL,
  available_at INTEGER NOT NULL,
  fence INTEGER NOT NULL,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS tessera_tasks_run ON tessera_tasks (run_id);
CREATE INDEX IF NOT EXISTS tessera_tasks_available ON tessera_tasks (available_at)
  WHERE lease_owner IS NULL;
CREATE INDEX IF NOT EXISTS tessera_tasks_lease ON tessera_tasks (lease_expires_at)
  WHERE lease_owner IS NOT NULL;
CREATE TABLE IF NOT EXISTS tessera_scopes (
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  expected INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  items TEXT,
  closed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS tessera_scope_results (
  run_id TEXT NOT NULL,
  scope_key TEXT NOT NULL,
  idx INTEGER NOT NULL,
  output TEXT,
  PRIMARY KEY (run_id, scope_key, idx)
);
`

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

/** A shipped SQL file, and its statements (the file without its comment lines). */
const shipped = (name: string) => {
  const file = readFileSync(new URL(`../../sql/sqlite/${name}`, import.meta.url), 'utf8')
  const statements = file
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
  return { file, statements }
}

describe('the shipped SQL', () => {
  it('ships the default-prefix schema as sql/sqlite/001_init.sql, 002_threads.sql and 003_records.sql, equal to sqliteMigrations()', () => {
    const init = shipped('001_init.sql')
    const threads = shipped('002_threads.sql')
    const records = shipped('003_records.sql')
    expect(`${init.statements}\n${threads.statements}\n${records.statements}`).toBe(
      `${sqliteMigrations().join(';\n\n')};\n`,
    )
    expect(`${threads.statements}\n${records.statements}`).toBe(
      `${sqliteMigrations({ from: 1 }).join(';\n\n')};\n`,
    )
    expect(records.statements).toBe(`${sqliteMigrations({ from: 2 }).join(';\n\n')};\n`)
    expect(sqliteMigrations({ from: 3 })).toEqual([])
    expect(sqliteSchemaVersion).toBe(3)
    expect(init.file).toContain('schema version 1,')
    expect(threads.file).toContain('schema version 1 → 2,')
    expect(records.file).toContain('schema version 2 → 3,')
    // They apply to an empty database, twice, and the store opens it without migrating.
    const db = new Database(':memory:')
    for (let pass = 0; pass < 2; pass++) {
      db.exec(init.file)
      db.exec(threads.file)
      db.exec(records.file)
    }
    expect(() => createSqliteStore({ database: db }, { migrate: false })).not.toThrow()
    db.close()
  })
})

describe('migration from schema version 1 (before threads)', () => {
  /** A database as a release of schema version 1 left it: its schema, and a run. */
  const createV1Database = (filename: string) => {
    const db = new Database(filename)
    db.exec(shipped('001_init.sql').file)
    db.prepare(
      `INSERT INTO tessera_runs (id, workflow_id, workflow_version, status, input, created_at,
         updated_at) VALUES ('old', 'w', 'v1', 'running', '{"n":1}', 1000, 1000)`,
    ).run()
    db.close()
  }
  const version = (filename: string) => {
    const db = new Database(filename, { readonly: true })
    try {
      return db.prepare(`SELECT value FROM tessera_meta WHERE key = 'schema_version'`).pluck().get()
    } finally {
      db.close()
    }
  }

  it('adds the thread tables when the store opens it, keeps the runs, and threads work', async () => {
    const filename = newFile()
    createV1Database(filename)
    expect(version(filename)).toBe(1)
    const store = createSqliteStore({ filename })
    expect(version(filename)).toBe(sqliteSchemaVersion)
    expect(tableSql(filename, 'tessera_threads')).toMatch(/CREATE TABLE/)
    expect(await store.getRun('old')).toMatchObject({ status: 'running', input: { n: 1 } })
    expect(
      await store.appendThreadMessages!({ threadId: 't', messages: ['hello'], now: 2000 }),
    ).toEqual({ lastSeq: 1 })
    await store.close()
    // Opening again changes nothing.
    const reopened = createSqliteStore({ filename })
    expect((await reopened.getThread!({ threadId: 't' }))?.messages).toEqual([
      { seq: 1, message: 'hello', createdAt: 2000 },
    ])
    await reopened.close()
  })

  it('with migrate: false, refuses it until 002_threads.sql and 003_records.sql are applied', async () => {
    const filename = newFile()
    createV1Database(filename)
    const db = new Database(filename)
    expect(() => createSqliteStore({ database: db }, { migrate: false })).toThrow(
      /schema version 1.*sqliteMigrations\(\{ from: 1 \}\)/,
    )
    db.exec(shipped('002_threads.sql').file)
    expect(() => createSqliteStore({ database: db }, { migrate: false })).toThrow(
      /schema version 2.*sqliteMigrations\(\{ from: 2 \}\)/,
    )
    db.exec(shipped('003_records.sql').file)
    const store = createSqliteStore({ database: db }, { migrate: false })
    expect(await store.getRun('old')).toMatchObject({ id: 'old' })
    expect(await store.appendThreadMessages!({ threadId: 't', messages: [1, 2], now: 1 })).toEqual({
      lastSeq: 2,
    })
    expect(
      await store.putRecord!({ collection: 'c', key: 'k', value: 1, now: 1, expectRevision: 0 }),
    ).toMatchObject({ status: 'written' })
    await store.close()
    db.close()
    expect(version(filename)).toBe(3)
  })
})

describe('migration from schema version 2 (before records)', () => {
  /** A database as a release of schema version 2 left it: its schema, a run and a thread. */
  const createV2Database = (filename: string) => {
    const db = new Database(filename)
    db.exec(shipped('001_init.sql').file)
    db.exec(shipped('002_threads.sql').file)
    db.prepare(
      `INSERT INTO tessera_runs (id, workflow_id, workflow_version, status, input, created_at,
         updated_at) VALUES ('old', 'w', 'v1', 'running', '{"n":1}', 1000, 1000)`,
    ).run()
    db.prepare(
      `INSERT INTO tessera_threads (id, last_seq, created_at, updated_at) VALUES ('t', 0, 1, 1)`,
    ).run()
    db.close()
  }
  const version = (filename: string) => {
    const db = new Database(filename, { readonly: true })
    try {
      return db.prepare(`SELECT value FROM tessera_meta WHERE key = 'schema_version'`).pluck().get()
    } finally {
      db.close()
    }
  }

  it('adds the records table when the store opens it, keeps runs and threads, and records work', async () => {
    const filename = newFile()
    createV2Database(filename)
    expect(version(filename)).toBe(2)
    const store = createSqliteStore({ filename })
    expect(version(filename)).toBe(3)
    expect(tableSql(filename, 'tessera_records')).toMatch(/CREATE TABLE/)
    expect(await store.getRun('old')).toMatchObject({ status: 'running', input: { n: 1 } })
    expect(await store.getThread!({ threadId: 't' })).toMatchObject({ lastSeq: 0 })
    await store.putRecord!({ collection: 'c', key: 'k', value: { n: 1 }, now: 2000 })
    await store.close()
    // Opening again changes nothing.
    const reopened = createSqliteStore({ filename })
    expect(await reopened.getRecord!({ collection: 'c', key: 'k' })).toEqual({
      collection: 'c',
      key: 'k',
      value: { n: 1 },
      revision: 1,
      createdAt: 2000,
      updatedAt: 2000,
    })
    await reopened.close()
  })

  it('with migrate: false, refuses it until 003_records.sql is applied', async () => {
    const filename = newFile()
    createV2Database(filename)
    const db = new Database(filename)
    expect(() => createSqliteStore({ database: db }, { migrate: false })).toThrow(
      /schema version 2.*sqliteMigrations\(\{ from: 2 \}\)/,
    )
    db.exec(sqliteMigrations({ from: 2 }).join(';\n'))
    const store = createSqliteStore({ database: db }, { migrate: false })
    expect(await store.listRecords!({ collection: 'c', limit: 1 })).toEqual([])
    await store.close()
    db.close()
    expect(version(filename)).toBe(3)
  })
})
