import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../memory/memory-store'
import type { StoreV1 } from '../../ports/store-v1'
import type { AuditEntry, AuditRecord } from '../types'
import {
  auditCollection,
  auditIndexCollection,
  auditRecordHash,
  createAuditTrail,
  genesisHash,
} from './audit-trail'
import { canonicalJson, sha256Hex } from './hashing'
import { describeAuditTrailIndex } from '../../../test/audit-trail-suite'

const entry = (index: number, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  action: index % 2 === 0 ? 'run.start' : 'run.cancel',
  actor: { id: `user:${index % 3}`, method: 'api-key' },
  resource: { type: 'run', id: `run-${index}`, workflowId: index % 4 === 0 ? 'orders' : 'billing' },
  outcome: { ok: true, status: index % 2 === 0 ? 201 : 202 },
  change: { input: { amount: index }, note: undefined },
  ip: '10.0.0.1',
  requestId: `req-${index}`,
  at: 1_000 + index,
  ...overrides,
})

const key = (seq: number) => String(seq).padStart(12, '0')
const stored = async (store: StoreV1, seq: number) =>
  (await store.getRecord!({ collection: auditCollection, key: key(seq) }))!.value as AuditRecord

async function fill(count: number) {
  const store = createMemoryStore()
  const audit = createAuditTrail({ store })
  for (let index = 1; index <= count; index++) await audit.append(entry(index))
  return { store, audit }
}

describe('canonical JSON and SHA-256', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'x' }, null], e: { z: 1, y: [2] } })).toBe(
      '{"a":[{"c":"x"},null],"b":1,"e":{"y":[2],"z":1}}',
    )
    expect(canonicalJson({ x: { b: 1, a: 2 } })).toBe(canonicalJson({ x: { a: 2, b: 1 } }))
  })
  it('hashes as SHA-256 hex', async () => {
    expect(await sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    expect(await sha256Hex('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
  })
})

describe('createAuditTrail: append', () => {
  it('numbers records 1, 2, 3 and links each to the hash of the one before', async () => {
    const { store, audit } = await fill(3)
    const records = await Promise.all([1, 2, 3].map((seq) => stored(store, seq)))
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3])
    expect(records[0]!.prevHash).toBe(genesisHash)
    expect(records[1]!.prevHash).toBe(records[0]!.hash)
    expect(records[2]!.prevHash).toBe(records[1]!.hash)
    // The hash is SHA-256 of the canonical JSON without `hash`: recomputable by anyone.
    const { hash, ...rest } = records[1]!
    expect(hash).toBe(await sha256Hex(canonicalJson(rest)))
    expect(records[1]).toMatchObject({ ...entry(2), change: { input: { amount: 2 } } })
    expect(await audit.verify()).toEqual({ ok: true, records: 3 })
  })

  it('returns what it stored', async () => {
    const store = createMemoryStore()
    const audit = createAuditTrail({ store })
    const record = await audit.append(entry(1))
    expect(await stored(store, 1)).toEqual(record)
    expect(record.change).toEqual({ input: { amount: 1 } })
  })

  it('20 concurrent appends through one trail give a gapless chain', async () => {
    const store = createMemoryStore()
    const audit = createAuditTrail({ store })
    const appended = await Promise.all(
      Array.from({ length: 20 }, (_, index) => audit.append(entry(index))),
    )
    expect(appended.map((record) => record.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1),
    )
    expect(await audit.verify()).toEqual({ ok: true, records: 20 })
  })

  it('20 concurrent appends from 5 trails on one store (five processes) give a gapless chain', async () => {
    const store = createMemoryStore()
    const trails = Array.from({ length: 5 }, () => createAuditTrail({ store }))
    const appended = await Promise.all(
      Array.from({ length: 20 }, (_, index) => trails[index % 5]!.append(entry(index))),
    )
    const seqs = appended.map((record) => record.seq).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, index) => index + 1))
    // every entry landed once
    const all = await trails[0]!.query({ limit: 1000 })
    expect(all.records.map((record) => record.requestId).sort()).toEqual(
      Array.from({ length: 20 }, (_, index) => `req-${index}`).sort(),
    )
    expect(await trails[3]!.verify()).toEqual({ ok: true, records: 20 })
  })

  it('gives up with ConflictError after maxAttempts lost races', async () => {
    const store = createMemoryStore()
    // A writer that always takes the next seq first.
    const rival: StoreV1 = {
      ...store,
      async putRecord(input) {
        await store.putRecord!({ ...input, value: { junk: true } })
        return store.putRecord!(input)
      },
    }
    const racing = createAuditTrail({ store: rival, maxAttempts: 3 })
    await expect(racing.append(entry(1))).rejects.toMatchObject({
      code: 'conflict',
      message: 'createAuditTrail: append of "run.cancel" lost the race for the next seq 3 times',
    })
    expect(await createAuditTrail({ store }).append(entry(2))).toMatchObject({ seq: 4 })
  })

  it('fills `at` from the clock and refuses entries without the required fields', async () => {
    const audit = createAuditTrail({ store: createMemoryStore(), clock: { now: () => 42 } })
    const { at: _at, ...withoutAt } = entry(1)
    expect(await audit.append(withoutAt as AuditEntry)).toMatchObject({ at: 42 })
    await expect(audit.append({ ...entry(1), action: '' })).rejects.toMatchObject({
      argument: 'action',
    })
    await expect(audit.append({ ...entry(1), actor: { id: 'x' } as never })).rejects.toMatchObject({
      argument: 'actor',
    })
    await expect(
      audit.append({ ...entry(1), outcome: { ok: true } as never }),
    ).rejects.toMatchObject({
      argument: 'outcome',
    })
  })

  it('needs a store that keeps records, naming its provider and capabilities.records', () => {
    const {
      putRecord: _p,
      getRecord: _g,
      listRecords: _l,
      deleteRecord: _d,
      ...rest
    } = createMemoryStore()
    const store = {
      ...rest,
      provider: 'redis',
      capabilities: { ...rest.capabilities, records: false },
    }
    expect(() => createAuditTrail({ store })).toThrow(
      expect.objectContaining({
        code: 'invalid_argument',
        message: expect.stringMatching(
          /^createAuditTrail: "store" must be a store with capabilities\.records.*"redis" store/,
        ),
      }),
    )
  })
})

describe('createAuditTrail: verify detects tampering through the store', () => {
  it('a changed record', async () => {
    const { store, audit } = await fill(6)
    const record = await stored(store, 4)
    await store.putRecord!({
      collection: auditCollection,
      key: key(4),
      value: { ...record, outcome: { ok: false, status: 403 } },
      now: 0,
    })
    expect(await audit.verify()).toEqual({
      ok: false,
      brokenAt: 4,
      reason: expect.stringMatching(
        /^record 4 hashes to [0-9a-f]{64}, not its stored .*: it was changed$/,
      ),
    })
  })

  it('a deleted record', async () => {
    const { store, audit } = await fill(6)
    await store.deleteRecord!({ collection: auditCollection, key: key(3) })
    expect(await audit.verify()).toEqual({
      ok: false,
      brokenAt: 3,
      reason: 'record 3 is missing (the next key is 000000000004): a record was removed',
    })
  })

  it('a changed record re-hashed (its successor no longer links to it)', async () => {
    const { store, audit } = await fill(6)
    const record = await stored(store, 2)
    const forged = { ...record, actor: { id: 'someone-else', method: 'api-key' } }
    const value = { ...forged, hash: await auditRecordHash(forged) }
    await store.putRecord!({ collection: auditCollection, key: key(2), value, now: 0 })
    const result = await audit.verify()
    expect(result).toMatchObject({ ok: false, brokenAt: 3 })
    expect(result.ok === false && result.reason).toMatch(/re-linked or an earlier record changed/)
  })

  it('a deleted record with the chain re-linked around it (renumbered, re-hashed)', async () => {
    const { store, audit } = await fill(5)
    // Remove record 3 and move 4 into its place, linked to 2 and re-hashed: 5 still points at the old 4.
    const moved = { ...(await stored(store, 4)), seq: 3, prevHash: (await stored(store, 2)).hash }
    await store.putRecord!({
      collection: auditCollection,
      key: key(3),
      value: { ...moved, hash: await auditRecordHash(moved) },
      now: 0,
    })
    await store.deleteRecord!({ collection: auditCollection, key: key(4) })
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 4 })
  })

  it('an inserted record', async () => {
    const { store, audit } = await fill(3)
    const record = await stored(store, 2)
    await store.putRecord!({
      collection: auditCollection,
      key: key(2),
      value: { ...record, seq: 7 },
      now: 0,
    })
    expect(await audit.verify()).toMatchObject({
      ok: false,
      brokenAt: 2,
      reason: 'record 000000000002 says seq 7',
    })
  })

  it('an empty trail verifies', async () => {
    expect(await createAuditTrail({ store: createMemoryStore() }).verify()).toEqual({
      ok: true,
      records: 0,
    })
  })
})

describe('createAuditTrail: query', () => {
  it.each([
    [{}, Array.from({ length: 12 }, (_, index) => index + 1)],
    [{ actorId: 'user:1' }, [1, 4, 7, 10]],
    [{ action: 'run.start' }, [2, 4, 6, 8, 10, 12]],
    [{ resourceType: 'run', resourceId: 'run-5' }, [5]],
    [{ resourceType: 'definition' }, []],
    [{ workflowId: 'orders' }, [4, 8, 12]],
    [{ since: 1_005, until: 1_007 }, [5, 6, 7]],
    [{ after: 9 }, [10, 11, 12]],
    [{ action: 'run.start', workflowId: 'billing', after: 2 }, [6, 10]],
  ])('filters %j', async (query, seqs) => {
    const { audit } = await fill(12)
    const { records, nextAfter } = await audit.query(query)
    expect(records.map((record) => record.seq)).toEqual(seqs)
    expect(nextAfter).toBeUndefined()
  })

  it('pages by seq: nextAfter until the end', async () => {
    const { audit } = await fill(12)
    const seen: number[] = []
    let after: number | undefined
    let pages = 0
    for (;;) {
      const page = await audit.query({
        action: 'run.cancel',
        limit: 2,
        ...(after === undefined ? {} : { after }),
      })
      pages++
      seen.push(...page.records.map((record) => record.seq))
      if (page.nextAfter === undefined) break
      expect(page.nextAfter).toBe(page.records.at(-1)!.seq)
      after = page.nextAfter
    }
    expect(seen).toEqual([1, 3, 5, 7, 9, 11])
    expect(pages).toBe(3) // the last full page knows no more match
  })

  it('refuses bad queries', async () => {
    const audit = createAuditTrail({ store: createMemoryStore() })
    await expect(audit.query({ limit: 0 })).rejects.toMatchObject({ argument: 'limit' })
    await expect(audit.query({ limit: 1001 })).rejects.toMatchObject({ argument: 'limit' })
    await expect(audit.query({ after: -1 })).rejects.toMatchObject({ argument: 'after' })
    await expect(audit.query({ since: Number.NaN })).rejects.toMatchObject({ argument: 'since' })
  })
})

describe('createAuditTrail: index keys', () => {
  it('hashes values no key can hold (U+0000, lone surrogates, long ones) and still finds them', async () => {
    const store = createMemoryStore()
    const audit = createAuditTrail({ store })
    const ids = ['a\u0000b', 'a\ud800', 'a\ufffd', 'y'.repeat(200), 'ok']
    for (const id of ids) await audit.append(entry(1, { resource: { type: 'run', id } }))
    for (const [index, id] of ids.entries()) {
      const { records } = await audit.query({ resourceId: id })
      expect(records.map((record) => record.seq)).toEqual([index + 1])
    }
    const keys = (
      await store.listRecords!({ collection: auditIndexCollection, prefix: 'resource:', limit: 10 })
    ).map((stored) => stored.key)
    // 'a\ufffd' is an ordinary string (kept readable); the lone surrogate's hash differs from it.
    expect(
      keys.filter((indexKey) => /^resource:#[0-9a-f]{64}\/\d{12}$/.test(indexKey)),
    ).toHaveLength(3)
    expect(keys).toContain('resource:a\ufffd/000000000003')
    expect(keys).toContain('resource:ok/000000000005')
    expect(await audit.verify()).toEqual({ ok: true, records: 5 })
  })

  it('escapes %, /, : and # so that the index stays readable', async () => {
    const store = createMemoryStore()
    const audit = createAuditTrail({ store })
    await audit.append(entry(1, { actor: { id: 'user:7/a%#', method: 'jwt' } }))
    const keys = (await store.listRecords!({ collection: auditIndexCollection, limit: 10 })).map(
      (stored) => stored.key,
    )
    expect(keys).toContain('actor:user%3A7%2Fa%25%23/000000000001')
    expect(keys).toContain('mark')
  })
})

// The index suite (packages/core/test/audit-trail-suite.ts) on the memory store; SQLite,
// PostgreSQL, MariaDB and Redis run it in packages/connectors/test/audit-trail-index.test.ts.
describeAuditTrailIndex('memory store', async () => ({ store: createMemoryStore() }), {
  large: true,
})
