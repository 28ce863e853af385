import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { StoreError, TesseraError } from '@tessera/core'
import { describeStoreConformance } from '@tessera/core/testing'
import { createSqliteStore, sqliteMigrations } from '@tessera/connectors/sqlite'

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeStoreConformance({
  name: 'sqlite (file by name)',
  createStore: () => createSqliteStore({ filename: join(dir, 'conformance.db') }),
})

const own = new Database(join(dir, 'own.db'))
own.pragma('journal_mode = WAL')
own.pragma('busy_timeout = 5000')
afterAll(() => own.close())

describeStoreConformance({
  name: 'sqlite (own connection, table prefix)',
  createStore: () => createSqliteStore({ database: own }, { tablePrefix: 'wf_test_' }),
  cleanup: () => {
    for (const table of ['runs', 'steps', 'tasks', 'scopes', 'scope_results', 'inbox', 'meta']) {
      own.exec(`DROP TABLE wf_test_${table}`)
    }
  },
})

describeStoreConformance({
  name: 'sqlite (in memory)',
  createStore: () => createSqliteStore({ filename: ':memory:' }),
})

describe('createSqliteStore', () => {
  it('declares a file store durable, shared and a transport, an in-memory one none of these; both keep threads and records', async () => {
    const file = createSqliteStore({ filename: join(dir, 'capabilities.db') })
    const memory = createSqliteStore({ filename: ':memory:' })
    expect(file.provider).toBe('sqlite')
    expect(file.capabilities).toEqual({
      durable: true,
      shared: true,
      transport: true,
      threads: true,
      records: true,
    })
    expect(memory.capabilities).toEqual({
      durable: false,
      shared: false,
      transport: false,
      threads: true,
      records: true,
    })
    // Opened and migrated by createSqliteStore already: ready() has nothing to wait for.
    await expect(file.ready!()).resolves.toBeUndefined()
    await file.close()
    await memory.close()
  })

  it('opens a file in WAL mode with a busy timeout', async () => {
    const filename = join(dir, 'pragmas.db')
    const store = createSqliteStore({ filename }, { busyTimeoutMs: 1234 })
    const reader = new Database(filename, { readonly: true })
    expect(reader.pragma('journal_mode', { simple: true })).toBe('wal')
    reader.close()
    await store.close()
  })

  it('leaves the pragmas and the life of a connection it was given to its owner', async () => {
    const database = new Database(':memory:', { timeout: 1234 })
    const store = createSqliteStore({ database })
    await store.close()
    expect(database.open).toBe(true)
    expect(database.pragma('busy_timeout', { simple: true })).toBe(1234)
    database.close()
  })

  it('exports its schema as idempotent SQL, for teams with their own migration tool', () => {
    const database = new Database(':memory:')
    const statements = sqliteMigrations({ tablePrefix: 'mine_' })
    for (let pass = 0; pass < 2; pass++)
      for (const statement of statements) database.exec(statement)
    const tables = database
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all()
    expect(tables).toEqual([
      'mine_inbox',
      'mine_messages',
      'mine_meta',
      'mine_records',
      'mine_runs',
      'mine_scope_results',
      'mine_scopes',
      'mine_steps',
      'mine_tasks',
      'mine_threads',
    ])
    // With migrate: false the store expects those tables and creates nothing.
    const store = createSqliteStore({ database }, { tablePrefix: 'mine_', migrate: false })
    expect(store.provider).toBe('sqlite')
    expect(() => createSqliteStore({ database }, { tablePrefix: 'none_', migrate: false })).toThrow(
      /no such table/,
    )
    database.close()
  })

  it('shares one file between connections: leases and fences hold across them', async () => {
    const filename = join(dir, 'shared.db')
    const a = createSqliteStore({ filename })
    const b = createSqliteStore({ filename })
    const now = Date.now()
    const run = {
      id: 'shared-run',
      workflowId: 'w',
      workflowVersion: 'v',
      status: 'running' as const,
      input: {},
      createdAt: now,
      updatedAt: now,
    }
    const task = {
      id: 'shared-run/a',
      runId: run.id,
      workflowId: 'w',
      workflowVersion: 'v',
      nodeId: 'a',
      key: 'a',
      path: [],
      input: 1,
      attempt: 1,
      availableAt: now,
      fence: 0,
    }
    await a.createRun({ run, tasks: [task], scopes: [] })
    expect(await b.createRun({ run, tasks: [], scopes: [] })).toMatchObject({ created: false })
    expect(await a.claimTask({ taskId: task.id, owner: 'a', leaseMs: 100, now })).toMatchObject({
      status: 'claimed',
    })
    expect(await b.claimTask({ taskId: task.id, owner: 'b', leaseMs: 100, now })).toEqual({
      status: 'leased',
      leaseExpiresAt: now + 100,
    })
    const taken = await b.claimTask({ taskId: task.id, owner: 'b', leaseMs: 100, now: now + 100 })
    expect(taken.status === 'claimed' && taken.task.fence).toBe(2)
    expect(await a.commit({ runId: run.id, task: { id: task.id, fence: 1 } })).toEqual({
      status: 'stale',
    })
    expect(await b.commit({ runId: run.id, task: { id: task.id, fence: 2 } })).toEqual({
      status: 'committed',
    })
    expect((await a.getRunHistory(run.id))?.tasks).toEqual([])
    await a.close()
    await b.close()
  })

  it('shares threads between connections: appends from both are numbered one after the other', async () => {
    const filename = join(dir, 'shared-threads.db')
    const a = createSqliteStore({ filename })
    const b = createSqliteStore({ filename })
    const threadId = 'shared-thread'
    const now = Date.now()
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? a : b).appendThreadMessages!({
          threadId,
          messages: [`m${index}`, `n${index}`],
          now,
        }),
      ),
    )
    expect(results.map((result) => result.lastSeq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, index) => 2 * (index + 1)),
    )
    expect(await b.summarizeThread!({ threadId, summary: 's', throughSeq: 30, now })).toEqual({
      status: 'summarized',
    })
    expect(await a.summarizeThread!({ threadId, summary: 's', throughSeq: 30, now })).toEqual({
      status: 'stale',
    })
    const thread = await a.getThread!({ threadId })
    expect(thread?.messages.map((entry) => entry.seq)).toEqual([
      31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    ])
    expect(await b.deleteThread!({ threadId })).toBe(true)
    expect(await a.getThread!({ threadId })).toBeUndefined()
    await a.close()
    await b.close()
  })

  it('shares records between connections: of writers on both expecting one revision, one wins', async () => {
    const filename = join(dir, 'shared-records.db')
    const a = createSqliteStore({ filename })
    const b = createSqliteStore({ filename })
    const now = Date.now()
    for (const expectRevision of [0, 1]) {
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, writer) =>
          (writer % 2 === 0 ? a : b).putRecord!({
            collection: 'shared',
            key: 'k',
            value: writer,
            now,
            expectRevision,
          }),
        ),
      )
      expect(results.filter((result) => result.status === 'written')).toHaveLength(1)
    }
    expect(await b.getRecord!({ collection: 'shared', key: 'k' })).toMatchObject({ revision: 2 })
    expect(await a.deleteRecord!({ collection: 'shared', key: 'k', expectRevision: 2 })).toBe(true)
    expect(await b.getRecord!({ collection: 'shared', key: 'k' })).toBeUndefined()
    await a.close()
    await b.close()
  })

  it('reports a lock held by another connection past the busy timeout as a retryable StoreError', async () => {
    const filename = join(dir, 'busy.db')
    const store = createSqliteStore({ filename }, { busyTimeoutMs: 20 })
    const other = new Database(filename)
    other.exec('BEGIN IMMEDIATE')
    try {
      const error = await store
        .createRun({
          run: {
            id: 'busy',
            workflowId: 'w',
            workflowVersion: 'v',
            status: 'running',
            input: {},
            createdAt: 1,
            updatedAt: 1,
          },
          tasks: [],
          scopes: [],
        })
        .catch((e: unknown) => e)
      expect(StoreError.isInstance(error) && error.retryable).toBe(true)
      expect((error as StoreError).cause).toMatchObject({ code: 'SQLITE_BUSY' })
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    expect(await store.getRun('busy')).toBeUndefined()
    await store.close()
  })

  it('rejects bad arguments with InvalidArgumentError', () => {
    const codeOf = (call: () => unknown) => {
      try {
        call()
      } catch (error) {
        return TesseraError.isInstance(error) ? error.code : 'not a TesseraError'
      }
      return 'no error'
    }
    expect(
      codeOf(() => createSqliteStore({ filename: ':memory:' }, { tablePrefix: 'x; drop' })),
    ).toBe('invalid_argument')
    expect(codeOf(() => createSqliteStore({} as never))).toBe('invalid_argument')
    expect(codeOf(() => createSqliteStore({ filename: ':memory:' }, { busyTimeoutMs: -1 }))).toBe(
      'invalid_argument',
    )
    expect(codeOf(() => sqliteMigrations({ tablePrefix: '1abc' }))).toBe('invalid_argument')
  })

  it('maps driver errors to StoreError with the driver error as cause', async () => {
    const store = createSqliteStore({ filename: ':memory:' })
    const run = {
      id: 'r1',
      workflowId: 'w',
      workflowVersion: 'v',
      status: 'running' as const,
      input: { big: 1n },
      createdAt: 1,
      updatedAt: 1,
    }
    const error = await store.createRun({ run, tasks: [], scopes: [] }).catch((e: unknown) => e)
    expect(StoreError.isInstance(error)).toBe(true)
    expect((error as StoreError).cause).toBeInstanceOf(TypeError)
    expect(await store.getRun('r1')).toBeUndefined()
    const opened = () => createSqliteStore({ filename: join(dir, 'missing-dir', 'x.db') })
    expect(opened).toThrow(StoreError)
    await store.close()
    await expect(store.getRun('r1')).rejects.toThrow(/closed/)
    expect(() => store.commit({ runId: 'r1' })).toThrow(/closed/)
  })
})
