// A newer schema is refused without a write, and rows that cannot be read back say which row
// of which table.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { StoreError } from '@tessera/core'
import {
  createSqliteStore,
  sqliteMigrations,
  sqliteSchemaVersion,
} from '@tessera/connectors/sqlite'

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-rows-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newFile = () => join(dir, `db-${++files}.db`)

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

  it('writes nothing to a newer database, not even the tables it would create', () => {
    const filename = newFile()
    // Only a version row from the future: a migration would create every table.
    const db = new Database(filename)
    db.pragma('journal_mode = WAL')
    db.exec(`CREATE TABLE tessera_meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
      INSERT INTO tessera_meta VALUES ('schema_version', ${sqliteSchemaVersion + 1})`)
    const before = db.prepare(`SELECT * FROM sqlite_master ORDER BY name`).all()
    // data_version changes when another connection commits a write.
    const version = db.pragma('data_version', { simple: true })
    expect(() => createSqliteStore({ filename })).toThrow(/newer/)
    expect(() => createSqliteStore({ database: db })).toThrow(/newer/)
    expect(db.prepare(`SELECT * FROM sqlite_master ORDER BY name`).all()).toEqual(before)
    expect(db.pragma('data_version', { simple: true })).toBe(version)
    expect(db.open).toBe(true)
    db.close()
  })

  it('says what to do with an older schema when it may not migrate', () => {
    const db = new Database(':memory:')
    db.exec(sqliteMigrations({ tablePrefix: 'old_' }).join(';\n'))
    db.prepare(`UPDATE old_meta SET value = 0`).run()
    expect(() =>
      createSqliteStore({ database: db }, { tablePrefix: 'old_', migrate: false }),
    ).toThrow(/schema version 0, older .* sqliteMigrations\(\{ from: 0 \}\)/)
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

  it('names the table and the id of a corrupt thread or message', async () => {
    const { store, db } = await setup()
    const threadId = `thread-${files}`
    await store.appendThreadMessages!({ threadId, messages: ['a', 'b'], now: 1 })
    db.prepare(`UPDATE tessera_messages SET message = '{' WHERE thread_id = ? AND seq = 2`).run(
      threadId,
    )
    expect(await storeErrorOf(() => store.getThread!({ threadId }))).toMatch(
      new RegExp(`row "${threadId}/2" in table tessera_messages: column message`),
    )
    db.prepare(`UPDATE tessera_messages SET message = '"b"' WHERE thread_id = ?`).run(threadId)
    db.prepare(`UPDATE tessera_threads SET last_seq = 'many' WHERE id = ?`).run(threadId)
    expect(await storeErrorOf(() => store.getThread!({ threadId }))).toMatch(
      new RegExp(`row "${threadId}" in table tessera_threads: column last_seq`),
    )
    db.prepare(
      `UPDATE tessera_threads SET last_seq = 2, summary = NULL, summary_through = 1 WHERE id = ?`,
    ).run(threadId)
    expect(await storeErrorOf(() => store.getThread!({ threadId }))).toMatch(
      new RegExp(`row "${threadId}" in table tessera_threads: column summary holds NULL`),
    )
    // A count lowered by hand never overwrites a message: the append fails and writes nothing.
    db.prepare(`UPDATE tessera_threads SET summary_through = NULL, last_seq = 1 WHERE id = ?`).run(
      threadId,
    )
    expect(
      await storeErrorOf(() => store.appendThreadMessages!({ threadId, messages: ['c'], now: 2 })),
    ).toMatch(/Could not append thread messages: UNIQUE constraint failed/)
    expect((await store.getThread!({ threadId }))?.messages.map((m) => m.message)).toEqual([
      'b',
      'b',
    ])
    db.close()
    await store.close()
  })

  it('leases nothing when claimNext meets a corrupt claimable task', async () => {
    const { store, task, db } = await setup()
    db.prepare(`UPDATE tessera_tasks SET input = '{' WHERE id = ?`).run(task.id)
    const error = await storeErrorOf(() =>
      store.claimNext!({ owner: 'w', leaseMs: 1000, now: Date.now(), limit: 1000 }),
    )
    expect(error).toMatch(new RegExp(`row "${task.id}" in table tessera_tasks: column input`))
    expect(
      db.prepare(`SELECT count(*) FROM tessera_tasks WHERE lease_owner IS NOT NULL`).pluck().get(),
    ).toBe(0)
    db.prepare(`DELETE FROM tessera_tasks`).run()
    db.close()
    await store.close()
  })
})
