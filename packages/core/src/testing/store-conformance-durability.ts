import { describe, expect, it } from 'vitest'
import { NotFoundError } from '../errors/not-found-error'
import { TesseraError } from '../errors/tessera-error'
import {
  waitForever,
  type EventRecord,
  type RunRecord,
  type StepRecord,
  type StoreV1,
  type TaskRecord,
  type TaskWait,
  type WaitResolution,
} from '../ports/store-v1'
import { errorOf, runFixture, taskFixture, uniqueId } from './fixtures'

const failure = { name: 'Error', code: 'step_failed', message: 'boom', retryable: false }

/** A task claimable at any `now` (tests take `now` before creating their tasks). */
const ready = (run: RunRecord, nodeId: string): TaskRecord =>
  taskFixture(run, nodeId, { availableAt: 0 })

/** A task of `run` that waits. */
function waitTask(
  run: RunRecord,
  nodeId: string,
  wait: TaskWait,
  availableAt: number = waitForever,
  overrides: Partial<TaskRecord> = {},
): TaskRecord {
  return taskFixture(run, nodeId, { wait, availableAt, ...overrides })
}

function event(name: string, payload: unknown, overrides: Partial<EventRecord> = {}): EventRecord {
  const now = Date.now()
  return {
    id: uniqueId('event'),
    name,
    payload,
    receivedAt: now,
    expiresAt: now + 60_000,
    ...overrides,
  }
}

const approval = (data: unknown, at: number): WaitResolution => ({
  type: 'approval',
  approved: true,
  data,
  by: 'ops@example.com',
  at,
})

/**
 * The conformance tests of suspension, events, approvals, parking, reopening, retention and the
 * store transport. Registered by `describeStoreConformance` inside its own `describe`.
 */
export function describeDurabilityConformance(getStore: () => StoreV1): void {
  // Every test uses its own event names (uniqueId): suites share one database per store.
  describe('waits and suspension', () => {
    it('suspends a run whose only task is a wait, and resumes it when the wait is resolved', async () => {
      const store = getStore()
      const run = runFixture()
      const name = uniqueId('manager')
      const wait = waitTask(run, 'approve', { kind: 'approval', name })
      await store.createRun({ run, tasks: [wait], scopes: [] })
      expect((await store.getRun(run.id))?.status).toBe('suspended')
      const now = Date.now()
      const resolution = approval({ limit: 500 }, now)
      const resolved = await store.resolveWait({
        runId: run.id,
        kind: 'approval',
        name,
        resolution,
        now,
      })
      expect(resolved.status).toBe('resolved')
      if (resolved.status !== 'resolved') return
      expect(resolved.task).toMatchObject({
        id: wait.id,
        availableAt: now,
        wait: { kind: 'approval', name, resolution },
      })
      expect((await store.getRun(run.id))?.status).toBe('running')
      const claim = await store.claimTask({ taskId: wait.id, owner: 'w', leaseMs: 1000, now })
      expect(claim.status).toBe('claimed')
      if (claim.status === 'claimed') expect(claim.task.wait?.resolution).toEqual(resolution)
      // Resolved once: a second approval finds nothing to resolve.
      expect(
        await store.resolveWait({ runId: run.id, kind: 'approval', name, resolution, now }),
      ).toEqual({ status: 'not-waiting' })
    })

    it('refuses to resolve what is not waiting, and says why', async () => {
      const store = getStore()
      const run = runFixture()
      const now = Date.now()
      await store.createRun({
        run,
        tasks: [
          waitTask(run, 'late', { kind: 'approval', name: 'late' }, now - 1),
          waitTask(run, 'open', { kind: 'approval', name: 'open' }),
        ],
        scopes: [],
      })
      const resolve = (name: string, runId = run.id) =>
        store.resolveWait({ runId, kind: 'approval', name, resolution: approval(1, now), now })
      // Another name, and a wait whose deadline has passed (it timed out).
      expect(await resolve('other')).toEqual({ status: 'not-waiting' })
      expect(await resolve('late')).toEqual({ status: 'not-waiting' })
      const unknown = await errorOf(() => resolve('open', uniqueId('no-such-run')))
      expect(NotFoundError.isInstance(unknown)).toBe(true)
      const ended = runFixture({ status: 'cancelled', endedAt: now })
      await store.createRun({ run: ended, tasks: [], scopes: [] })
      const refused = await resolve('open', ended.id)
      expect(refused).toMatchObject({ status: 'run-ended', run: { id: ended.id } })
      // Nothing was written by the refusals.
      const history = await store.getRunHistory(run.id)
      expect(history?.tasks.every((task) => task.wait?.resolution === undefined)).toBe(true)
    })

    it('resolves the wait with the smallest key, or the one with the given key', async () => {
      const store = getStore()
      const run = runFixture()
      const tasks = [2, 0, 1].map((index) =>
        waitTask(run, `approve#${index}`, { kind: 'approval', name: 'item' }, waitForever, {
          id: `${run.id}/approve#${index}`,
          nodeId: 'approve',
          key: `approve#${index}`,
          path: [index],
        }),
      )
      await store.createRun({ run, tasks, scopes: [] })
      const now = Date.now()
      const first = await store.resolveWait({
        runId: run.id,
        kind: 'approval',
        name: 'item',
        resolution: approval('a', now),
        now,
      })
      expect(first.status === 'resolved' && first.task.key).toBe('approve#0')
      const chosen = await store.resolveWait({
        runId: run.id,
        kind: 'approval',
        name: 'item',
        key: 'approve#2',
        resolution: approval('b', now),
        now,
      })
      expect(chosen.status === 'resolved' && chosen.task.key).toBe('approve#2')
    })

    it('derives suspension from every commit that changes what a run can do', async () => {
      const store = getStore()
      const run = runFixture()
      const step = ready(run, 'a')
      await store.createRun({ run, tasks: [step], scopes: [] })
      const now = Date.now()
      const claim = await store.claimTask({ taskId: step.id, owner: 'w', leaseMs: 10_000, now })
      expect(claim.status).toBe('claimed')
      // A parallel: one branch waits, the other runs a step.
      const wait = waitTask(run, 'w', { kind: 'event', name: uniqueId('never') })
      const other = ready(run, 'b')
      await store.commit({
        runId: run.id,
        task: { id: step.id, fence: 1 },
        step: stepRecord(run, 'a'),
        tasks: [wait, other],
        now,
      })
      expect((await store.getRun(run.id))?.status).toBe('running')
      await store.claimTask({ taskId: other.id, owner: 'w', leaseMs: 10_000, now })
      // The step branch ends; only the wait is left.
      await store.commit({
        runId: run.id,
        task: { id: other.id, fence: 1 },
        step: stepRecord(run, 'b'),
        now,
      })
      expect((await store.getRun(run.id))?.status).toBe('suspended')
    })

    it('makes a suspended run running when the timer of one of its waits fires', async () => {
      const store = getStore()
      const run = runFixture()
      const now = Date.now()
      const sleep = waitTask(run, 'nap', { kind: 'sleep' }, now + 50)
      await store.createRun({ run, tasks: [sleep], scopes: [] })
      expect((await store.getRun(run.id))?.status).toBe('suspended')
      expect(await store.claimTask({ taskId: sleep.id, owner: 'w', leaseMs: 1000, now })).toEqual({
        status: 'not-ready',
        availableAt: now + 50,
      })
      const claim = await store.claimTask({
        taskId: sleep.id,
        owner: 'w',
        leaseMs: 1000,
        now: now + 60,
      })
      expect(claim.status).toBe('claimed')
      expect((await store.getRun(run.id))?.status).toBe('running')
    })
  })

  describe('events and the inbox', () => {
    it('delivers an event to every matching wait, and only to those', async () => {
      const store = getStore()
      const name = uniqueId('payment')
      const runs = [runFixture(), runFixture(), runFixture(), runFixture()]
      const now = Date.now()
      const [paid, alsoPaid, otherOrder, timedOut] = runs as [
        RunRecord,
        RunRecord,
        RunRecord,
        RunRecord,
      ]
      await store.createRun({
        run: paid,
        tasks: [waitTask(paid, 'pay', { kind: 'event', name, match: { orderId: 'A1' } })],
        scopes: [],
      })
      await store.createRun({
        run: alsoPaid,
        tasks: [waitTask(alsoPaid, 'pay', { kind: 'event', name })],
        scopes: [],
      })
      await store.createRun({
        run: otherOrder,
        tasks: [waitTask(otherOrder, 'pay', { kind: 'event', name, match: { orderId: 'B2' } })],
        scopes: [],
      })
      await store.createRun({
        run: timedOut,
        tasks: [waitTask(timedOut, 'pay', { kind: 'event', name }, now - 1)],
        scopes: [],
      })
      const sent = event(name, { orderId: 'A1', amount: 10 })
      const { delivered } = await store.deliverEvent({ event: sent, now })
      expect(delivered.map((task) => task.runId).sort()).toEqual([paid.id, alsoPaid.id].sort())
      for (const task of delivered) {
        expect(task.availableAt).toBe(now)
        expect(task.wait?.resolution).toEqual({
          type: 'event',
          eventId: sent.id,
          payload: { orderId: 'A1', amount: 10 },
          at: now,
        })
      }
      expect((await store.getRun(paid.id))?.status).toBe('running')
      expect((await store.getRun(otherOrder.id))?.status).toBe('suspended')
      // Delivered events are not kept: a wait registered now does not get this one.
      const later = runFixture()
      const created = await store.createRun({
        run: later,
        tasks: [waitTask(later, 'pay', { kind: 'event', name })],
        scopes: [],
      })
      expect(created.woken).toBeUndefined()
    })

    it('keeps an event addressed to one run away from the waits of others', async () => {
      const store = getStore()
      const name = uniqueId('signal')
      const mine = runFixture()
      const theirs = runFixture()
      for (const run of [mine, theirs]) {
        await store.createRun({
          run,
          tasks: [waitTask(run, 'go', { kind: 'event', name })],
          scopes: [],
        })
      }
      const { delivered } = await store.deliverEvent({
        event: event(name, { go: true }, { runId: mine.id }),
        now: Date.now(),
      })
      expect(delivered.map((task) => task.runId)).toEqual([mine.id])
    })

    it('keeps an early event in the inbox and hands it to the first wait that registers', async () => {
      const store = getStore()
      const name = uniqueId('shipped')
      const now = Date.now()
      const early = event(name, { orderId: 'A1', carrier: 'dhl' })
      expect(await store.deliverEvent({ event: early, now })).toEqual({ delivered: [] })
      // Another order's wait does not take it.
      const other = runFixture()
      const otherStart = ready(other, 'start')
      await store.createRun({ run: other, tasks: [otherStart], scopes: [] })
      await store.claimTask({ taskId: otherStart.id, owner: 'w', leaseMs: 10_000, now })
      const otherWait = waitTask(other, 'ship', { kind: 'event', name, match: { orderId: 'B2' } })
      const refused = await store.commit({
        runId: other.id,
        task: { id: otherStart.id, fence: 1 },
        step: stepRecord(other, 'start'),
        tasks: [otherWait],
        now,
      })
      expect(refused).toEqual({ status: 'committed' })
      expect((await store.getRun(other.id))?.status).toBe('suspended')
      // The matching wait, registered by a commit, takes it at once.
      const run = runFixture()
      const start = ready(run, 'start')
      await store.createRun({ run, tasks: [start], scopes: [] })
      await store.claimTask({ taskId: start.id, owner: 'w', leaseMs: 10_000, now })
      const wait = waitTask(run, 'ship', { kind: 'event', name, match: { orderId: 'A1' } })
      const committed = await store.commit({
        runId: run.id,
        task: { id: start.id, fence: 1 },
        step: stepRecord(run, 'start'),
        tasks: [wait],
        now: now + 5,
      })
      expect(committed).toEqual({ status: 'committed', woken: [wait.id] })
      const history = await store.getRunHistory(run.id)
      expect(history?.run.status).toBe('running')
      expect(history?.tasks).toHaveLength(1)
      expect(history?.tasks[0]).toMatchObject({
        id: wait.id,
        availableAt: now + 5,
        wait: {
          kind: 'event',
          name,
          resolution: { type: 'event', eventId: early.id, payload: early.payload, at: now + 5 },
        },
      })
      // Taken once: the next wait for it finds the inbox empty.
      const next = runFixture()
      const again = await store.createRun({
        run: next,
        tasks: [waitTask(next, 'ship', { kind: 'event', name, match: { orderId: 'A1' } })],
        scopes: [],
      })
      expect(again.woken).toBeUndefined()
      expect(again.run.status).toBe('suspended')
    })

    it('resolves a first-task wait from the inbox when the run is created', async () => {
      const store = getStore()
      const name = uniqueId('kickoff')
      const now = Date.now()
      await store.deliverEvent({ event: event(name, { n: 1 }), now })
      const run = runFixture({ createdAt: now + 1, updatedAt: now + 1 })
      const wait = waitTask(run, 'go', { kind: 'event', name })
      const created = await store.createRun({ run, tasks: [wait], scopes: [] })
      expect(created.woken).toEqual([wait.id])
      expect(created.run.status).toBe('running')
      const history = await store.getRunHistory(run.id)
      expect(history?.tasks[0]?.wait?.resolution).toMatchObject({
        type: 'event',
        payload: { n: 1 },
      })
    })

    it('never hands out an expired inbox event', async () => {
      const store = getStore()
      const name = uniqueId('stale')
      const now = Date.now()
      await store.deliverEvent({ event: event(name, {}, { expiresAt: now + 10 }), now })
      // Expired on arrival: never kept.
      await store.deliverEvent({ event: event(name, {}, { expiresAt: now - 1 }), now })
      const run = runFixture({ createdAt: now + 20, updatedAt: now + 20 })
      const created = await store.createRun({
        run,
        tasks: [waitTask(run, 'go', { kind: 'event', name })],
        scopes: [],
      })
      expect(created.woken).toBeUndefined()
      const purged = await store.purgeRuns({ endedBefore: 0, limit: 10, now: now + 20 })
      expect(purged.events).toBeGreaterThanOrEqual(1)
    })

    it('resolves each wait once when the same event races in twice', async () => {
      const store = getStore()
      const name = uniqueId('race')
      const run = runFixture()
      await store.createRun({
        run,
        tasks: [waitTask(run, 'go', { kind: 'event', name })],
        scopes: [],
      })
      const now = Date.now()
      const results = await Promise.all(
        [1, 2, 3, 4].map((n) => store.deliverEvent({ event: event(name, { n }), now })),
      )
      expect(results.flatMap((result) => result.delivered)).toHaveLength(1)
    })
  })

  describe('step journals (commits of a step without a task)', () => {
    it('records a step without touching the run or its tasks, once per key', async () => {
      const store = getStore()
      const run = runFixture()
      const task = ready(run, 'agent')
      await store.createRun({ run, tasks: [task], scopes: [] })
      const now = Date.now()
      const entry = (output: unknown) => ({
        runId: run.id,
        key: 'agent~d:model:0',
        nodeId: 'agent',
        path: [],
        status: 'succeeded' as const,
        output,
        attempts: 1,
        startedAt: now,
        endedAt: now,
      })
      expect(await store.commit({ runId: run.id, step: entry({ value: 'first' }), now })).toEqual({
        status: 'committed',
      })
      expect(
        (await store.commit({ runId: run.id, step: entry({ value: 'second' }), now })).status,
      ).toBe('duplicate')
      const history = await store.getRunHistory(run.id)
      expect(history?.steps).toMatchObject([{ key: 'agent~d:model:0', output: { value: 'first' } }])
      expect(history?.tasks.map((pending) => pending.id)).toEqual([task.id])
      expect(history?.run.status).toBe('running')
    })
  })

  describe('failed runs: parking and reopening', () => {
    it('parks the tasks of a failed run, keeps the failed input, and reopens it', async () => {
      const store = getStore()
      const run = runFixture()
      const a = taskFixture(run, 'a', { input: { n: 7 }, availableAt: 0 })
      const b = ready(run, 'b')
      await store.createRun({ run, tasks: [a, b], scopes: [] })
      const now = Date.now()
      await store.claimTask({ taskId: a.id, owner: 'w', leaseMs: 10_000, now })
      await store.claimTask({ taskId: b.id, owner: 'w', leaseMs: 10_000, now })
      const failed: StepRecord = {
        ...stepRecord(run, 'a'),
        status: 'failed',
        error: failure,
        input: { n: 7 },
      }
      delete failed.output
      await store.commit({
        runId: run.id,
        task: { id: a.id, fence: 1 },
        step: failed,
        run: { status: 'failed', error: failure, updatedAt: now, endedAt: now },
      })
      const history = await store.getRunHistory(run.id)
      expect(history?.run.status).toBe('failed')
      expect(history?.steps).toEqual([failed])
      // b was running when a failed: it is parked, with no lease, and nobody may take it.
      expect(history?.tasks).toHaveLength(1)
      expect(history?.tasks[0]).toMatchObject({ id: b.id, parked: true })
      expect(history?.tasks[0]?.leaseOwner).toBeUndefined()
      expect(await store.claimTask({ taskId: b.id, owner: 'x', leaseMs: 1000, now })).toEqual({
        status: 'missing',
      })
      const stale = await store.listStaleTasks({ now: now + 60_000, olderThan: 0, limit: 10_000 })
      expect(stale.some((task) => task.runId === run.id)).toBe(false)

      const retried = taskFixture(run, 'a', { input: { n: 7 }, availableAt: now + 1 })
      const reopened = await store.reopenRun({ runId: run.id, tasks: [retried], now: now + 1 })
      expect(reopened.status).toBe('reopened')
      expect(reopened.run).toMatchObject({ id: run.id, status: 'running', updatedAt: now + 1 })
      expect(reopened.run.error).toBeUndefined()
      expect(reopened.run.endedAt).toBeUndefined()
      const after = await store.getRunHistory(run.id)
      expect(after?.steps).toEqual([])
      expect(after?.tasks.map((task) => task.id).sort()).toEqual([a.id, b.id].sort())
      expect(after?.tasks.every((task) => task.parked !== true)).toBe(true)
      const again = await store.claimTask({ taskId: a.id, owner: 'w', leaseMs: 1000, now: now + 1 })
      expect(again.status).toBe('claimed')
      if (again.status === 'claimed') expect(again.task.input).toEqual({ n: 7 })
    })

    it('never lets a fence go back when reopening replaces a task', async () => {
      const store = getStore()
      const run = runFixture()
      const a = ready(run, 'a')
      const b = ready(run, 'b')
      await store.createRun({ run, tasks: [a, b], scopes: [] })
      const now = Date.now()
      await store.claimTask({ taskId: a.id, owner: 'w', leaseMs: 10_000, now })
      await store.claimTask({ taskId: b.id, owner: 'old', leaseMs: 10_000, now })
      await store.commit({
        runId: run.id,
        task: { id: a.id, fence: 1 },
        run: { status: 'failed', error: failure, updatedAt: now, endedAt: now },
      })
      // b (fence 1, held by "old") is parked; the retry replaces it with a fresh record.
      await store.reopenRun({ runId: run.id, tasks: [ready(run, 'b')], now })
      const claim = await store.claimTask({ taskId: b.id, owner: 'new', leaseMs: 10_000, now })
      expect(claim.status === 'claimed' && claim.task.fence).toBe(2)
      const late = await store.commit({
        runId: run.id,
        task: { id: b.id, fence: 1 },
        step: stepRecord(run, 'b'),
      })
      expect(late).toEqual({ status: 'stale' })
    })

    it('reopens only failed runs, and writes nothing otherwise', async () => {
      const store = getStore()
      const run = runFixture()
      await store.createRun({ run, tasks: [ready(run, 'a')], scopes: [] })
      const refused = await store.reopenRun({
        runId: run.id,
        tasks: [ready(run, 'z')],
        now: Date.now(),
      })
      expect(refused).toMatchObject({
        status: 'not-failed',
        run: { id: run.id, status: 'running' },
      })
      expect((await store.getRunHistory(run.id))?.tasks.map((task) => task.nodeId)).toEqual(['a'])
      const unknown = await errorOf(() =>
        store.reopenRun({ runId: uniqueId('no-such-run'), tasks: [], now: Date.now() }),
      )
      expect(NotFoundError.isInstance(unknown)).toBe(true)
    })
  })

  describe('retention', () => {
    it('deletes ended runs by age and beyond the newest N per workflow, never live ones', async () => {
      const store = getStore()
      const workflowId = uniqueId('retention')
      const base = Date.now() - 100_000
      const ended = [0, 1, 2, 3].map((i) =>
        runFixture({
          workflowId,
          status: 'succeeded',
          createdAt: base + i,
          updatedAt: base + i,
          endedAt: base + 10 + i,
        }),
      )
      const live = runFixture({ workflowId, createdAt: base, updatedAt: base })
      for (const run of [...ended, live]) {
        await store.createRun({
          run,
          tasks: run === live ? [ready(run, 'a')] : [],
          scopes: [],
        })
      }
      // Keep the newest 3 ended runs of the workflow: the oldest goes.
      expect(
        await store.purgeRuns({ keepLast: 3, workflowId, limit: 100, now: Date.now() }),
      ).toMatchObject({ runs: 1 })
      expect(await store.getRun(ended[0]!.id)).toBeUndefined()
      expect(await store.getRunHistory(ended[0]!.id)).toBeUndefined()
      // Ended before base + 12: one more (ended[1]); a limit of 1 takes the oldest first.
      expect(
        await store.purgeRuns({ endedBefore: base + 13, workflowId, limit: 1, now: Date.now() }),
      ).toMatchObject({ runs: 1 })
      expect(await store.getRun(ended[1]!.id)).toBeUndefined()
      expect(await store.getRun(ended[2]!.id)).toBeDefined()
      // keepLast 0 deletes every ended run, but the running one stays.
      expect(
        await store.purgeRuns({ keepLast: 0, workflowId, limit: 100, now: Date.now() }),
      ).toMatchObject({ runs: 2 })
      const left = await store.listRuns({ workflowId })
      expect(left.runs.map((run) => run.id)).toEqual([live.id])
      expect((await store.getRunHistory(live.id))?.tasks).toHaveLength(1)
    })

    it('rejects a retention pass without a rule or with a bad limit', async () => {
      const store = getStore()
      for (const input of [
        { limit: 10, now: 0 },
        { keepLast: -1, limit: 10, now: 0 },
        { keepLast: 1, limit: 0, now: 0 },
      ]) {
        const error = await errorOf(() => store.purgeRuns(input))
        expect(TesseraError.isInstance(error) && error.code).toBe('invalid_argument')
      }
    })
  })

  describe('store transport (claimNext)', () => {
    it('claims available tasks oldest first, skipping future, parked and leased ones', async (context) => {
      const store = getStore()
      if (!store.capabilities.transport) return context.skip()
      const run = runFixture()
      const now = Date.now()
      const tasks = [
        taskFixture(run, 'second', { availableAt: now - 100 }),
        taskFixture(run, 'first', { availableAt: now - 200 }),
        taskFixture(run, 'future', { availableAt: now + 60_000 }),
        taskFixture(run, 'held', { availableAt: now - 300 }),
        waitTask(run, 'wait', { kind: 'event', name: uniqueId('never') }),
      ]
      await store.createRun({ run, tasks, scopes: [] })
      await store.claimTask({ taskId: `${run.id}/held`, owner: 'other', leaseMs: 60_000, now })
      const mine: TaskRecord[] = []
      // Other suites' leftover tasks may come first: drain until ours are out.
      for (let round = 0; round < 100; round++) {
        const claimed = await store.claimNext!({ owner: 'me', leaseMs: 5000, now, limit: 50 })
        mine.push(...claimed.filter((task) => task.runId === run.id))
        if (claimed.length === 0) break
      }
      expect(mine.map((task) => task.nodeId)).toEqual(['first', 'second'])
      for (const task of mine) {
        expect(task).toMatchObject({ fence: 1, leaseOwner: 'me', leaseExpiresAt: now + 5000 })
      }
    })

    it('never hands one task to two concurrent callers', async (context) => {
      const store = getStore()
      if (!store.capabilities.transport) return context.skip()
      const run = runFixture()
      const now = Date.now()
      const tasks = Array.from({ length: 40 }, (_, index) =>
        taskFixture(run, `t${index}`, { availableAt: now - 1 }),
      )
      await store.createRun({ run, tasks, scopes: [] })
      const claimed: TaskRecord[] = []
      for (let round = 0; round < 20; round++) {
        const batches = await Promise.all(
          Array.from({ length: 6 }, (_, worker) =>
            store.claimNext!({ owner: `w${worker}`, leaseMs: 60_000, now, limit: 4 }),
          ),
        )
        const all = batches.flat()
        claimed.push(...all.filter((task) => task.runId === run.id))
        if (all.length === 0) break
      }
      expect(claimed).toHaveLength(40)
      expect(new Set(claimed.map((task) => task.id)).size).toBe(40)
    })
  })
}

function stepRecord(run: RunRecord, key: string): StepRecord {
  const now = Date.now()
  return {
    runId: run.id,
    key,
    nodeId: key,
    path: [],
    status: 'succeeded',
    output: { ok: true },
    attempts: 1,
    startedAt: now,
    endedAt: now,
  }
}
