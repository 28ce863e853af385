import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../errors/not-found-error'
import { TesseraError } from '../errors/tessera-error'
import type { RunRecord, StepRecord, StoreV1 } from '../ports/store-v1'
import { errorOf, runFixture, scopeFixture, taskFixture, uniqueId } from './fixtures'
import { describeDurabilityConformance } from './store-conformance-durability'
import { describeRecordConformance } from './store-conformance-records'
import { describeThreadConformance } from './store-conformance-threads'

/** How to run the store conformance suite against one store configuration. */
export interface StoreConformanceOptions {
  /** Shown in the test names, e.g. `postgres (connection string)`. */
  name: string
  /** Creates the store under test; called once for the suite. */
  createStore: () => StoreV1 | Promise<StoreV1>
  /** Called after the suite (the suite calls `store.close()` itself after this). */
  cleanup?: (store: StoreV1) => Promise<void> | void
}

function stepFixture(run: RunRecord, key: string, output: unknown = { ok: true }): StepRecord {
  const now = Date.now()
  return {
    runId: run.id,
    key,
    nodeId: key,
    path: [],
    status: 'succeeded',
    output,
    attempts: 1,
    startedAt: now,
    endedAt: now,
  }
}

/**
 * The `StoreV1` conformance suite. Every store, the in-memory reference included, runs it; a
 * store's test file is a few lines per configuration. The thread tests run only for a store
 * that declares `capabilities.threads`, the records tests only for one that declares
 * `capabilities.records` (they are skipped otherwise).
 *
 * @example
 * ```ts
 * import { describeStoreConformance } from '@tessera/core/testing'
 * describeStoreConformance({ name: 'memory', createStore: () => createMemoryStore() })
 * ```
 */
export function describeStoreConformance(options: StoreConformanceOptions): void {
  describe(`StoreV1 conformance: ${options.name}`, () => {
    let store: StoreV1
    beforeAll(async () => {
      store = await options.createStore()
    })
    afterAll(async () => {
      await options.cleanup?.(store)
      await store.close()
    })

    it('declares itself as a v1 store with capabilities', () => {
      expect(store.specificationVersion).toBe('v1')
      expect(typeof store.provider).toBe('string')
      expect(typeof store.capabilities.durable).toBe('boolean')
      expect(typeof store.capabilities.shared).toBe('boolean')
    })

    describe('runs', () => {
      it('creates a run with its tasks and scopes and reads it back', async () => {
        const run = runFixture()
        const task = taskFixture(run, 'a')
        const scope = scopeFixture(run, 'p', 2)
        const created = await store.createRun({ run, tasks: [task], scopes: [scope] })
        expect(created).toEqual({ run, created: true })
        expect(await store.getRun(run.id)).toEqual(run)
        const history = await store.getRunHistory(run.id)
        expect(history?.run).toEqual(run)
        expect(history?.steps).toEqual([])
        expect(history?.tasks.map((t) => t.id)).toEqual([task.id])
        expect(history?.scopes).toEqual([scope])
        expect(await store.getScope(run.id, 'p')).toEqual(scope)
      })

      it('returns copies: mutating a result does not change the store', async () => {
        const run = runFixture()
        await store.createRun({ run, tasks: [], scopes: [] })
        const read = await store.getRun(run.id)
        read!.status = 'failed'
        ;(read!.input as { n: number }).n = 99
        expect((await store.getRun(run.id))?.status).toBe('running')
      })

      it('returns the existing run for a repeated idempotency key, writing nothing', async () => {
        const key = uniqueId('key')
        const first = runFixture({ idempotencyKey: key })
        await store.createRun({ run: first, tasks: [taskFixture(first, 'a')], scopes: [] })
        const second = runFixture({ idempotencyKey: key })
        const again = await store.createRun({
          run: second,
          tasks: [taskFixture(second, 'a')],
          scopes: [],
        })
        expect(again.created).toBe(false)
        expect(again.run.id).toBe(first.id)
        expect(await store.getRun(second.id)).toBeUndefined()
        // The same key for another workflow is another run.
        const other = runFixture({ idempotencyKey: key, workflowId: 'another' })
        expect((await store.createRun({ run: other, tasks: [], scopes: [] })).created).toBe(true)
      })

      it('returns the existing run for a repeated run id', async () => {
        const run = runFixture()
        await store.createRun({ run, tasks: [], scopes: [] })
        const again = await store.createRun({
          run: { ...run, input: 'different' },
          tasks: [],
          scopes: [],
        })
        expect(again).toEqual({ run, created: false })
      })

      it('answers undefined for unknown runs and NotFoundError for commits to them', async () => {
        expect(await store.getRun('no-such-run')).toBeUndefined()
        expect(await store.getRunHistory('no-such-run')).toBeUndefined()
        const error = await errorOf(() =>
          store.commit({ runId: 'no-such-run', run: { status: 'failed', updatedAt: 1 } }),
        )
        expect(NotFoundError.isInstance(error)).toBe(true)
      })
    })

    describe('tasks', () => {
      it('claims a task with a new fence and a lease; another owner sees it leased', async () => {
        const run = runFixture()
        const task = taskFixture(run, 'a')
        await store.createRun({ run, tasks: [task], scopes: [] })
        const now = Date.now()
        const claim = await store.claimTask({ taskId: task.id, owner: 'w1', leaseMs: 10_000, now })
        expect(claim.status).toBe('claimed')
        if (claim.status !== 'claimed') return
        expect(claim.task.fence).toBe(1)
        expect(claim.task.leaseOwner).toBe('w1')
        expect(claim.task.input).toEqual(task.input)
        // A second delivery to the same worker is refused as well: the step must not run twice.
        const again = await store.claimTask({
          taskId: task.id,
          owner: 'w1',
          leaseMs: 10_000,
          now: now + 1,
        })
        expect(again).toEqual({ status: 'leased', leaseExpiresAt: now + 10_000 })
        const other = await store.claimTask({
          taskId: task.id,
          owner: 'w2',
          leaseMs: 10_000,
          now: now + 1,
        })
        expect(other).toEqual({ status: 'leased', leaseExpiresAt: now + 10_000 })
        // After the lease expires another worker may take it, with a higher fence.
        const taken = await store.claimTask({
          taskId: task.id,
          owner: 'w2',
          leaseMs: 10_000,
          now: now + 10_001,
        })
        expect(taken.status === 'claimed' && taken.task.fence).toBe(2)
        // The first owner's commit is now stale and writes nothing.
        const stale = await store.commit({
          runId: run.id,
          task: { id: task.id, fence: 1 },
          step: stepFixture(run, 'a'),
        })
        expect(stale).toEqual({ status: 'stale' })
        expect((await store.getRunHistory(run.id))?.steps).toEqual([])
      })

      it('reports missing and not-ready tasks', async () => {
        const run = runFixture()
        const later = taskFixture(run, 'later', { availableAt: Date.now() + 60_000 })
        await store.createRun({ run, tasks: [later], scopes: [] })
        expect(
          await store.claimTask({ taskId: 'nope', owner: 'w', leaseMs: 1000, now: Date.now() }),
        ).toEqual({ status: 'missing' })
        expect(
          await store.claimTask({ taskId: later.id, owner: 'w', leaseMs: 1000, now: Date.now() }),
        ).toEqual({
          status: 'not-ready',
          availableAt: later.availableAt,
        })
      })

      it('lets exactly one of many concurrent claims win', async () => {
        const run = runFixture()
        const task = taskFixture(run, 'a')
        await store.createRun({ run, tasks: [task], scopes: [] })
        const now = Date.now()
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, index) =>
            store.claimTask({ taskId: task.id, owner: `w${index}`, leaseMs: 10_000, now }),
          ),
        )
        expect(claims.filter((claim) => claim.status === 'claimed')).toHaveLength(1)
      })

      it('renews a lease only with the current fence', async () => {
        const run = runFixture()
        const task = taskFixture(run, 'a')
        await store.createRun({ run, tasks: [task], scopes: [] })
        const now = Date.now()
        const claim = await store.claimTask({ taskId: task.id, owner: 'w1', leaseMs: 1000, now })
        expect(claim.status).toBe('claimed')
        expect(
          await store.renewTask({ taskId: task.id, fence: 1, leaseMs: 5000, now: now + 500 }),
        ).toBe(true)
        expect(
          await store.claimTask({ taskId: task.id, owner: 'w2', leaseMs: 1000, now: now + 2000 }),
        ).toEqual({ status: 'leased', leaseExpiresAt: now + 5500 })
        expect(await store.renewTask({ taskId: task.id, fence: 0, leaseMs: 5000, now })).toBe(false)
      })

      it('lists tasks whose lease expired or that nobody claimed in time', async () => {
        const run = runFixture()
        const now = Date.now()
        const unclaimed = taskFixture(run, 'unclaimed', { availableAt: now - 60_000 })
        const expired = taskFixture(run, 'expired', { availableAt: now - 60_000 })
        const live = taskFixture(run, 'live')
        await store.createRun({ run, tasks: [unclaimed, expired, live], scopes: [] })
        await store.claimTask({ taskId: expired.id, owner: 'dead', leaseMs: 10, now: now - 1000 })
        await store.claimTask({ taskId: live.id, owner: 'alive', leaseMs: 60_000, now })
        const stale = await store.listStaleTasks({ now, olderThan: 30_000, limit: 1000 })
        const ids = stale
          .filter((task) => task.runId === run.id)
          .map((task) => task.id)
          .sort()
        expect(ids).toEqual([expired.id, unclaimed.id].sort())
      })
    })

    describe('commits', () => {
      it('completes a task atomically: step inserted, task deleted, successors queued', async () => {
        const run = runFixture()
        const task = taskFixture(run, 'a')
        await store.createRun({ run, tasks: [task], scopes: [] })
        const claim = await store.claimTask({
          taskId: task.id,
          owner: 'w',
          leaseMs: 10_000,
          now: Date.now(),
        })
        expect(claim.status).toBe('claimed')
        const next = taskFixture(run, 'b', { input: { n: 2 } })
        const result = await store.commit({
          runId: run.id,
          task: { id: task.id, fence: 1 },
          step: stepFixture(run, 'a', { n: 2 }),
          tasks: [next],
        })
        expect(result).toEqual({ status: 'committed' })
        const history = await store.getRunHistory(run.id)
        expect(history?.steps).toEqual(
          [stepFixture(run, 'a', { n: 2 })].map((step) => ({
            ...step,
            startedAt: history!.steps[0]!.startedAt,
            endedAt: history!.steps[0]!.endedAt,
          })),
        )
        expect(history?.tasks.map((t) => t.id)).toEqual([next.id])
      })

      it('inserts a step record once: a second commit for the key is a duplicate and writes nothing', async () => {
        const run = runFixture()
        const first = taskFixture(run, 'a')
        const second = taskFixture(run, 'a-copy')
        await store.createRun({ run, tasks: [first, second], scopes: [] })
        await store.claimTask({ taskId: first.id, owner: 'w', leaseMs: 10_000, now: Date.now() })
        await store.claimTask({ taskId: second.id, owner: 'w', leaseMs: 10_000, now: Date.now() })
        expect(
          await store.commit({
            runId: run.id,
            task: { id: first.id, fence: 1 },
            step: stepFixture(run, 'a', 1),
          }),
        ).toEqual({ status: 'committed' })
        const duplicate = await store.commit({
          runId: run.id,
          task: { id: second.id, fence: 1 },
          step: stepFixture(run, 'a', 2),
          tasks: [taskFixture(run, 'c')],
        })
        expect(duplicate).toEqual({ status: 'duplicate' })
        const history = await store.getRunHistory(run.id)
        expect(history?.steps.map((step) => step.output)).toEqual([1])
        expect(history?.tasks.map((task) => task.id)).toEqual([second.id])
      })

      it('never replaces an existing task when a commit queues the same id', async () => {
        const run = runFixture()
        const existing = taskFixture(run, 'b', { input: 'original' })
        await store.createRun({ run, tasks: [existing], scopes: [] })
        await store.commit({
          runId: run.id,
          tasks: [taskFixture(run, 'b', { input: 'replacement' })],
        })
        const history = await store.getRunHistory(run.id)
        expect(history?.tasks.map((task) => task.input)).toEqual(['original'])
      })

      it('reschedules a task for a retry, releasing its lease', async () => {
        const run = runFixture()
        const task = taskFixture(run, 'a')
        await store.createRun({ run, tasks: [task], scopes: [] })
        const now = Date.now()
        await store.claimTask({ taskId: task.id, owner: 'w', leaseMs: 10_000, now })
        const error = { name: 'Error', code: 'internal', message: 'boom', retryable: true }
        expect(
          await store.commit({
            runId: run.id,
            task: { id: task.id, fence: 1 },
            retry: { attempt: 2, availableAt: now + 5000, error },
          }),
        ).toEqual({ status: 'committed' })
        const [rescheduled] = (await store.getRunHistory(run.id))!.tasks
        expect(rescheduled).toMatchObject({ attempt: 2, availableAt: now + 5000, lastError: error })
        expect(rescheduled?.leaseOwner).toBeUndefined()
        expect(
          await store.claimTask({ taskId: task.id, owner: 'w2', leaseMs: 1000, now: now + 5000 }),
        ).toMatchObject({ status: 'claimed' })
      })

      it('joins children into a scope once each and lets one commit close it', async () => {
        const run = runFixture()
        await store.createRun({ run, tasks: [], scopes: [scopeFixture(run, 'p', 2)] })
        const first = await store.commit({
          runId: run.id,
          join: { scopeKey: 'p', index: 1, output: 'b' },
        })
        expect(first).toEqual({
          status: 'committed',
          join: { key: 'p', completed: 1, expected: 2, closed: false },
        })
        const repeated = await store.commit({
          runId: run.id,
          join: { scopeKey: 'p', index: 1, output: 'b-again' },
        })
        expect(repeated.status === 'committed' && repeated.join).toMatchObject({ completed: 1 })
        const last = await store.commit({
          runId: run.id,
          join: { scopeKey: 'p', index: 0, output: 'a' },
        })
        expect(last.status === 'committed' && last.join).toEqual({
          key: 'p',
          completed: 2,
          expected: 2,
          closed: false,
          results: { 0: 'a', 1: 'b' },
        })
        expect(
          await store.commit({
            runId: run.id,
            closeScope: 'p',
            tasks: [taskFixture(run, 'after')],
          }),
        ).toEqual({ status: 'committed' })
        expect(
          await store.commit({
            runId: run.id,
            closeScope: 'p',
            tasks: [taskFixture(run, 'twice')],
          }),
        ).toEqual({ status: 'duplicate' })
        const history = await store.getRunHistory(run.id)
        expect(history?.tasks.map((task) => task.nodeId)).toEqual(['after'])
        expect(history?.scopes[0]?.closed).toBe(true)
      })

      it('counts every one of many concurrent joins exactly once', async () => {
        const run = runFixture()
        const size = 24
        await store.createRun({
          run,
          tasks: [],
          scopes: [
            scopeFixture(
              run,
              'fan',
              size,
              Array.from({ length: size }, (_, i) => i),
            ),
          ],
        })
        const results = await Promise.all(
          Array.from({ length: size }, (_, index) =>
            store.commit({ runId: run.id, join: { scopeKey: 'fan', index, output: index * 10 } }),
          ),
        )
        const completedCounts = results
          .map((result) => (result.status === 'committed' ? result.join?.completed : -1))
          .sort((a, b) => a! - b!)
        expect(completedCounts).toEqual(Array.from({ length: size }, (_, i) => i + 1))
        // Only the join that completed the scope carries the outputs, all of them.
        const complete = results.filter(
          (result) => result.status === 'committed' && result.join?.results,
        )
        expect(complete).toHaveLength(1)
        expect(complete[0]!.status === 'committed' && complete[0]!.join?.results).toEqual(
          Object.fromEntries(Array.from({ length: size }, (_, i) => [i, i * 10])),
        )
        const scope = await store.getScope(run.id, 'fan')
        expect(scope?.completed).toBe(size)
        expect(scope?.items).toEqual(Array.from({ length: size }, (_, i) => i))
        const closes = await Promise.all(
          [0, 1, 2, 3].map(() => store.commit({ runId: run.id, closeScope: 'fan' })),
        )
        expect(closes.filter((close) => close.status === 'committed')).toHaveLength(1)
      })

      it('writes nothing when a commit fails half-way (join to a missing scope)', async () => {
        const run = runFixture()
        const task = taskFixture(run, 'a')
        await store.createRun({ run, tasks: [task], scopes: [] })
        await store.claimTask({ taskId: task.id, owner: 'w', leaseMs: 10_000, now: Date.now() })
        const error = await errorOf(() =>
          store.commit({
            runId: run.id,
            task: { id: task.id, fence: 1 },
            step: stepFixture(run, 'a'),
            join: { scopeKey: 'missing', index: 0, output: 1 },
          }),
        )
        expect(TesseraError.isInstance(error)).toBe(true)
        const history = await store.getRunHistory(run.id)
        expect(history?.steps).toEqual([])
        expect(history?.tasks.map((t) => t.id)).toEqual([task.id])
      })

      it('ends a run: terminal status is final, its tasks are gone, later commits write nothing', async () => {
        const run = runFixture()
        const task = taskFixture(run, 'a')
        await store.createRun({ run, tasks: [task, taskFixture(run, 'b')], scopes: [] })
        await store.claimTask({ taskId: task.id, owner: 'w', leaseMs: 10_000, now: Date.now() })
        const now = Date.now()
        const error = {
          name: 'RunCancelledError',
          code: 'run_cancelled',
          message: 'cancelled',
          retryable: false,
        }
        expect(
          await store.commit({
            runId: run.id,
            run: { status: 'cancelled', error, updatedAt: now, endedAt: now },
          }),
        ).toEqual({ status: 'committed' })
        const late = await store.commit({
          runId: run.id,
          task: { id: task.id, fence: 1 },
          step: stepFixture(run, 'a'),
        })
        expect(late.status).toBe('run-ended')
        const history = await store.getRunHistory(run.id)
        expect(history?.run).toMatchObject({ status: 'cancelled', error, endedAt: now })
        expect(history?.steps).toEqual([])
        expect(history?.tasks).toEqual([])
        expect(await store.claimTask({ taskId: task.id, owner: 'w', leaseMs: 1000, now })).toEqual({
          status: 'missing',
        })
      })

      it('stores the output of a succeeded run', async () => {
        const run = runFixture()
        await store.createRun({ run, tasks: [], scopes: [] })
        const now = Date.now()
        await store.commit({
          runId: run.id,
          run: { status: 'succeeded', output: { total: 42 }, updatedAt: now, endedAt: now },
        })
        expect(await store.getRun(run.id)).toMatchObject({
          status: 'succeeded',
          output: { total: 42 },
          endedAt: now,
        })
      })
    })

    describe('listing runs', () => {
      const workflowId = uniqueId('listing')
      const runs: RunRecord[] = []
      beforeAll(async () => {
        const base = Date.now() - 100_000
        for (let index = 0; index < 7; index++) {
          const run = runFixture({
            workflowId,
            createdAt: base + index * 10,
            updatedAt: base,
            status: index % 2 === 0 ? 'running' : 'failed',
          })
          runs.push(run)
          await store.createRun({ run, tasks: [], scopes: [] })
        }
        // Two runs created in the same millisecond must still page correctly.
        const twin = runFixture({
          workflowId,
          createdAt: base + 60,
          updatedAt: base,
          status: 'running',
        })
        runs.push(twin)
        await store.createRun({ run: twin, tasks: [], scopes: [] })
      })

      it('filters by workflow and status, newest first', async () => {
        const page = await store.listRuns({ workflowId, status: 'failed' })
        expect(page.runs.map((run) => run.id)).toEqual(
          runs
            .filter((run) => run.status === 'failed')
            .reverse()
            .map((run) => run.id),
        )
        expect(page.nextCursor).toBeUndefined()
        const both = await store.listRuns({ workflowId, status: ['failed', 'running'] })
        expect(both.runs).toHaveLength(runs.length)
      })

      it('filters by creation time', async () => {
        const after = runs[2]!.createdAt
        const before = runs[5]!.createdAt
        const page = await store.listRuns({
          workflowId,
          createdAfter: after,
          createdBefore: before,
        })
        expect(page.runs.map((run) => run.createdAt).sort()).toEqual(
          [runs[2]!, runs[3]!, runs[4]!].map((run) => run.createdAt),
        )
      })

      it('pages with a keyset cursor, each run exactly once', async () => {
        const seen: string[] = []
        let cursor: string | undefined
        for (let pages = 0; pages < 10; pages++) {
          const page = await store.listRuns({ workflowId, limit: 3, ...(cursor ? { cursor } : {}) })
          seen.push(...page.runs.map((run) => run.id))
          cursor = page.nextCursor
          if (!cursor) break
        }
        expect(seen).toHaveLength(runs.length)
        expect(new Set(seen).size).toBe(runs.length)
        const sorted = [...runs].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        expect(seen).toEqual(sorted.map((run) => run.id))
      })

      it('rejects a bad cursor or limit with InvalidArgumentError', async () => {
        const badCursor = await store.listRuns({ cursor: 'not a cursor' }).catch((e: unknown) => e)
        expect(TesseraError.isInstance(badCursor) && badCursor.code).toBe('invalid_argument')
        const badLimit = await store.listRuns({ limit: 0 }).catch((e: unknown) => e)
        expect(TesseraError.isInstance(badLimit) && badLimit.code).toBe('invalid_argument')
      })
    })

    describeDurabilityConformance(() => store)
    describeThreadConformance(() => store)
    describeRecordConformance(() => store)
  })
}
