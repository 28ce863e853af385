import { readFileSync } from 'node:fs'
import { createPool, type Pool } from 'mysql2/promise'
import { afterAll, describe, expect, it } from 'vitest'
import { StoreError, TesseraError, type RunRecord, type TaskRecord } from '@tessera/core'
import { describeStoreConformance } from '@tessera/core/testing'
import {
  createMysqlStore,
  defaultMysqlTablePrefix,
  mysqlMigrations,
  mysqlSchemaVersion,
  type MysqlStore,
} from '@tessera/connectors/mysql'
import { requireService, uniqueName } from '../../test/services'

const uri = process.env.TESSERA_MYSQL_URI ?? 'mysql://root@127.0.0.1:3306/test'
const tableSuffixes = [
  'meta',
  'runs',
  'steps',
  'tasks',
  'scopes',
  'scope_results',
  'inbox',
  'wait_fields',
  'threads',
  'messages',
  'records',
]

/** A pool for the test's own statements (and for the caller-owned configuration). */
const admin: Pool = createPool({ uri, connectionLimit: 4 })
afterAll(() => admin.end())

const up = await requireService('MariaDB/MySQL', uri, () => admin.query('SELECT 1'))

const prefixes: string[] = []
/** A table prefix no other test file or run uses; its tables are dropped after the file. */
const newPrefix = (name: string) => {
  const prefix = `${uniqueName(name)}_`
  prefixes.push(prefix)
  return prefix
}
const dropTables = async (prefix: string) => {
  await admin.query(
    `DROP TABLE IF EXISTS ${tableSuffixes.map((suffix) => `${prefix}${suffix}`).join(', ')}`,
  )
}
afterAll(async () => {
  if (up) for (const prefix of prefixes) await dropTables(prefix)
})

const tablesOf = async (prefix: string): Promise<string[]> => {
  const [rows] = await admin.query(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = DATABASE() AND table_name LIKE ?`,
    [`${prefix.replace(/_/g, '\\_')}%`],
  )
  return (rows as { name: string }[]).map((row) => row.name).sort()
}

let counter = 0
const runRecord = (overrides: Partial<RunRecord> = {}): RunRecord => {
  const now = Date.now()
  return {
    id: `run-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`,
    workflowId: 'mysql-test',
    workflowVersion: 'v1',
    status: 'running',
    input: { n: 1 },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  }
}
const taskRecord = (run: RunRecord, nodeId: string, overrides: Partial<TaskRecord> = {}) => ({
  id: `${run.id}/${nodeId}`,
  runId: run.id,
  workflowId: run.workflowId,
  workflowVersion: run.workflowVersion,
  nodeId,
  key: nodeId,
  path: [],
  input: { n: 1 },
  attempt: 1,
  availableAt: Date.now() - 1,
  fence: 0,
  ...overrides,
})

describe.runIf(up)('the MySQL store', () => {
  {
    const prefix = newPrefix('conf_uri')
    describeStoreConformance({
      name: 'mysql (URI, own pool)',
      createStore: () => createMysqlStore({ uri }, { tablePrefix: prefix }),
      cleanup: () => dropTables(prefix),
    })
  }

  {
    const prefix = newPrefix('conf_pool')
    const pool = createPool({ uri, connectionLimit: 6 })
    describeStoreConformance({
      name: 'mysql (caller-owned pool)',
      createStore: () => createMysqlStore({ pool }, { tablePrefix: prefix }),
      cleanup: async (store) => {
        await store.close()
        // The caller's pool is still open after close(): the store did not end it.
        await pool.query('SELECT 1')
        await dropTables(prefix)
        await pool.end()
      },
    })
  }

  describe('migrations', () => {
    it('ships the default-prefix schema as sql/mysql/001_init.sql, 002_threads.sql and 003_records.sql, equal to mysqlMigrations()', () => {
      const read = (name: string) =>
        readFileSync(new URL(`../../sql/mysql/${name}`, import.meta.url), 'utf8')
      const init = read('001_init.sql')
      const threads = read('002_threads.sql')
      const records = read('003_records.sql')
      // 001 and 002 are the schemas of versions 1 and 2, never changed (migration tools refuse a
      // file that changed). Regenerate 003 with mysqlMigrations({ from: 2 }).
      expect(records).toBe(`${mysqlMigrations({ from: 2 }).join(';\n\n')};\n`)
      expect(`${threads}\n${records}`).toBe(`${mysqlMigrations({ from: 1 }).join(';\n\n')};\n`)
      expect(`${init}\n${threads}\n${records}`).toBe(`${mysqlMigrations().join(';\n\n')};\n`)
      expect(init).toContain('schema version 1.')
      expect(threads).toContain('schema version 1 → 2,')
      expect(records).toContain(`schema version 2 → ${mysqlSchemaVersion},`)
      expect(mysqlMigrations({ from: mysqlSchemaVersion })).toEqual([])
      expect(defaultMysqlTablePrefix).toBe('tessera_')
      expect(mysqlMigrations({ tablePrefix: 'x_' }).join('\n')).toContain('x_runs')
    })

    it('applies them idempotently: twice in a row, and from two stores at once', async () => {
      const prefix = newPrefix('mig')
      const first = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 2 })
      const second = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 2 })
      await Promise.all([first.ready(), second.ready()])
      const tables = await tablesOf(prefix)
      expect(tables).toEqual(tableSuffixes.map((suffix) => `${prefix}${suffix}`).sort())
      // Applying the exported statements again changes nothing.
      for (const statement of mysqlMigrations({ tablePrefix: prefix })) await admin.query(statement)
      const [version] = await admin.query(`SELECT name, value FROM ${prefix}meta`)
      expect(version).toEqual([{ name: 'schema_version', value: mysqlSchemaVersion }])
      const third = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 1 })
      await third.ready()
      // With migrate: false the store only checks the version.
      const checked = createMysqlStore({ uri }, { tablePrefix: prefix, migrate: false })
      await checked.ready()
      expect(await checked.getRun('none')).toBeUndefined()
      await Promise.all([first.close(), second.close(), third.close(), checked.close()])
    })

    it('with migrate: false, refuses tables that are not there', async () => {
      const prefix = newPrefix('none')
      const store = createMysqlStore({ uri }, { tablePrefix: prefix, migrate: false })
      const error = await store.getRun('x').catch((e: unknown) => e)
      expect(StoreError.isInstance(error)).toBe(true)
      expect((error as Error).message).toMatch(/No schema version 3 in table .* \(found: none\)/)
      expect(await tablesOf(prefix)).toEqual([])
      await store.close()
    })

    it('upgrades tables of schema version 1 (before threads), and refuses them with migrate: false', async () => {
      const prefix = newPrefix('v1')
      const all = mysqlMigrations({ tablePrefix: prefix })
      const v1 = all.slice(0, all.length - mysqlMigrations({ tablePrefix: prefix, from: 1 }).length)
      for (const statement of v1) await admin.query(statement)
      const run = runRecord()
      await admin.query(
        `INSERT INTO ${prefix}runs (id, workflow_id, workflow_version, status, input, created_at,
           updated_at) VALUES (?, ?, 'v1', 'running', '{"n":1}', 1, 1)`,
        [run.id, run.workflowId],
      )
      const checked = createMysqlStore({ uri }, { tablePrefix: prefix, migrate: false })
      const error = await checked.ready().catch((e: unknown) => e)
      expect(StoreError.isInstance(error)).toBe(true)
      expect((error as Error).message).toMatch(
        /No schema version 3 .*\(found: 1\).*mysqlMigrations\(\{ tablePrefix: '.*', from: 1 \}\)/,
      )
      await checked.close()
      expect(await tablesOf(prefix)).not.toContain(`${prefix}threads`)
      const store = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 2 })
      expect(await store.getRun(run.id)).toMatchObject({ status: 'running', input: { n: 1 } })
      expect(await store.appendThreadMessages({ threadId: 't', messages: ['hi'], now: 5 })).toEqual(
        { lastSeq: 1 },
      )
      const [version] = await admin.query(`SELECT value FROM ${prefix}meta`)
      expect(version).toEqual([{ value: mysqlSchemaVersion }])
      await store.close()
    })

    it('upgrades tables of schema version 2 (before records), and refuses them with migrate: false', async () => {
      const prefix = newPrefix('v2')
      const all = mysqlMigrations({ tablePrefix: prefix })
      const v2 = all.slice(0, all.length - mysqlMigrations({ tablePrefix: prefix, from: 2 }).length)
      for (const statement of v2) await admin.query(statement)
      await admin.query(
        `INSERT INTO ${prefix}threads (id, last_seq, created_at, updated_at) VALUES ('t', 0, 1, 1)`,
      )
      const checked = createMysqlStore({ uri }, { tablePrefix: prefix, migrate: false })
      const error = await checked.ready().catch((e: unknown) => e)
      expect((error as Error).message).toMatch(
        /No schema version 3 .*\(found: 2\).*mysqlMigrations\(\{ tablePrefix: '.*', from: 2 \}\)/,
      )
      await checked.close()
      expect(await tablesOf(prefix)).not.toContain(`${prefix}records`)
      const store = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 2 })
      expect(await store.getThread({ threadId: 't' })).toMatchObject({ lastSeq: 0 })
      expect(
        await store.putRecord({ collection: 'c', key: 'k', value: 1, now: 5, expectRevision: 0 }),
      ).toMatchObject({ status: 'written', record: { revision: 1 } })
      const [version] = await admin.query(`SELECT value FROM ${prefix}meta`)
      expect(version).toEqual([{ value: 3 }])
      await store.close()
    })

    it('refuses a database whose schema version is newer, and writes nothing', async () => {
      const prefix = newPrefix('newer')
      await admin.query(
        `CREATE TABLE ${prefix}meta (name VARCHAR(64) NOT NULL PRIMARY KEY, value BIGINT NOT NULL)`,
      )
      await admin.query(`INSERT INTO ${prefix}meta VALUES ('schema_version', ?)`, [
        mysqlSchemaVersion + 1,
      ])
      const store = createMysqlStore({ uri }, { tablePrefix: prefix })
      const error = await store.ready().catch((e: unknown) => e)
      expect(StoreError.isInstance(error)).toBe(true)
      expect((error as StoreError).retryable).toBe(false)
      expect((error as Error).message).toMatch(/schema version 4 .*newer than the version 3/)
      // Every call gives the same refusal; nothing was created or changed.
      await expect(store.getRun('x')).rejects.toThrow(/newer/)
      expect(await tablesOf(prefix)).toEqual([`${prefix}meta`])
      const [rows] = await admin.query(`SELECT value FROM ${prefix}meta`)
      expect(rows).toEqual([{ value: mysqlSchemaVersion + 1 }])
      await store.close()
    })
  })

  describe('createMysqlStore', () => {
    const prefix = newPrefix('misc')
    let store: MysqlStore
    it('declares itself durable, shared and a transport, with threads and records', async () => {
      store = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 4 })
      await store.ready()
      expect(store.provider).toBe('mysql')
      expect(store.capabilities).toEqual({
        durable: true,
        shared: true,
        transport: true,
        threads: true,
        records: true,
      })
    })

    it('rejects bad options with InvalidArgumentError, before connecting', async () => {
      const codeOf = (call: () => unknown) => {
        try {
          call()
        } catch (error) {
          return TesseraError.isInstance(error) ? error.code : 'not a TesseraError'
        }
        return 'no error'
      }
      for (const call of [
        () => createMysqlStore({ uri }, { tablePrefix: 'x; DROP TABLE y' }),
        () => createMysqlStore({ uri }, { tablePrefix: '1abc' }),
        () => createMysqlStore({ uri }, { tablePrefix: 'p'.repeat(51) }),
        () => createMysqlStore({ uri }, { poolSize: 0 }),
        () => createMysqlStore({ uri }, { poolSize: 2.5 }),
        () => createMysqlStore({ uri }, { lockRetries: -1 }),
        () => createMysqlStore({ uri }, { migrate: 'yes' as never }),
        () => createMysqlStore({ uri: 'postgres://localhost/x' }),
        () => createMysqlStore({ uri: 42 as never }),
        () => createMysqlStore({} as never),
        () => createMysqlStore({ pool: {} as never }),
        () => createMysqlStore({ pool: admin }, { poolSize: 3 }),
        () => mysqlMigrations({ tablePrefix: 'a-b' }),
      ]) {
        expect(codeOf(call)).toBe('invalid_argument')
      }
      const code = async (call: () => Promise<unknown>) =>
        call().then(
          () => 'no error',
          (error: unknown) => (TesseraError.isInstance(error) ? error.code : 'not a TesseraError'),
        )
      expect(await code(() => store.claimNext({ owner: 'w', leaseMs: 1, now: 1, limit: 0 }))).toBe(
        'invalid_argument',
      )
      expect(await code(() => store.listStaleTasks({ now: 1, olderThan: 0, limit: 1.5 }))).toBe(
        'invalid_argument',
      )
    })

    it('names the table and the row of a corrupt row in the StoreError', async () => {
      const run = runRecord()
      const task = taskRecord(run, 'a')
      await store.createRun({ run, tasks: [task], scopes: [] })
      await admin.query(`UPDATE ${prefix}runs SET input = '{"n": 1' WHERE id = ?`, [run.id])
      const error = await store.getRun(run.id).catch((e: unknown) => e)
      expect(StoreError.isInstance(error)).toBe(true)
      expect((error as Error).message).toContain(`Corrupt row "${run.id}" in table ${prefix}runs`)
      expect((error as Error).message).toContain('column input')
      await admin.query(`UPDATE ${prefix}tasks SET path = 'not json' WHERE run_id = ?`, [run.id])
      await admin.query(`UPDATE ${prefix}runs SET input = '{}' WHERE id = ?`, [run.id])
      const taskError = await store.getRunHistory(run.id).catch((e: unknown) => e)
      expect((taskError as Error).message).toContain(
        `Corrupt row "${task.id}" in table ${prefix}tasks`,
      )
      await admin.query(`UPDATE ${prefix}runs SET status = 'bogus' WHERE id = ?`, [run.id])
      await expect(store.getRun(run.id)).rejects.toThrow(/column status holds text "bogus"/)
      const commitError = await store.commit({ runId: run.id }).catch((e: unknown) => e)
      expect(StoreError.isInstance(commitError)).toBe(true)
      expect((commitError as Error).message).toContain(
        `Corrupt row "${run.id}" in table ${prefix}runs`,
      )
      // (Gone again: a corrupt claimable task would stop claimNext for the other tests.)
      await admin.query(`DELETE FROM ${prefix}tasks WHERE run_id = ?`, [run.id])
      await admin.query(`DELETE FROM ${prefix}runs WHERE id = ?`, [run.id])
    })

    it('reports an unreachable server as a retryable StoreError', async () => {
      const nowhere = createMysqlStore({ uri: 'mysql://root@127.0.0.1:1/test' })
      const error = await nowhere.getRun('x').catch((e: unknown) => e)
      expect(StoreError.isInstance(error) && error.retryable).toBe(true)
      await nowhere.close()
      await expect(nowhere.getRun('x')).rejects.toThrow(/closed/)
    })

    it('retries a lock wait timeout, then fails with a retryable StoreError and writes nothing', async () => {
      const pool = createPool({ uri, connectionLimit: 2 })
      // A short lock wait for this pool's connections (mysql2 runs it before any other query).
      // (mysql2 hands this event its callback connection, whatever its typings say.)
      pool.on('connection', (connection) => {
        const callbackConnection = connection as unknown as {
          query(sql: string, done: () => void): unknown
        }
        callbackConnection.query('SET SESSION innodb_lock_wait_timeout = 1', () => undefined)
      })
      const impatient = createMysqlStore({ pool }, { tablePrefix: prefix, lockRetries: 1 })
      const run = runRecord()
      await impatient.createRun({ run, tasks: [], scopes: [] })
      const holder = await admin.getConnection()
      try {
        await holder.query('START TRANSACTION')
        await holder.query(`SELECT id FROM ${prefix}runs WHERE id = ? FOR UPDATE`, [run.id])
        const error = await impatient
          .commit({ runId: run.id, run: { status: 'succeeded', updatedAt: 1, endedAt: 1 } })
          .catch((e: unknown) => e)
        expect(StoreError.isInstance(error) && error.retryable).toBe(true)
        expect((error as Error).message).toMatch(/2 attempts/)
        expect((error as StoreError).cause).toMatchObject({ errno: 1205 })
      } finally {
        await holder.query('ROLLBACK')
        holder.release()
      }
      expect((await impatient.getRun(run.id))?.status).toBe('running')
      await impatient.close()
      await pool.end()
    })

    it('shares work between two pools: claimNext never hands one task to both', async () => {
      const poolA = createPool({ uri, connectionLimit: 4 })
      const poolB = createPool({ uri, connectionLimit: 4 })
      const a = createMysqlStore({ pool: poolA }, { tablePrefix: prefix })
      const b = createMysqlStore({ pool: poolB }, { tablePrefix: prefix })
      const run = runRecord()
      const now = Date.now()
      const tasks = Array.from({ length: 60 }, (_, index) =>
        taskRecord(run, `t${index}`, { availableAt: now - 1000 + index }),
      )
      await a.createRun({ run, tasks, scopes: [] })
      const claimed: TaskRecord[] = []
      for (let round = 0; round < 30; round++) {
        const batches = await Promise.all(
          [a, b, a, b].map((store, worker) =>
            store.claimNext({ owner: `w${worker}`, leaseMs: 60_000, now, limit: 3 }),
          ),
        )
        const mine = batches.flat().filter((task) => task.runId === run.id)
        claimed.push(...mine)
        if (batches.flat().length === 0) break
      }
      expect(claimed).toHaveLength(60)
      expect(new Set(claimed.map((task) => task.id)).size).toBe(60)
      expect(claimed.every((task) => task.fence === 1)).toBe(true)
      // Every one is leased now: neither pool gets anything more.
      expect(
        (await b.claimNext({ owner: 'late', leaseMs: 1000, now, limit: 100 })).filter(
          (task) => task.runId === run.id,
        ),
      ).toEqual([])
      await Promise.all([a.close(), b.close()])
      await Promise.all([poolA.end(), poolB.end()])
    })

    it('numbers the appends of two pools to one thread one after the other', async () => {
      const a = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 3 })
      const b = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 3 })
      const threadId = `thread-${runRecord().id}`
      const now = Date.now()
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, index) =>
          (index % 2 === 0 ? a : b).appendThreadMessages({
            threadId,
            messages: [`a${index}`, `b${index}`, `c${index}`],
            now,
          }),
        ),
      )
      expect(results.map((result) => result.lastSeq).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 24 }, (_, index) => 3 * (index + 1)),
      )
      // Summaries racing with an append: one summary wins, and no message is lost.
      const racing = await Promise.all([
        a.summarizeThread({ threadId, summary: 'x', throughSeq: 36, now }),
        b.appendThreadMessages({ threadId, messages: ['late'], now }),
        b.summarizeThread({ threadId, summary: 'y', throughSeq: 36, now }),
      ])
      expect(racing[1]).toEqual({ lastSeq: 73 })
      expect([racing[0].status, racing[2].status].sort()).toEqual(['stale', 'summarized'])
      const thread = await a.getThread({ threadId })
      expect(thread?.messages.map((entry) => entry.seq)).toEqual(
        Array.from({ length: 37 }, (_, index) => 37 + index),
      )
      expect(await b.deleteThread({ threadId })).toBe(true)
      await Promise.all([a.close(), b.close()])
    })

    it('names the table and the row of a corrupt thread or message', async () => {
      const threadId = `thread-${runRecord().id}`
      await store.appendThreadMessages({ threadId, messages: ['a', 'b'], now: 1 })
      await admin.query(
        `UPDATE ${prefix}messages SET message = '{' WHERE thread_id = ? AND seq = 2`,
        [threadId],
      )
      await expect(store.getThread({ threadId })).rejects.toThrow(
        `Corrupt row "${threadId}/2" in table ${prefix}messages: column message`,
      )
      await admin.query(
        `UPDATE ${prefix}threads SET summary_through = 1, summary = NULL, summary_at = 1 WHERE id = ?`,
        [threadId],
      )
      await admin.query(`UPDATE ${prefix}messages SET message = '"b"' WHERE thread_id = ?`, [
        threadId,
      ])
      await expect(store.getThread({ threadId })).rejects.toThrow(
        `Corrupt row "${threadId}" in table ${prefix}threads: column summary holds NULL`,
      )
      // A count lowered by hand never overwrites a message: the append fails, writing nothing.
      await admin.query(
        `UPDATE ${prefix}threads SET summary_through = NULL, last_seq = 1 WHERE id = ?`,
        [threadId],
      )
      const error = await store
        .appendThreadMessages({ threadId, messages: ['c'], now: 2 })
        .catch((e: unknown) => e)
      expect(StoreError.isInstance(error)).toBe(true)
      expect((error as Error).message).toMatch(/Could not append thread messages: Duplicate entry/)
      const [rows] = await admin.query(
        `SELECT seq, message FROM ${prefix}messages WHERE thread_id = ? ORDER BY seq`,
        [threadId],
      )
      expect(rows).toEqual([
        { seq: 1, message: '"b"' },
        { seq: 2, message: '"b"' },
      ])
      await store.deleteThread({ threadId })
    })

    it('refuses a stale fence presented through another pool', async () => {
      const other = createMysqlStore({ uri }, { tablePrefix: prefix, poolSize: 2 })
      const run = runRecord()
      const task = taskRecord(run, 'a')
      await store.createRun({ run, tasks: [task], scopes: [] })
      const now = Date.now()
      const first = await store.claimTask({ taskId: task.id, owner: 'a', leaseMs: 100, now })
      expect(first).toMatchObject({ status: 'claimed', task: { fence: 1 } })
      expect(await other.claimTask({ taskId: task.id, owner: 'b', leaseMs: 100, now })).toEqual({
        status: 'leased',
        leaseExpiresAt: now + 100,
      })
      const second = await other.claimTask({
        taskId: task.id,
        owner: 'b',
        leaseMs: 100,
        now: now + 100,
      })
      expect(second).toMatchObject({ status: 'claimed', task: { fence: 2, leaseOwner: 'b' } })
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
      expect(await store.commit({ runId: run.id, task: { id: task.id, fence: 1 }, step })).toEqual({
        status: 'stale',
      })
      expect(await store.renewTask({ taskId: task.id, fence: 1, leaseMs: 100, now })).toBe(false)
      expect((await other.getRunHistory(run.id))?.steps).toEqual([])
      expect(await other.commit({ runId: run.id, task: { id: task.id, fence: 2 }, step })).toEqual({
        status: 'committed',
      })
      expect((await store.getRunHistory(run.id))?.steps).toEqual([step])
      await other.close()
    })

    it('derives suspension from commits (a wait left alone suspends, a claimed wait resumes)', async () => {
      const now = Date.now()
      const run = runRecord()
      const step = taskRecord(run, 'a', { availableAt: now - 1 })
      await store.createRun({ run, tasks: [step], scopes: [] })
      await store.claimTask({ taskId: step.id, owner: 'w', leaseMs: 10_000, now })
      const sleep = taskRecord(run, 'nap', { availableAt: now + 50, wait: { kind: 'sleep' } })
      const other = taskRecord(run, 'b', { availableAt: now - 1 })
      const stepOf = (key: string) => ({
        runId: run.id,
        key,
        nodeId: key,
        path: [],
        status: 'succeeded' as const,
        output: key,
        attempts: 1,
        startedAt: now,
        endedAt: now,
      })
      expect(
        await store.commit({
          runId: run.id,
          task: { id: step.id, fence: 1 },
          step: stepOf('a'),
          tasks: [sleep, other],
          now,
        }),
      ).toEqual({ status: 'committed' })
      expect((await store.getRun(run.id))?.status).toBe('running')
      expect(
        await store.claimTask({ taskId: other.id, owner: 'w', leaseMs: 10_000, now }),
      ).toMatchObject({ status: 'claimed' })
      await store.commit({
        runId: run.id,
        task: { id: other.id, fence: 1 },
        step: stepOf('b'),
        now,
      })
      expect((await store.getRun(run.id))?.status).toBe('suspended')
      const woke = await store.claimTask({
        taskId: sleep.id,
        owner: 'w',
        leaseMs: 1000,
        now: now + 50,
      })
      expect(woke.status).toBe('claimed')
      expect((await store.getRun(run.id))?.status).toBe('running')
    })

    it('hands an inbox event to a wait that a later commit registers, once', async () => {
      const now = Date.now()
      const name = uniqueName('shipped')
      expect(
        await store.deliverEvent({
          event: {
            id: 'e1',
            name,
            payload: { orderId: 'A1' },
            receivedAt: now,
            expiresAt: now + 60_000,
          },
          now,
        }),
      ).toEqual({ delivered: [] })
      const commitWait = async (orderId: string) => {
        const run = runRecord()
        const start = taskRecord(run, 'start', { availableAt: now - 1 })
        await store.createRun({ run, tasks: [start], scopes: [] })
        await store.claimTask({ taskId: start.id, owner: 'w', leaseMs: 10_000, now })
        const waitTask = taskRecord(run, 'ship', {
          availableAt: 8_640_000_000_000_000,
          wait: { kind: 'event', name, match: { orderId } },
        })
        const result = await store.commit({
          runId: run.id,
          task: { id: start.id, fence: 1 },
          tasks: [waitTask],
          now: now + 5,
        })
        return { run, waitTask, result, status: (await store.getRun(run.id))?.status }
      }
      const other = await commitWait('B2')
      expect(other).toMatchObject({ result: { status: 'committed' }, status: 'suspended' })
      const taker = await commitWait('A1')
      expect(taker).toMatchObject({
        result: { status: 'committed', woken: [taker.waitTask.id] },
        status: 'running',
      })
      const [task] = (await store.getRunHistory(taker.run.id))!.tasks
      expect(task).toMatchObject({
        availableAt: now + 5,
        wait: {
          resolution: { type: 'event', eventId: 'e1', payload: { orderId: 'A1' }, at: now + 5 },
        },
      })
      const late = await commitWait('A1')
      expect(late).toMatchObject({ result: { status: 'committed' }, status: 'suspended' })
      expect(late.result).not.toHaveProperty('woken')
    })

    it('leaves an existing event wait as it is: it takes nothing from the inbox', async () => {
      const now = Date.now()
      const name = uniqueName('again')
      const run = runRecord()
      const waitTask = taskRecord(run, 'w', {
        availableAt: 8_640_000_000_000_000,
        wait: { kind: 'event', name },
      })
      await store.createRun({ run, tasks: [waitTask], scopes: [] })
      const event = { id: 'kept', name, payload: 1, receivedAt: now, expiresAt: now + 60_000 }
      // Delivered to the wait; a second event of the name is kept in the inbox.
      expect(
        (await store.deliverEvent({ event: { ...event, id: 'first' }, now })).delivered,
      ).toHaveLength(1)
      expect(await store.deliverEvent({ event, now })).toEqual({ delivered: [] })
      // Queued again (same id): left as it is, so it is not woken and the inbox keeps the event.
      const again = await store.commit({ runId: run.id, tasks: [{ ...waitTask }], now })
      expect(again).toEqual({ status: 'committed' })
      const other = runRecord()
      const created = await store.createRun({
        run: other,
        tasks: [
          taskRecord(other, 'w', {
            availableAt: 8_640_000_000_000_000,
            wait: { kind: 'event', name },
          }),
        ],
        scopes: [],
      })
      expect(created.woken).toEqual([`${other.id}/w`])
      const [task] = (await store.getRunHistory(other.id))!.tasks
      expect(task?.wait?.resolution).toMatchObject({ eventId: 'kept' })
    })

    it('reopens a run whose new wait the inbox satisfies, keeping the larger fence', async () => {
      const now = Date.now()
      const name = uniqueName('reopen')
      const run = runRecord()
      const a = taskRecord(run, 'a', { availableAt: 0 })
      await store.createRun({ run, tasks: [a], scopes: [] })
      await store.claimTask({ taskId: a.id, owner: 'w', leaseMs: 10_000, now })
      await store.commit({
        runId: run.id,
        run: { status: 'failed', updatedAt: now, endedAt: now },
      })
      await store.deliverEvent({
        event: { id: 'go', name, payload: { ok: true }, receivedAt: now, expiresAt: now + 60_000 },
        now,
      })
      const wait = taskRecord(run, 'w', {
        availableAt: 8_640_000_000_000_000,
        wait: { kind: 'event', name },
      })
      const reopened = await store.reopenRun({
        runId: run.id,
        tasks: [{ ...a, fence: 0 }, wait],
        now,
      })
      expect(reopened).toMatchObject({ status: 'reopened', run: { status: 'running' } })
      const history = await store.getRunHistory(run.id)
      expect(history?.tasks.map((task) => [task.key, task.fence, task.parked ?? false])).toEqual([
        ['a', 1, false],
        ['w', 0, false],
      ])
      expect(history?.tasks[1]?.wait?.resolution).toMatchObject({ eventId: 'go', at: now })
    })

    it('purges by either rule: beyond the newest N, or ended before a time', async () => {
      const workflowId = uniqueName('purge')
      const base = Date.now() - 100_000
      const ended = [0, 1, 2, 3, 4].map((i) =>
        runRecord({
          workflowId,
          status: 'succeeded',
          createdAt: base + i,
          endedAt: base + 100 - i * 10,
        }),
      )
      for (const run of ended) await store.createRun({ run, tasks: [], scopes: [] })
      // Newest by endedAt: ended[0] (base+100), ended[1] (base+90); ended[4] ended first.
      const purged = await store.purgeRuns({
        keepLast: 3,
        endedBefore: base + 85,
        workflowId,
        limit: 100,
        now: Date.now(),
      })
      expect(purged.runs).toBe(3)
      const left = await store.listRuns({ workflowId })
      expect(left.runs.map((run) => run.id).sort()).toEqual([ended[0]!.id, ended[1]!.id].sort())
    })

    it('keeps long keys and ids exactly: hashed keys, byte-exact ids', async () => {
      const run = runRecord({ id: `run ${'é'.repeat(200)} ` })
      const key = `node#${Array.from({ length: 400 }, (_, i) => i).join('.')}`
      const task = taskRecord(run, 'n', { id: `${run.id}/${key}`, key, input: { emoji: '😀' } })
      await store.createRun({ run, tasks: [task], scopes: [] })
      // An id that differs by a trailing space is another run.
      expect(await store.getRun(run.id.trimEnd())).toBeUndefined()
      const history = await store.getRunHistory(run.id)
      expect(history?.run.id).toBe(run.id)
      expect(history?.tasks[0]).toMatchObject({ id: task.id, key, input: { emoji: '😀' } })
      const claim = await store.claimTask({
        taskId: task.id,
        owner: 'w',
        leaseMs: 1000,
        now: Date.now(),
      })
      expect(claim.status).toBe('claimed')
    })

    it('closes its own pool, and every later call says the store is closed', async () => {
      await store.close()
      await store.close()
      await expect(store.getRun('x')).rejects.toThrow(/closed/)
      await expect(store.ready()).rejects.toThrow(/closed/)
    })
  })
})
