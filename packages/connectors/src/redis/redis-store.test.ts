import { Redis } from 'ioredis'
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
import { createRedisStore } from '@tessera/connectors/redis'
import { requireService, uniqueName } from '../../test/services'
import { pingRedis } from '../../test/redis-probe'

const url = 'redis://127.0.0.1:6379'

const up = await requireService('Redis', url, () => pingRedis(url))

/** The connection the tests inspect and clean up with. */
const admin = up ? new Redis(url) : undefined
afterAll(async () => {
  await admin?.quit()
})

/** Deletes every key under a prefix (SCAN + UNLINK). */
async function dropPrefix(prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await admin!.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    if (keys.length > 0) await admin!.unlink(...keys)
    cursor = next
  } while (cursor !== '0')
}

async function keysOf(prefix: string): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await admin!.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    found.push(...keys)
    cursor = next
  } while (cursor !== '0')
  return found.sort()
}

const prefixes: string[] = []
/** A key prefix no other test or file uses, dropped after the file. */
function newPrefix(name: string, hashTag = false): string {
  const unique = uniqueName(name)
  const prefix = hashTag ? `{${unique}}:` : `${unique}:`
  prefixes.push(prefix)
  return prefix
}
afterAll(async () => {
  if (admin) for (const prefix of prefixes) await dropPrefix(prefix)
})

function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  const now = Date.now()
  return {
    id: uniqueName('run'),
    workflowId: 'w',
    workflowVersion: 'v',
    status: 'running',
    input: { n: 1 },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  }
}

function taskRecord(run: RunRecord, nodeId: string, overrides: Partial<TaskRecord> = {}) {
  return {
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
  } satisfies TaskRecord
}

const codeOf = async (call: () => unknown): Promise<string> => {
  try {
    await call()
  } catch (error) {
    return TesseraError.isInstance(error) ? error.code : `not a TesseraError: ${String(error)}`
  }
  return 'no error'
}

describe.runIf(up)('createRedisStore', () => {
  it('answers ready() once connected, and rejects it when Redis is unreachable', async () => {
    const good = createRedisStore(
      { url: 'redis://127.0.0.1:6379' },
      { keyPrefix: `${uniqueName('ready')}:` },
    )
    await expect(good.ready!()).resolves.toBeUndefined()
    await good.close()
    const bad = createRedisStore({
      url: 'redis://127.0.0.1:1',
      options: { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true },
    })
    await expect(bad.ready!()).rejects.toMatchObject({ code: 'store_error', retryable: true })
    await bad.close().catch(() => undefined)
  })

  const urlPrefix = newPrefix('tessera_url')
  describeStoreConformance({
    name: 'redis (URL, key prefix)',
    createStore: () => createRedisStore({ url }, { keyPrefix: urlPrefix }),
    cleanup: () => dropPrefix(urlPrefix),
  })

  const ownClient = new Redis(url)
  afterAll(async () => {
    await ownClient.quit()
  })
  const tagPrefix = newPrefix('tessera_own', true)
  describeStoreConformance({
    name: 'redis (own client, hash-tagged key prefix)',
    createStore: () => createRedisStore({ client: ownClient }, { keyPrefix: tagPrefix }),
    cleanup: () => dropPrefix(tagPrefix),
  })

  // A client with an ioredis keyPrefix of its own: the store's keys go under both prefixes.
  const clientPrefix = newPrefix('tessera_client')
  const prefixedClient = new Redis(url, { keyPrefix: clientPrefix })
  afterAll(async () => {
    await prefixedClient.quit()
  })
  describeStoreConformance({
    name: 'redis (own client with an ioredis keyPrefix)',
    createStore: () => createRedisStore({ client: prefixedClient }, { keyPrefix: 'inner:' }),
    cleanup: async () => {
      expect((await keysOf(`${clientPrefix}inner:`)).length).toBeGreaterThan(0)
      expect(await keysOf('inner:')).toEqual([])
      await dropPrefix(clientPrefix)
    },
  })

  describe('the store', () => {
    it('declares itself durable, shared and a transport', async () => {
      const store = createRedisStore({ client: ownClient }, { keyPrefix: newPrefix('caps') })
      expect(store.provider).toBe('redis')
      expect(store.capabilities).toEqual({
        durable: true,
        shared: true,
        transport: true,
        threads: true,
        records: true,
      })
      await store.close()
    })

    it('keeps a schema version and refuses data written by a newer version, writing nothing', async () => {
      const fresh = newPrefix('schema')
      const store = createRedisStore({ client: ownClient }, { keyPrefix: fresh })
      expect(await store.getRun('none')).toBeUndefined()
      expect(await admin!.hget(`${fresh}meta`, 'schemaVersion')).toBe('1')
      await store.close()

      const newer = newPrefix('schema_newer')
      await admin!.hset(`${newer}meta`, 'schemaVersion', '2')
      const refused = createRedisStore({ client: ownClient }, { keyPrefix: newer })
      const error = await refused
        .createRun({ run: runRecord(), tasks: [], scopes: [] })
        .catch((e: unknown) => e)
      expect(StoreError.isInstance(error)).toBe(true)
      expect((error as Error).message).toMatch(
        /schema version 2, newer than this store knows \(1\)/,
      )
      await expect(refused.getRun('x')).rejects.toThrow(/newer/)
      expect(await keysOf(newer)).toEqual([`${newer}meta`])
      expect(await admin!.hget(`${newer}meta`, 'schemaVersion')).toBe('2')
      await refused.close()
    })

    it('reports a corrupt value as a StoreError naming its key', async () => {
      const prefix = newPrefix('corrupt')
      const store = createRedisStore({ client: ownClient }, { keyPrefix: prefix })
      const run = runRecord()
      const task = taskRecord(run, 'a')
      await store.createRun({ run, tasks: [task], scopes: [] })
      await admin!.hset(`${prefix}run:${run.id}`, 'data', '{"id": "broken')
      const error = await store.getRun(run.id).catch((e: unknown) => e)
      expect(StoreError.isInstance(error)).toBe(true)
      expect((error as Error).message).toContain(`"${prefix}run:${run.id}"`)
      expect((error as Error).message).toMatch(/not JSON/)

      await admin!.hset(`${prefix}task:${task.id}`, 'attempt', 'many')
      const listed = await store
        .listStaleTasks({ now: Date.now(), olderThan: 0, limit: 10 })
        .catch((e: unknown) => e)
      expect(StoreError.isInstance(listed)).toBe(true)
      expect((listed as Error).message).toContain(`"${prefix}task:${task.id}", field "attempt"`)
      await store.close()
    })

    it('rejects bad arguments with InvalidArgumentError', async () => {
      const client = { client: ownClient }
      for (const keyPrefix of ['', 'has space:', 'a*', '{open:', '{}:', '{a}{b}:', 42]) {
        expect(await codeOf(() => createRedisStore(client, { keyPrefix } as never))).toBe(
          'invalid_argument',
        )
      }
      expect(await codeOf(() => createRedisStore({} as never))).toBe('invalid_argument')
      expect(await codeOf(() => createRedisStore(null as never))).toBe('invalid_argument')
      expect(await codeOf(() => createRedisStore({ url: 5 } as never))).toBe('invalid_argument')
      expect(await codeOf(() => createRedisStore({ client: {} } as never))).toBe('invalid_argument')
      // A Cluster client needs a hash-tagged prefix (all keys in one slot).
      const cluster = Object.assign(Object.create(ownClient) as Redis, { isCluster: true })
      expect(await codeOf(() => createRedisStore({ client: cluster }, { keyPrefix: 'x:' }))).toBe(
        'invalid_argument',
      )
      const tagged = createRedisStore({ client: cluster }, { keyPrefix: newPrefix('tag', true) })
      await tagged.close()

      const store = createRedisStore(client, { keyPrefix: newPrefix('args') })
      expect(
        await codeOf(() =>
          store.claimNext!({ owner: 'w', leaseMs: 1000, now: Date.now(), limit: 0 }),
        ),
      ).toBe('invalid_argument')
      expect(await codeOf(() => store.listRuns({ createdAfter: Number.NaN }))).toBe(
        'invalid_argument',
      )
      expect(
        await codeOf(() =>
          store.createRun({ run: runRecord({ createdAt: -1 }), tasks: [], scopes: [] }),
        ),
      ).toBe('invalid_argument')
      expect(await codeOf(() => store.purgeRuns({ keepLast: 1, limit: 10, now: Number.NaN }))).toBe(
        'invalid_argument',
      )
      await store.close()
    })

    it('reports a corrupt thread value as a StoreError naming its key, and writes nothing', async () => {
      const prefix = newPrefix('corrupt_thread', true)
      const store = createRedisStore({ client: ownClient }, { keyPrefix: prefix })
      const threadId = 'thread:{with}:braces'
      await store.appendThreadMessages!({ threadId, messages: ['a', 'b', 'c'], now: 1 })
      expect(await keysOf(prefix)).toEqual(
        [
          `${prefix}meta`,
          `${prefix}thread-messages:${threadId}`,
          `${prefix}thread:${threadId}`,
        ].sort(),
      )
      const list = `${prefix}thread-messages:${threadId}`
      await admin!.lset(list, 1, '[1,')
      const notJson = await store.getThread!({ threadId }).catch((e: unknown) => e)
      expect(StoreError.isInstance(notJson)).toBe(true)
      expect((notJson as Error).message).toContain(`"${list}", field "[1]": not JSON`)
      await admin!.lset(list, 1, '"b"')
      await expect(store.getThread!({ threadId })).rejects.toThrow(
        `Corrupt value in key "${list}", entry 1: not [createdAt, message]`,
      )
      await admin!.lset(list, 1, '[1,"b"]')
      await admin!.rpop(list)
      await expect(store.getThread!({ threadId })).rejects.toThrow(
        `Corrupt value in key "${list}": 2 messages, expected 3`,
      )
      await admin!.hset(`${prefix}thread:${threadId}`, 'lastSeq', 'many')
      const summary = await store.summarizeThread!({
        threadId,
        summary: 's',
        throughSeq: 1,
        now: 2,
      }).catch((e: unknown) => e)
      expect((summary as Error).message).toContain(
        `"${prefix}thread:${threadId}", field "lastSeq": "many" is not a number`,
      )
      const append = await store.appendThreadMessages!({ threadId, messages: ['d'], now: 2 }).catch(
        (e: unknown) => e,
      )
      expect(StoreError.isInstance(append)).toBe(true)
      expect(await admin!.llen(list)).toBe(2)
      expect(await admin!.hget(`${prefix}thread:${threadId}`, 'updatedAt')).toBe('1')
      expect(await store.deleteThread!({ threadId })).toBe(true)
      expect(await keysOf(prefix)).toEqual([`${prefix}meta`])
      await store.close()
    })

    it('keeps a record as a hash and its key in a sorted set of the collection; a corrupt value names its key', async () => {
      const prefix = newPrefix('corrupt_record', true)
      const store = createRedisStore({ client: ownClient }, { keyPrefix: prefix })
      const collection = 'api:{keys}'
      const key = 'k:1'
      await store.putRecord!({ collection, key, value: { a: 1 }, now: 1 })
      const hash = `${prefix}record:${collection.length}:${collection}:${key}`
      const index = `${prefix}records:${collection}`
      expect(await keysOf(prefix)).toEqual([`${prefix}meta`, hash, index].sort())
      expect(await admin!.hgetall(hash)).toEqual({
        value: '{"a":1}',
        revision: '1',
        createdAt: '1',
        updatedAt: '1',
      })
      expect(await admin!.zrange(index, '0', '-1')).toEqual([key])
      expect(await admin!.zscore(index, key)).toBe('0')
      await admin!.hset(hash, 'value', '{"a":')
      const notJson = await store.getRecord!({ collection, key }).catch((e: unknown) => e)
      expect(StoreError.isInstance(notJson)).toBe(true)
      expect((notJson as Error).message).toContain(`"${hash}", field "value": not JSON`)
      await admin!.hset(hash, 'value', '{"a":1}', 'revision', 'many')
      const put = await store.putRecord!({ collection, key, value: 2, now: 2 }).catch(
        (e: unknown) => e,
      )
      expect((put as Error).message).toContain(
        `"${hash}", field "revision": "many" is not a number`,
      )
      expect(await admin!.hget(hash, 'updatedAt')).toBe('1')
      await admin!.hset(hash, 'revision', '1')
      expect(await store.deleteRecord!({ collection, key })).toBe(true)
      expect(await keysOf(prefix)).toEqual([`${prefix}meta`])
      await store.close()
    })

    it('lets one of 16 writers on two clients expecting one revision win', async () => {
      const prefix = newPrefix('records')
      const a = createRedisStore({ url }, { keyPrefix: prefix })
      const b = createRedisStore({ url }, { keyPrefix: prefix })
      const now = Date.now()
      for (const expectRevision of [0, 1, 2]) {
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
      expect(await b.getRecord!({ collection: 'shared', key: 'k' })).toMatchObject({ revision: 3 })
      await a.close()
      await b.close()
    })

    it('numbers the appends of two clients to one thread one after the other', async () => {
      const prefix = newPrefix('threads')
      const a = createRedisStore({ url }, { keyPrefix: prefix })
      const b = createRedisStore({ url }, { keyPrefix: prefix })
      const threadId = 'shared'
      const now = Date.now()
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, index) =>
          (index % 2 === 0 ? a : b).appendThreadMessages!({
            threadId,
            messages: [`a${index}`, `b${index}`],
            now,
          }),
        ),
      )
      expect(results.map((result) => result.lastSeq).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 30 }, (_, index) => 2 * (index + 1)),
      )
      const racing = await Promise.all([
        a.summarizeThread!({ threadId, summary: 'x', throughSeq: 40, now }),
        b.appendThreadMessages!({ threadId, messages: ['late'], now }),
        b.summarizeThread!({ threadId, summary: 'y', throughSeq: 40, now }),
      ])
      expect(racing[1]).toEqual({ lastSeq: 61 })
      expect([racing[0].status, racing[2].status].sort()).toEqual(['stale', 'summarized'])
      const thread = await b.getThread!({ threadId })
      expect(thread?.messages.map((entry) => entry.seq)).toEqual(
        Array.from({ length: 21 }, (_, index) => 41 + index),
      )
      expect(thread?.messages.at(-1)?.message).toBe('late')
      await a.close()
      await b.close()
    })

    it('never hands one task to two clients calling claimNext at the same time', async () => {
      const prefix = newPrefix('claim_next')
      const a = createRedisStore({ url }, { keyPrefix: prefix })
      const b = createRedisStore({ url }, { keyPrefix: prefix })
      const run = runRecord()
      const now = Date.now()
      const tasks = Array.from({ length: 60 }, (_, index) =>
        taskRecord(run, `t${index}`, { availableAt: now - 1000 + index }),
      )
      await a.createRun({ run, tasks, scopes: [] })
      const claimed: TaskRecord[] = []
      for (let round = 0; round < 40; round++) {
        const batches = await Promise.all(
          [a, b, a, b].map((store, worker) =>
            store.claimNext!({ owner: `w${worker}`, leaseMs: 60_000, now, limit: 3 }),
          ),
        )
        claimed.push(...batches.flat())
        if (batches.every((batch) => batch.length === 0)) break
      }
      expect(claimed).toHaveLength(60)
      expect(new Set(claimed.map((task) => task.id)).size).toBe(60)
      expect(claimed.every((task) => task.fence === 1)).toBe(true)
      await a.close()
      await b.close()
    })

    it('refuses the commit of a client whose fence another client superseded', async () => {
      const prefix = newPrefix('fence')
      const a = createRedisStore({ url }, { keyPrefix: prefix })
      const b = createRedisStore({ client: ownClient }, { keyPrefix: prefix })
      const run = runRecord()
      const task = taskRecord(run, 'a')
      await a.createRun({ run, tasks: [task], scopes: [] })
      expect(await b.createRun({ run, tasks: [], scopes: [] })).toMatchObject({ created: false })
      const now = Date.now()
      expect(await a.claimTask({ taskId: task.id, owner: 'a', leaseMs: 100, now })).toMatchObject({
        status: 'claimed',
      })
      expect(await b.claimTask({ taskId: task.id, owner: 'b', leaseMs: 100, now })).toEqual({
        status: 'leased',
        leaseExpiresAt: now + 100,
      })
      const taken = await b.claimTask({ taskId: task.id, owner: 'b', leaseMs: 100, now: now + 100 })
      expect(taken.status === 'claimed' && taken.task.fence).toBe(2)
      expect(await a.renewTask({ taskId: task.id, fence: 1, leaseMs: 100, now: now + 101 })).toBe(
        false,
      )
      expect(await a.commit({ runId: run.id, task: { id: task.id, fence: 1 } })).toEqual({
        status: 'stale',
      })
      expect((await b.getRunHistory(run.id))?.tasks.map((t) => t.id)).toEqual([task.id])
      expect(await b.commit({ runId: run.id, task: { id: task.id, fence: 2 } })).toEqual({
        status: 'committed',
      })
      expect((await a.getRunHistory(run.id))?.tasks).toEqual([])
      await a.close()
      await b.close()
    })

    it('never loses an event that races a commit registering a wait with new match fields', async () => {
      const prefix = newPrefix('race')
      const a = createRedisStore({ url }, { keyPrefix: prefix })
      const b = createRedisStore({ url }, { keyPrefix: prefix })
      for (let round = 0; round < 25; round++) {
        const name = `order-${round}`
        const run = runRecord()
        const start = taskRecord(run, 'start')
        await a.createRun({ run, tasks: [start], scopes: [] })
        const now = Date.now()
        await a.claimTask({ taskId: start.id, owner: 'w', leaseMs: 10_000, now })
        const wait = taskRecord(run, 'wait', {
          availableAt: waitForever,
          wait: { kind: 'event', name, match: { orderId: `A${round}`, region: 'eu' } },
        })
        const [committed, delivered] = await Promise.all([
          a.commit({ runId: run.id, task: { id: start.id, fence: 1 }, tasks: [wait], now }),
          b.deliverEvent({
            event: {
              id: `event-${round}`,
              name,
              payload: { region: 'eu', orderId: `A${round}`, amount: round },
              receivedAt: now,
              expiresAt: now + 60_000,
            },
            now,
          }),
        ])
        const woken = committed.status === 'committed' ? (committed.woken ?? []) : []
        // Exactly one side matched them: the delivery found the wait, or the wait the inbox.
        expect(woken.length + delivered.delivered.length).toBe(1)
        const [stored] = (await a.getRunHistory(run.id))!.tasks
        expect(stored?.wait?.resolution).toMatchObject({ type: 'event', eventId: `event-${round}` })
        expect((await a.getRun(run.id))?.status).toBe('running')
      }
      await a.close()
      await b.close()
    })

    it('stores what JSON can hold, exactly, and reads back the numbers it was given', async () => {
      const store = createRedisStore({ client: ownClient }, { keyPrefix: newPrefix('values') })
      const input = {
        empty: [],
        nested: { a: [{}], s: 'ünïcødé \u2028 "quoted"' },
        big: 2 ** 53 - 1,
      }
      const run = runRecord({ input, createdAt: Number.MAX_SAFE_INTEGER })
      const task = taskRecord(run, 'a', { input, availableAt: waitForever })
      await store.createRun({ run, tasks: [task], scopes: [] })
      expect(await store.getRun(run.id)).toEqual(run)
      expect((await store.getRunHistory(run.id))?.tasks).toEqual([task])
      await store.close()
    })

    it('turns a lost connection into a retryable StoreError', async () => {
      const client = new Redis(url)
      const store = createRedisStore({ client }, { keyPrefix: newPrefix('lost') })
      expect(await store.getRun('x')).toBeUndefined()
      client.disconnect()
      const error = await store.getRun('x').catch((e: unknown) => e)
      expect(StoreError.isInstance(error) && error.retryable).toBe(true)
      await store.close()

      // A server that is not there (port 1), with no reconnection.
      const nowhere = createRedisStore(
        {
          url: 'redis://127.0.0.1:1',
          options: { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 },
        },
        { keyPrefix: newPrefix('nowhere') },
      )
      const refused = await nowhere.getRun('x').catch((e: unknown) => e)
      expect(StoreError.isInstance(refused) && refused.retryable).toBe(true)
      await nowhere.close()
    })

    it('reports a script error as a StoreError with the server message', async () => {
      const prefix = newPrefix('script_error')
      const store = createRedisStore({ client: ownClient }, { keyPrefix: prefix })
      await store.getRun('x')
      await admin!.set(`${prefix}ready`, 'not a sorted set')
      const error = await Promise.resolve()
        .then(() => store.claimNext!({ owner: 'w', leaseMs: 1000, now: Date.now(), limit: 1 }))
        .catch((e: unknown) => e)
      expect(StoreError.isInstance(error)).toBe(true)
      expect((error as StoreError).retryable).toBe(false)
      expect((error as Error).message).toMatch(/WRONGTYPE/)
      await store.close()
    })

    it('loads its scripts again after the server forgot them (SCRIPT FLUSH)', async () => {
      const store = createRedisStore({ client: ownClient }, { keyPrefix: newPrefix('flush') })
      const run = runRecord()
      await store.createRun({ run, tasks: [], scopes: [] })
      await admin!.script('FLUSH')
      expect(await store.getRun(run.id)).toEqual(run)
      await store.close()
    })

    it('quits the client it created, leaves a caller-owned one open, and refuses use after close', async () => {
      const mine = createRedisStore({ client: ownClient }, { keyPrefix: newPrefix('close') })
      await mine.getRun('x')
      await mine.close()
      expect(ownClient.status).toBe('ready')
      await expect(mine.getRun('x')).rejects.toThrow(/closed/)
      await expect(mine.commit({ runId: 'x' })).rejects.toThrow(/closed/)
      const owned = createRedisStore({ url }, { keyPrefix: newPrefix('close_owned') })
      await owned.getRun('x')
      await owned.close()
      await owned.close()
      await expect(owned.getRun('x')).rejects.toThrow(/closed/)
    })
  })

  describe('an engine on the Redis store', () => {
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
    const workflow = createWorkflow({ id: 'redis-e2e', input: num })
      .then(inc)
      .parallel({ a: inc, b: double })
      .map(({ input }) => [input.a.n, input.b.n, 7])
      .foreach(each, { concurrency: 2 })
      .map(({ input }) => ({ total: input.reduce((sum, value) => sum + value, 0) }))
      .commit()

    it('runs a workflow to completion, and another store instance reads the run', async () => {
      const prefix = newPrefix('engine')
      const store: StoreV1 = createRedisStore({ url }, { keyPrefix: prefix })
      const engine = createEngine({ store })
      const run = await engine.start(workflow, { n: 1 }, { idempotencyKey: 'order-1' })
      expect(await run.result()).toEqual({ total: 140 })
      const again = await engine.start(workflow, { n: 5 }, { idempotencyKey: 'order-1' })
      expect(again.id).toBe(run.id)
      await engine.close()
      await store.close()

      const other = createRedisStore({ client: ownClient }, { keyPrefix: prefix })
      expect(await other.getRun(run.id)).toMatchObject({
        status: 'succeeded',
        input: { n: 1 },
        output: { total: 140 },
      })
      const history = await other.getRunHistory(run.id)
      expect(history?.tasks).toEqual([])
      expect(history?.steps.length).toBeGreaterThan(5)
      await other.close()
    })

    it('suspends runs on event waits, approvals and sleeps, and resumes them from Redis', async () => {
      const prefix = newPrefix('engine_waits')
      const store = createRedisStore({ url }, { keyPrefix: prefix })
      const engine = createEngine({ store })
      const flow = createWorkflow({ id: 'redis-waits', input: z.object({ orderId: z.string() }) })
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
      const steps = await store.getRunHistory(b.id)
      expect(steps?.steps.map((step) => step.nodeId)).toEqual(['paid', 'manager', 'sleep'])
      expect(steps?.steps[0]?.output).toEqual({ orderId: 'B', amount: 7 })
      await engine.close()
      await store.close()
    })
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
