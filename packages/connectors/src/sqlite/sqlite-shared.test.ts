// One file, several connections: claimNext never hands one task out twice.
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunRecord, TaskRecord } from '@tessera/core'
import { createSqliteStore } from '@tessera/connectors/sqlite'
import { tableNames } from './sqlite-migrations'
import { statementTexts } from './sqlite-statements'

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-shared-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function runWithTasks(id: string, count: number, now: number) {
  const run: RunRecord = {
    id,
    workflowId: 'w',
    workflowVersion: 'v',
    status: 'running',
    input: {},
    createdAt: now,
    updatedAt: now,
  }
  const tasks: TaskRecord[] = Array.from({ length: count }, (_, index) => ({
    id: `${id}/t${index}`,
    runId: id,
    workflowId: 'w',
    workflowVersion: 'v',
    nodeId: `t${index}`,
    key: `t${index}`,
    path: [],
    input: index,
    attempt: 1,
    // Ties on purpose: the order among equal availableAt is the store's to choose.
    availableAt: now - 100 + (index % 7),
    fence: 0,
  }))
  return { run, tasks }
}

describe('claimNext on one file from several connections', () => {
  it('hands every task to exactly one of two stores, oldest first, with a new fence and lease', async () => {
    const filename = join(dir, 'two-stores.db')
    const a = createSqliteStore({ filename })
    const b = createSqliteStore({ filename })
    const now = Date.now()
    const { run, tasks } = runWithTasks('two-stores', 60, now)
    await a.createRun({ run, tasks, scopes: [] })
    const byOwner = new Map<string, TaskRecord[]>([
      ['a', []],
      ['b', []],
    ])
    for (let round = 0; round < 100; round++) {
      // Interleaved calls on both connections, in both orders.
      const order: [typeof a, string][] = [
        [a, 'a'],
        [b, 'b'],
      ]
      if (round % 2 === 1) order.reverse()
      const claims = await Promise.all(
        order.map(([store, owner], index) =>
          store.claimNext!({ owner, leaseMs: 60_000, now, limit: 4 - index }),
        ),
      )
      for (const claimed of claims) {
        for (const task of claimed) byOwner.get(task.leaseOwner!)!.push(task)
        const times = claimed.map((task) => task.availableAt)
        expect(times).toEqual([...times].sort((x, y) => x - y))
      }
      if (claims.every((claimed) => claimed.length === 0)) break
    }
    const all = [...byOwner.values()].flat()
    expect(all).toHaveLength(60)
    expect(new Set(all.map((task) => task.id)).size).toBe(60)
    expect(byOwner.get('a')!.length).toBeGreaterThan(0)
    expect(byOwner.get('b')!.length).toBeGreaterThan(0)
    for (const task of all) {
      expect(task).toMatchObject({ fence: 1, leaseExpiresAt: now + 60_000 })
    }
    // Nothing is left, for either of them; once the leases run out, the tasks are claimable again.
    expect(await a.claimNext!({ owner: 'a', leaseMs: 1, now, limit: 100 })).toEqual([])
    const again = await b.claimNext!({ owner: 'b', leaseMs: 1, now: now + 60_000, limit: 100 })
    expect(again).toHaveLength(60)
    expect(again.every((task) => task.fence === 2)).toBe(true)
    await a.close()
    await b.close()
  })

  it('never hands one task to two connections claiming in parallel threads', async () => {
    const filename = join(dir, 'threads.db')
    const store = createSqliteStore({ filename })
    const now = Date.now()
    const { run, tasks } = runWithTasks('threads', 400, now)
    await store.createRun({ run, tasks, scopes: [] })
    // Each thread has its own connection and runs the store's claimNext statement in a loop,
    // as fast as it can, until there is nothing left to claim.
    const claimNext = statementTexts(tableNames('tessera_')).claimNext.text
    const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3')
    const worker = (owner: string) =>
      new Promise<string[]>((resolve, reject) => {
        const thread = new Worker(
          `const { parentPort, workerData } = require('node:worker_threads')
           const Database = require(workerData.betterSqlite3)
           const db = new Database(workerData.filename)
           db.pragma('busy_timeout = 10000')
           const claim = db.prepare(workerData.claimNext)
           const ids = []
           for (;;) {
             const rows = claim.all({ owner: workerData.owner, expires: workerData.now + 60000,
               now: workerData.now, limit: 2 })
             if (rows.length === 0) break
             for (const row of rows) ids.push(row.id)
           }
           db.close()
           parentPort.postMessage(ids)`,
          { eval: true, workerData: { betterSqlite3, filename, claimNext, owner, now } },
        )
        thread.once('message', resolve)
        thread.once('error', reject)
      })
    const claimed = await Promise.all(['w1', 'w2', 'w3', 'w4'].map(worker))
    const all = claimed.flat()
    expect(all).toHaveLength(400)
    expect(new Set(all).size).toBe(400)
    const history = await store.getRunHistory(run.id)
    expect(history?.tasks.every((task) => task.fence === 1 && task.leaseOwner)).toBe(true)
    await store.close()
  })

  it('wakes a suspended run when another connection claims its due wait with claimNext', async () => {
    const filename = join(dir, 'wake.db')
    const a = createSqliteStore({ filename })
    const b = createSqliteStore({ filename })
    const now = Date.now()
    const { run, tasks } = runWithTasks('wake', 1, now)
    const sleep: TaskRecord = { ...tasks[0]!, availableAt: now + 50, wait: { kind: 'sleep' } }
    const created = await a.createRun({ run, tasks: [sleep], scopes: [] })
    expect(created.run.status).toBe('suspended')
    expect(await b.claimNext!({ owner: 'b', leaseMs: 1000, now, limit: 10 })).toEqual([])
    const claimed = await b.claimNext!({ owner: 'b', leaseMs: 1000, now: now + 50, limit: 10 })
    expect(claimed.map((task) => task.id)).toEqual([sleep.id])
    expect((await a.getRun(run.id))?.status).toBe('running')
    // The wait's commit leaves the run running (its successor is runnable).
    await b.commit({
      runId: run.id,
      task: { id: sleep.id, fence: 1 },
      tasks: [{ ...tasks[0]!, id: `${run.id}/next`, key: 'next', nodeId: 'next' }],
    })
    expect((await a.getRun(run.id))?.status).toBe('running')
    await a.close()
    await b.close()
  })
})
