// The audit trail's secondary index, on any store that keeps records: filtered queries give what
// a full scan of every record gives, read only the matching entries, and survive lost entries,
// appenders that died between the record and its copies, trails written before the index, and
// concurrent appenders; verify() reports a changed, forged, misfiled or removed copy. The memory
// store runs it in packages/core/src/http/security/audit-trail.test.ts, SQLite, PostgreSQL,
// MariaDB and Redis in packages/connectors/test/audit-trail-index.test.ts.
import { afterEach, describe, expect, it } from 'vitest'
import type { StoreV1, StoredRecord } from '../src/ports/store-v1'
import {
  auditCollection,
  auditIndexCollection,
  auditRecordHash,
  createAuditTrail,
  genesisHash,
} from '../src/http/security/audit-trail'
import type { AuditEntry, AuditQuery, AuditRecord } from '../src/http/types'

/** A store for one test, and how to let go of it. */
export interface AuditTrailSuiteStore {
  store: StoreV1
  /**
   * A second store on the same data (another connection, as another process has): the
   * concurrent-appender tests give it to their second trail. Closed by `close`. Without it, both
   * trails share `store`.
   */
  another?(): Promise<StoreV1>
  close?(): Promise<void>
}

export interface AuditTrailSuiteOptions {
  /** Also index a trail of more than two `listRecords` pages (2,100 records). Default false. */
  large?: boolean
  /** Per-test timeout in ms. */
  timeout?: number
}

const key = (seq: number) => String(seq).padStart(12, '0')
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A small seeded generator (mulberry32): the same records and queries on every run. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const pick = <T>(next: () => number, values: readonly T[]): T =>
  values[Math.floor(next() * values.length)]!

// Values that a naive key scheme would confuse: `/` and `:` inside, an escape's own spelling,
// the empty string, and long ids (hashed) that differ only at the end.
const resourceIds = [
  'r-1',
  'r',
  'r/1',
  'r:1',
  'r%2F1',
  'r/000000000001',
  '#r',
  '',
  `${'x'.repeat(300)}a`,
  `${'x'.repeat(300)}b`,
  'ünï/cödé',
]
const actors = ['user:1', 'user:2', 'apikey:k/1', 'jwt:a:b', 'anonymous']
const actions = ['run.start', 'run.cancel', 'run.retry', 'definition.update', 'api-key.create']
const types = ['run', 'definition', 'api-key', 'system']
const workflows = ['orders', 'billing', 'a/b', 'a:b', undefined]

/** Mixed entries; `at` jumps back and forth, as callers' clocks may. */
function entries(count: number, seed = 7): AuditEntry[] {
  const next = random(seed)
  return Array.from({ length: count }, (_, index) => {
    const type = pick(next, types)
    const id = next() < 0.15 ? undefined : next() < 0.5 ? `run-${index}` : pick(next, resourceIds)
    const workflowId = pick(next, workflows)
    return {
      action: pick(next, actions),
      actor: { id: pick(next, actors), method: 'api-key' },
      resource: {
        type,
        ...(id === undefined ? {} : { id }),
        ...(workflowId === undefined ? {} : { workflowId }),
      },
      outcome: { ok: next() < 0.8, status: 200 },
      requestId: `req-${index}`,
      at: 1_000 + Math.floor(next() * 500),
    }
  })
}

/** What the query must answer: every record filtered in memory, then paged as documented. */
function expected(all: AuditRecord[], query: AuditQuery) {
  const limit = query.limit ?? 100
  const matching = all.filter(
    (record) =>
      record.seq > (query.after ?? 0) &&
      (query.actorId === undefined || record.actor.id === query.actorId) &&
      (query.action === undefined || record.action === query.action) &&
      (query.resourceType === undefined || record.resource.type === query.resourceType) &&
      (query.resourceId === undefined || record.resource.id === query.resourceId) &&
      (query.workflowId === undefined || record.resource.workflowId === query.workflowId) &&
      (query.since === undefined || record.at >= query.since) &&
      (query.until === undefined || record.at <= query.until),
  )
  return matching.length > limit
    ? { records: matching.slice(0, limit), nextAfter: matching[limit - 1]!.seq }
    : { records: matching }
}

/** Queries over every filter, alone and mixed, with values present and absent. */
function queries(count: number, records: number, seed = 11): AuditQuery[] {
  const next = random(seed)
  const singles: AuditQuery[] = [
    ...resourceIds.map((resourceId) => ({ resourceId, limit: 1000 })),
    ...actors.map((actorId) => ({ actorId, limit: 1000 })),
    ...actions.map((action) => ({ action, limit: 1000 })),
    ...types.map((resourceType) => ({ resourceType, limit: 1000 })),
    ...workflows.flatMap((workflowId) => (workflowId ? [{ workflowId, limit: 1000 }] : [])),
    { resourceId: 'run-3', limit: 1000 },
    { resourceId: 'nobody', limit: 1000 },
    { actorId: 'user:1/x', limit: 1000 },
    { workflowId: 'a', limit: 1000 },
  ]
  const mixed = Array.from({ length: count }, () => {
    const query: AuditQuery = {}
    if (next() < 0.3)
      query.resourceId =
        next() < 0.5 ? pick(next, resourceIds) : `run-${Math.floor(next() * records)}`
    if (next() < 0.3) query.workflowId = pick(next, workflows)
    if (next() < 0.4) query.actorId = pick(next, actors)
    if (next() < 0.4) query.action = pick(next, actions)
    if (next() < 0.4) query.resourceType = pick(next, types)
    if (next() < 0.3) query.since = 1_000 + Math.floor(next() * 500)
    if (next() < 0.3) query.until = 1_000 + Math.floor(next() * 500)
    if (next() < 0.3) query.after = Math.floor(next() * records)
    if (next() < 0.7) query.limit = pick(next, [1, 2, 5, 10, 100, 1000])
    return query
  })
  return [...singles, ...mixed]
}

/** All records of a collection, page by page. */
async function listAll(store: StoreV1, collection: string): Promise<StoredRecord[]> {
  const all: StoredRecord[] = []
  let after: string | undefined
  for (;;) {
    const page = await store.listRecords!({
      collection,
      limit: 1000,
      ...(after === undefined ? {} : { after }),
    })
    all.push(...page)
    if (page.length < 1000) return all
    after = page[page.length - 1]!.key
  }
}

/** The number of index copies a record should have: one per value it has. */
const copiesOf = (record: AuditRecord) =>
  [
    record.resource.id,
    record.resource.workflowId,
    record.actor.id,
    record.action,
    record.resource.type,
  ].filter((value) => value !== undefined).length

/** Seqs whose copies are not all in the index, from the stored index itself. */
async function incomplete(store: StoreV1, all: AuditRecord[]): Promise<number[]> {
  const copies = new Map<number, number>()
  for (const { key, value } of await listAll(store, auditIndexCollection)) {
    if (key === 'mark') continue
    const seq = Number(key.slice(-12))
    expect((value as AuditRecord).seq).toBe(seq)
    copies.set(seq, (copies.get(seq) ?? 0) + 1)
  }
  return all.filter((record) => copies.get(record.seq) !== copiesOf(record)).map((r) => r.seq)
}

const markOf = async (store: StoreV1) =>
  (
    (await store.getRecord!({ collection: auditIndexCollection, key: 'mark' }))?.value as
      { seq: number } | undefined
  )?.seq

/** Writes records to the chain by hand, as the trail did before it had an index. */
async function writeChain(store: StoreV1, list: AuditEntry[]): Promise<AuditRecord[]> {
  const [last] = await store.listRecords!({ collection: auditCollection, reverse: true, limit: 1 })
  let seq = last ? Number(last.key) : 0
  let prevHash = last ? (last.value as AuditRecord).hash : genesisHash
  const written: AuditRecord[] = []
  for (const entry of list) {
    seq++
    const unhashed = { ...(JSON.parse(JSON.stringify(entry)) as AuditEntry), seq, prevHash }
    const record = { ...unhashed, hash: await auditRecordHash(unhashed) }
    await store.putRecord!({ collection: auditCollection, key: key(seq), value: record, now: 0 })
    written.push(record)
    prevHash = record.hash
  }
  return written
}

/** Appends through one trail (its appends queue; their copies overlap). */
const appendAll = (audit: ReturnType<typeof createAuditTrail>, list: AuditEntry[]) =>
  Promise.all(list.map((entry) => audit.append(entry)))

/** The store calls a trail makes, counted on the real store. */
function counted(store: StoreV1) {
  const calls = { listRecords: 0, getRecord: 0, putRecord: 0, deleteRecord: 0, read: 0 }
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      if (!(property in calls)) return value.bind(target)
      return async (...args: unknown[]) => {
        calls[property as keyof typeof calls]++
        const result = (await value.apply(target, args)) as unknown
        if (property === 'listRecords') calls.read += (result as unknown[]).length
        if (property === 'getRecord' && result !== undefined) calls.read++
        return result
      }
    },
  })
  const reset = () => {
    for (const name of Object.keys(calls)) calls[name as keyof typeof calls] = 0
  }
  return { store: proxy, calls, reset }
}

/** A store whose index writes fail: an appender that dies after writing the record. */
function dropsCopies(store: StoreV1, when: (key: string) => boolean = () => true): StoreV1 {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (property === 'putRecord') {
        return async (input: Parameters<NonNullable<StoreV1['putRecord']>>[0]) => {
          if (input.collection === auditIndexCollection && when(input.key)) {
            throw new Error('the process died')
          }
          return target.putRecord!(input)
        }
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/**
 * Registers the index tests on stores from `open` (one fresh, empty store per test).
 *
 * @example
 * ```ts
 * describeAuditTrailIndex('memory store', async () => ({ store: createMemoryStore() }))
 * ```
 */
export function describeAuditTrailIndex(
  name: string,
  open: () => Promise<AuditTrailSuiteStore>,
  options: AuditTrailSuiteOptions = {},
): void {
  describe(`audit trail index: ${name}`, { timeout: options.timeout ?? 60_000 }, () => {
    const opened: AuditTrailSuiteStore[] = []
    afterEach(async () => {
      for (const item of opened.splice(0)) await item.close?.()
    })
    const fresh = async () => {
      const item = await open()
      opened.push(item)
      return item.store
    }
    /** The last store `fresh` gave, seen through another connection when there is one. */
    const again = async (store: StoreV1) => {
      const item = opened.at(-1)!
      return item.another ? item.another() : store
    }

    it('answers many mixed queries as a full scan of 300 records does', async () => {
      const store = await fresh()
      const audit = createAuditTrail({ store })
      const all = await appendAll(audit, entries(300))
      const list = queries(150, 300)
      for (const query of list) {
        expect({ query, answer: await audit.query(query) }).toEqual({
          query,
          answer: expected(all, query),
        })
      }
      // Some of them matched many records, some few, some none: the queries test something.
      const sizes = list.map((query) => expected(all, query).records.length)
      expect(sizes.filter((size) => size === 0).length).toBeGreaterThan(5)
      expect(sizes.filter((size) => size > 20).length).toBeGreaterThan(20)
      expect(await audit.verify()).toEqual({ ok: true, records: 300 })
      expect(await incomplete(store, all)).toEqual([])
      expect(await markOf(store)).toBe(300)
    })

    it('pages with after and nextAfter as a full scan does', async () => {
      const store = await fresh()
      const audit = createAuditTrail({ store })
      const all = await appendAll(audit, entries(200, 3))
      for (const filter of [
        { actorId: 'user:1' },
        { action: 'run.cancel', since: 1_100 },
        { workflowId: 'a/b' },
        { resourceType: 'run', until: 1_300 },
        { resourceId: 'r/1' },
        { actorId: 'jwt:a:b', workflowId: 'orders' },
      ] satisfies AuditQuery[]) {
        const seen: AuditRecord[] = []
        let after: number | undefined
        for (;;) {
          const query = { ...filter, limit: 7, ...(after === undefined ? {} : { after }) }
          const page = await audit.query(query)
          expect(page).toEqual(expected(all, query))
          seen.push(...page.records)
          if (page.nextAfter === undefined) break
          expect(page.nextAfter).toBe(page.records.at(-1)!.seq)
          after = page.nextAfter
        }
        expect(seen).toEqual(expected(all, { ...filter, limit: 1000 }).records)
      }
    })

    it('reads only the matching entries, not the trail', async () => {
      const { store, calls, reset } = counted(await fresh())
      const audit = createAuditTrail({ store })
      const all = await appendAll(audit, entries(300))
      await audit.query({ actorId: 'user:1', limit: 1 }) // caught up already: nothing to index
      const id = all.find((record) => record.resource.id?.startsWith('run-'))!.resource.id!
      reset()
      const run = await audit.query({ resourceId: id })
      expect(run).toEqual(expected(all, { resourceId: id }))
      expect(run.records.length).toBe(1)
      // The mark as this trail last wrote it, the chain after it (nothing), one index page.
      expect(calls).toMatchObject({ listRecords: 2, getRecord: 0, putRecord: 0 })
      expect(calls.read).toBe(run.records.length)
      reset()
      const actor = await audit.query({ actorId: 'anonymous', action: 'run.start', limit: 1000 })
      expect(actor.records.length).toBeGreaterThan(0)
      // The actor's entries only (about a fifth of the trail), never the 300 records.
      expect(calls.read).toBe(all.filter((record) => record.actor.id === 'anonymous').length)
      expect(calls.read).toBeLessThan(100)
      reset()
      // Without an indexed filter the query walks the chain: all 300.
      await audit.query({ since: 1_499 })
      expect(calls.read).toBe(300)
      // A second trail (another process) reads the mark once, then the same.
      const other = createAuditTrail({ store })
      reset()
      await other.query({ resourceId: id })
      expect(calls).toMatchObject({ listRecords: 2, getRecord: 1, putRecord: 0 })
      expect(calls.read).toBe(run.records.length + 1)
    })

    it('costs one list and 1 + copies + 1 puts per append (one getRecord first)', async () => {
      const { store, calls, reset } = counted(await fresh())
      const audit = createAuditTrail({ store })
      const full: AuditEntry = {
        action: 'run.cancel',
        actor: { id: 'user:1', method: 'jwt' },
        resource: { type: 'run', id: 'r1', workflowId: 'orders' },
        outcome: { ok: true, status: 202 },
        requestId: 'req-1',
        at: 1,
      }
      await audit.append(full)
      // last record, the record, five copies, the mark (read once: unknown to this trail yet)
      expect(calls).toMatchObject({ listRecords: 1, putRecord: 7, getRecord: 1 })
      reset()
      await audit.append(full)
      expect(calls).toMatchObject({ listRecords: 1, putRecord: 7, getRecord: 0 })
      reset()
      await audit.append({ ...full, resource: { type: 'system' } })
      // three copies: actor, action, type
      expect(calls).toMatchObject({ listRecords: 1, putRecord: 5, getRecord: 0 })
      expect(await markOf(store)).toBe(3)
    })

    it('indexes a record whose appender died before its copies on the next query', async () => {
      const store = await fresh()
      const audit = createAuditTrail({ store })
      const list = entries(60, 5)
      const before = await appendAll(audit, list.slice(0, 20))
      // This process writes records 21–25 and dies before any copy (its append still answers:
      // the record is in the chain).
      const dying = createAuditTrail({ store: dropsCopies(store) })
      const orphans = await appendAll(dying, list.slice(20, 25))
      expect(orphans.map((record) => record.seq)).toEqual([21, 22, 23, 24, 25])
      // A hand-written record without copies, as a crash between the two writes leaves it.
      const byHand = await writeChain(store, list.slice(25, 26))
      // Later appends write their copies, but the mark cannot pass the gap.
      const after = await appendAll(audit, list.slice(26))
      const all = [...before, ...orphans, ...byHand, ...after]
      expect(await markOf(store)).toBe(20)
      expect(await incomplete(store, all)).toEqual([21, 22, 23, 24, 25, 26])
      expect(await audit.verify()).toEqual({ ok: true, records: 60 })
      for (const query of queries(40, 60, 2)) {
        expect(await audit.query(query)).toEqual(expected(all, query))
      }
      expect(await incomplete(store, all)).toEqual([])
      expect(await markOf(store)).toBe(60)
      expect(await audit.verify()).toEqual({ ok: true, records: 60 })
    })

    it('rebuilds an index whose entries and mark were deleted', async () => {
      const store = await fresh()
      const audit = createAuditTrail({ store })
      const all = await appendAll(audit, entries(80, 9))
      for (const { key } of await listAll(store, auditIndexCollection)) {
        await store.deleteRecord!({ collection: auditIndexCollection, key })
      }
      expect(await listAll(store, auditIndexCollection)).toEqual([])
      // A new process: what this trail remembers of the mark is no help to it.
      const other = createAuditTrail({ store })
      for (const query of queries(30, 80, 4)) {
        expect(await other.query(query)).toEqual(expected(all, query))
      }
      expect(await incomplete(store, all)).toEqual([])
      expect(await markOf(store)).toBe(80)
      expect(await other.verify()).toEqual({ ok: true, records: 80 })
    })

    it('repairs copies lost above the mark (a mark set back) on the next query', async () => {
      const store = await fresh()
      const audit = createAuditTrail({ store })
      const all = await appendAll(audit, entries(50, 13))
      // Copies of 41–50 gone and the mark back at 40, as when their appenders died.
      for (const { key } of await listAll(store, auditIndexCollection)) {
        if (key !== 'mark' && Number(key.slice(-12)) > 40) {
          await store.deleteRecord!({ collection: auditIndexCollection, key })
        }
      }
      await store.putRecord!({
        collection: auditIndexCollection,
        key: 'mark',
        value: { seq: 40 },
        now: 0,
      })
      expect(await incomplete(store, all)).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49, 50])
      expect(await audit.verify()).toEqual({ ok: true, records: 50 })
      const fresh2 = createAuditTrail({ store })
      expect(await fresh2.query({ actorId: 'user:2', limit: 1000 })).toEqual(
        expected(all, { actorId: 'user:2', limit: 1000 }),
      )
      expect(await incomplete(store, all)).toEqual([])
      expect(await markOf(store)).toBe(50)
    })

    it('indexes a trail written before the index existed on its first query', async () => {
      const store = await fresh()
      const all = await writeChain(store, entries(120, 17))
      expect(await markOf(store)).toBeUndefined()
      const audit = createAuditTrail({ store })
      // Appends before any query cannot move a mark that is not there.
      all.push(...(await appendAll(audit, entries(5, 18))))
      expect(await markOf(store)).toBeUndefined()
      for (const query of queries(30, 125, 6)) {
        expect(await audit.query(query)).toEqual(expected(all, query))
      }
      expect(await markOf(store)).toBe(125)
      expect(await incomplete(store, all)).toEqual([])
      // From then on appends move the mark themselves.
      all.push(await audit.append(entries(1, 19)[0]!))
      expect(await markOf(store)).toBe(126)
      expect(await audit.verify()).toEqual({ ok: true, records: 126 })
    })

    it('two trails on one store appending concurrently leave a complete index', async () => {
      const store = await fresh()
      const first = createAuditTrail({ store })
      const second = createAuditTrail({ store: await again(store) })
      const list = entries(80, 21)
      const appended = await Promise.all(
        list.map((entry, index) => (index % 2 === 0 ? first : second).append(entry)),
      )
      const all = [...appended].sort((a, b) => a.seq - b.seq)
      expect(all.map((record) => record.seq)).toEqual(list.map((_, index) => index + 1))
      // Every appender wrote its record's copies; the mark is wherever the order let it get.
      expect(await incomplete(store, all)).toEqual([])
      const mark = (await markOf(store)) ?? 0
      expect(mark).toBeLessThanOrEqual(80)
      expect(await first.verify()).toEqual({ ok: true, records: 80 })
      const third = createAuditTrail({ store })
      for (const query of queries(20, 80, 8)) {
        expect(await third.query(query)).toEqual(expected(all, query))
      }
      expect(await markOf(store)).toBe(80)
    })

    it('two trails appending concurrently, one dying before some copies, end complete after a query', async () => {
      const store = await fresh()
      const healthy = createAuditTrail({ store })
      // Loses the copies of every third record it writes.
      const dying = createAuditTrail({
        store: dropsCopies(await again(store), (indexKey) => Number(indexKey.slice(-12)) % 3 === 0),
      })
      const list = entries(90, 23)
      const appended = await Promise.all(
        list.map((entry, index) => (index % 2 === 0 ? healthy : dying).append(entry)),
      )
      const all = [...appended].sort((a, b) => a.seq - b.seq)
      expect((await incomplete(store, all)).length).toBeGreaterThan(0)
      // Both query concurrently: each catches up, the mark moves by compare-and-set.
      const [left, right] = await Promise.all([
        healthy.query({ actorId: 'user:1', limit: 1000 }),
        createAuditTrail({ store: await again(store) }).query({
          action: 'run.start',
          limit: 1000,
        }),
      ])
      expect(left).toEqual(expected(all, { actorId: 'user:1', limit: 1000 }))
      expect(right).toEqual(expected(all, { action: 'run.start', limit: 1000 }))
      expect(await incomplete(store, all)).toEqual([])
      expect(await markOf(store)).toBe(90)
      expect(await healthy.verify()).toEqual({ ok: true, records: 90 })
    })

    it('keeps ids with `/`, `:`, escapes and long ids apart', async () => {
      const store = await fresh()
      const audit = createAuditTrail({ store })
      const list: AuditEntry[] = []
      for (const id of [...resourceIds, 'r/1/x', 'r:1:x', 'r%3A1']) {
        for (const workflowId of ['a/b', 'a', 'a%2Fb']) {
          list.push({
            action: 'run.start',
            actor: { id: `${id}:${workflowId}`, method: 'api-key' },
            resource: { type: `t/${workflowId}`, id, workflowId },
            outcome: { ok: true, status: 201 },
            requestId: id,
            at: 1,
          })
        }
      }
      const all = await appendAll(audit, list)
      for (const id of [...resourceIds, 'r/1/x', 'r:1:x', 'r%3A1', 'r/2', 'x'.repeat(301)]) {
        const found = await audit.query({ resourceId: id, limit: 1000 })
        expect(found).toEqual(expected(all, { resourceId: id, limit: 1000 }))
        expect(found.records.every((record) => record.resource.id === id)).toBe(true)
        expect(await audit.query({ actorId: `${id}:a`, limit: 1000 })).toEqual(
          expected(all, { actorId: `${id}:a`, limit: 1000 }),
        )
      }
      for (const workflowId of ['a/b', 'a', 'a%2Fb', 'a%2fb', 'b']) {
        expect(await audit.query({ workflowId, limit: 1000 })).toEqual(
          expected(all, { workflowId, limit: 1000 }),
        )
        expect(await audit.query({ resourceType: `t/${workflowId}`, limit: 1000 })).toEqual(
          expected(all, { resourceType: `t/${workflowId}`, limit: 1000 }),
        )
      }
      // Each key is `<dimension>:<value>/<seq>` with no `/` inside the value, within 255.
      for (const { key: indexKey } of await listAll(store, auditIndexCollection)) {
        if (indexKey === 'mark') continue
        expect(indexKey).toMatch(/^(resource|workflow|actor|action|type):[^/]*\/\d{12}$/)
        expect(indexKey.length).toBeLessThanOrEqual(255)
      }
      expect(await audit.verify()).toEqual({ ok: true, records: all.length })
    })

    it('returns no copy beyond what it indexed (a copy ahead of the chain)', async () => {
      const store = await fresh()
      const audit = createAuditTrail({ store })
      const all = await appendAll(audit, entries(10, 27))
      const { hash: _hash, ...unhashed } = { ...all[0]!, seq: 11, requestId: 'planted' }
      const planted = { ...unhashed, hash: await auditRecordHash(unhashed) }
      // Filed under record 1's actor, as if it were record 11.
      const actorKey = (await listAll(store, auditIndexCollection)).find(
        (stored) => stored.key.startsWith('actor:') && stored.key.endsWith(key(1)),
      )!.key
      await store.putRecord!({
        collection: auditIndexCollection,
        key: `${actorKey.slice(0, -12)}${key(11)}`,
        value: planted,
        now: 0,
      })
      const query = { actorId: all[0]!.actor.id, limit: 1000 }
      expect(await audit.query(query)).toEqual(expected(all, query))
      // verify holds it against record 11 once there is one.
      expect(await audit.verify()).toEqual({ ok: true, records: 10 })
      all.push(await audit.append({ ...entries(1, 28)[0]!, actor: { id: 'other', method: 'jwt' } }))
      expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 11 })
    })

    describe('verify checks the copies', () => {
      const setUp = async () => {
        const store = await fresh()
        const audit = createAuditTrail({ store })
        const all = await appendAll(audit, entries(30, 29))
        const copies = (await listAll(store, auditIndexCollection)).filter(
          (stored) => stored.key !== 'mark',
        )
        return { store, audit, all, copies }
      }
      const copyOf = (copies: StoredRecord[], seq: number, dimension = 'actor') =>
        copies.find(
          (stored) => stored.key.startsWith(`${dimension}:`) && stored.key.endsWith(key(seq)),
        )!

      it('a copy changed, its hash kept', async () => {
        const { store, audit, copies } = await setUp()
        const copy = copyOf(copies, 17)
        const value = copy.value as AuditRecord
        await store.putRecord!({
          collection: auditIndexCollection,
          key: copy.key,
          value: { ...value, outcome: { ok: !value.outcome.ok, status: 500 } },
          now: 0,
        })
        expect(await audit.verify()).toEqual({
          ok: false,
          brokenAt: 17,
          reason: expect.stringMatching(
            new RegExp(
              `^index entry ${escapeRegExp(copy.key)} hashes to [0-9a-f]{64}, not its stored ${value.hash}: the copy was changed$`,
            ),
          ),
        })
      })

      it('a copy changed and re-hashed (forged)', async () => {
        const { store, audit, copies, all } = await setUp()
        const copy = copyOf(copies, 9, 'action')
        const { hash: _hash, ...value } = copy.value as AuditRecord
        const forged = { ...value, change: { amount: 1_000_000 } }
        await store.putRecord!({
          collection: auditIndexCollection,
          key: copy.key,
          value: { ...forged, hash: await auditRecordHash(forged) },
          now: 0,
        })
        // A filtered query would show the forged copy: verify is what finds it.
        expect(await audit.verify()).toEqual({
          ok: false,
          brokenAt: 9,
          reason: `index entry ${copy.key} hashes to ${await auditRecordHash(forged)}, but record 9 to ${all[8]!.hash}: the copy was changed or forged`,
        })
      })

      it('a copy of a record filed under another value', async () => {
        const { store, audit, copies, all } = await setUp()
        const copy = copyOf(copies, 12)
        // Under another actor's value: that actor's key prefix, this record's seq.
        const other = copies.find(
          (stored) =>
            stored.key.startsWith('actor:') &&
            (stored.value as AuditRecord).actor.id !== all[11]!.actor.id,
        )!
        await store.putRecord!({
          collection: auditIndexCollection,
          key: `${other.key.slice(0, -12)}${key(12)}`,
          value: copy.value,
          now: 0,
        })
        expect(await audit.verify()).toMatchObject({
          ok: false,
          brokenAt: 12,
          reason: expect.stringMatching(/is filed under a value record 12 does not have$/),
        })
      })

      it('a copy removed below the mark', async () => {
        const { store, audit, copies, all } = await setUp()
        expect(await markOf(store)).toBe(30)
        // A record with all five values, its workflow copy removed; and a later record's copy.
        const target = all.find(
          (record) => record.seq >= 15 && record.seq < 29 && copiesOf(record) === 5,
        )!
        await store.deleteRecord!({
          collection: auditIndexCollection,
          key: copyOf(copies, target.seq, 'workflow').key,
        })
        await store.deleteRecord!({ collection: auditIndexCollection, key: copyOf(copies, 29).key })
        expect(await audit.verify()).toEqual({
          ok: false,
          brokenAt: target.seq,
          reason: `record ${target.seq} has 4 of its 5 index entries, though the index mark (30) counts it as indexed: an index entry was removed`,
        })
      })

      it('a copy that is no copy of its record, and a mark beyond the chain', async () => {
        const { store, audit, copies } = await setUp()
        const copy = copyOf(copies, 4)
        await store.putRecord!({
          collection: auditIndexCollection,
          key: copy.key,
          value: { ...(copy.value as AuditRecord), seq: 5 },
          now: 0,
        })
        expect(await audit.verify()).toMatchObject({
          ok: false,
          brokenAt: 4,
          reason: `index entry ${copy.key} is not a copy of record 4`,
        })
        await store.putRecord!({
          collection: auditIndexCollection,
          key: copy.key,
          value: copy.value,
          now: 0,
        })
        expect(await audit.verify()).toEqual({ ok: true, records: 30 })
        // Records removed from the end: the chain alone cannot tell, the mark can.
        await store.deleteRecord!({ collection: auditCollection, key: key(30) })
        expect(await audit.verify()).toEqual({
          ok: false,
          brokenAt: 30,
          reason:
            'the index mark says records up to 30 are indexed, but the chain ends at 29: records were removed from the end, or the mark was changed',
        })
      })

      it('a changed record is still reported as the chain reports it, before its copies', async () => {
        const { store, audit, all } = await setUp()
        await store.putRecord!({
          collection: auditCollection,
          key: key(6),
          value: { ...all[5]!, action: 'run.approve' },
          now: 0,
        })
        expect(await audit.verify()).toMatchObject({
          ok: false,
          brokenAt: 6,
          reason: expect.stringMatching(/^record 6 hashes to .*: it was changed$/),
        })
      })
    })

    if (options.large) {
      it('indexes a trail of several pages (2,100 records) on its first query', async () => {
        const store = await fresh()
        const all = await writeChain(store, entries(2_100, 31))
        const audit = createAuditTrail({ store })
        for (const query of queries(20, 2_100, 12)) {
          expect(await audit.query(query)).toEqual(expected(all, query))
        }
        expect(await markOf(store)).toBe(2_100)
        expect(await incomplete(store, all)).toEqual([])
        expect(await audit.verify()).toEqual({ ok: true, records: 2_100 })
      })
    }
  })
}
