import { ConflictError } from '../../errors/conflict-error'
import { InvalidArgumentError } from '../../errors/invalid-argument-error'
import type { StoreV1, StoredRecord } from '../../ports/store-v1'
import type { AuditEntry, AuditQuery, AuditRecord, AuditTrail } from '../types'
import { canonicalJson, sha256Hex } from './hashing'
import { requireRecords } from './records-store'

/**
 * The records collection the audit trail is kept in, keyed by `seq` padded to 12 digits.
 *
 * @example
 * ```ts
 * await store.getRecord?.({ collection: auditCollection, key: '000000000001' }) // the first record
 * ```
 */
export const auditCollection = 'audit'

/**
 * `prevHash` of the first record: 64 zeros.
 *
 * @example
 * ```ts
 * (await audit.query({ limit: 1 })).records[0]?.prevHash === genesisHash // true
 * ```
 */
export const genesisHash = '0'.repeat(64)

/** Settings of {@link createAuditTrail}. */
export interface AuditTrailOptions {
  /** A store with `capabilities.records`. */
  store: StoreV1
  /** Epoch ms now; fills `at` when an entry has none. `Date.now` by default. */
  clock?: { now(): number }
  /** Appends that lose the race for a `seq` this many times give up with `ConflictError`. Default 100. */
  maxAttempts?: number
}

const keyOf = (seq: number) => String(seq).padStart(12, '0')

/**
 * The hash of a record: SHA-256 (hex) of the canonical JSON (sorted keys) of the record
 * without its `hash` field, through the Web Crypto API. Anyone can recompute it from the stored
 * JSON to check a chain outside Tessera.
 *
 * @example
 * ```ts
 * (await auditRecordHash(record)) === record.hash // true for an untouched record
 * ```
 */
export async function auditRecordHash(
  record: Omit<AuditRecord, 'hash'> & { hash?: string },
): Promise<string> {
  const { hash: _hash, ...rest } = record
  return sha256Hex(canonicalJson(rest))
}

/**
 * The append-only, hash-chained audit trail, kept in the store's `audit` records. `append`
 * reads the last record, links the entry to its hash, and writes it under the next `seq` with a
 * compare-and-set (`expectRevision: 0`); when another writer (another process) took that `seq`,
 * it reads again and retries, so concurrent appends give one gapless chain. Appends of one trail
 * are also queued in process, so they do not race each other. `verify` recomputes every hash and
 * link; `query` filters and pages by `seq`.
 *
 * What the chain proves: any changed, removed, inserted or re-linked record is found by `verify`
 * (the first broken `seq` is reported). Removing records at the end only is invisible to the
 * chain itself: keep the last `seq`/`hash` elsewhere (a log line, a ticket) to anchor it.
 *
 * @example
 * ```ts
 * const audit = createAuditTrail({ store })
 * await audit.append({ action: 'run.cancel', actor: { id: 'user:7', method: 'jwt' }, resource: { type: 'run', id: 'r1', workflowId: 'orders' }, outcome: { ok: true, status: 202 }, requestId: 'req-1', at: Date.now() })
 * const { records, nextAfter } = await audit.query({ resourceId: 'r1', limit: 50 })
 * const check = await audit.verify() // { ok: true, records: 1 }
 * ```
 */
export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const records = requireRecords(options.store, 'createAuditTrail')
  const clock = options.clock ?? { now: () => Date.now() }
  const maxAttempts = options.maxAttempts ?? 100
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new InvalidArgumentError({
      fn: 'createAuditTrail',
      argument: 'maxAttempts',
      expected: 'a positive integer',
      received: options.maxAttempts,
    })
  }
  let queue: Promise<unknown> = Promise.resolve()

  /** The last record's seq (from its key, which a damaged value cannot change) and hash. */
  const last = async (): Promise<{ seq: number; hash: string }> => {
    const [record] = await records.listRecords({
      collection: auditCollection,
      reverse: true,
      limit: 1,
    })
    if (!record) return { seq: 0, hash: genesisHash }
    const hash = (record.value as Partial<AuditRecord> | null)?.hash
    return { seq: Number(record.key), hash: typeof hash === 'string' ? hash : '' }
  }

  const appendNow = async (entry: AuditEntry): Promise<AuditRecord> => {
    // What is hashed must be what is stored and read back: JSON's view of the entry.
    const normalized = JSON.parse(canonicalJson(checkEntry(entry, clock.now()))) as AuditEntry
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const previous = await last()
      const seq = previous.seq + 1
      const unhashed = { ...normalized, seq, prevHash: previous.hash }
      const record: AuditRecord = { ...unhashed, hash: await auditRecordHash(unhashed) }
      const put = await records.putRecord({
        collection: auditCollection,
        key: keyOf(seq),
        value: record,
        now: clock.now(),
        expectRevision: 0,
      })
      if (put.status === 'written') return record
    }
    throw new ConflictError(
      `createAuditTrail: append of "${entry.action}" lost the race for the next seq ${maxAttempts} times`,
    )
  }

  return {
    append(entry) {
      const appended = queue.then(() => appendNow(entry))
      queue = appended.catch(() => undefined)
      return appended
    },

    async query(query = {}) {
      const limit = checkQuery(query)
      const matches = matcher(query)
      const found: AuditRecord[] = []
      let after = query.after === undefined ? undefined : keyOf(query.after)
      for (;;) {
        const page: StoredRecord[] = await records.listRecords({
          collection: auditCollection,
          limit: 1000,
          ...(after === undefined ? {} : { after }),
        })
        for (const stored of page) {
          const record = stored.value as AuditRecord | null
          // A damaged record matches no filter; verify() reports it.
          if (typeof record !== 'object' || record === null || !matches(record)) continue
          if (found.length === limit) return { records: found, nextAfter: found[limit - 1]!.seq }
          found.push(record)
        }
        if (page.length < 1000) return { records: found }
        after = page[page.length - 1]!.key
      }
    },

    async verify() {
      let expectedSeq = 1
      let prevHash = genesisHash
      let after: string | undefined
      for (;;) {
        const page = await records.listRecords({
          collection: auditCollection,
          limit: 1000,
          ...(after === undefined ? {} : { after }),
        })
        for (const stored of page) {
          const record = stored.value as Partial<AuditRecord> | null
          const broken = (reason: string) => ({ ok: false as const, brokenAt: expectedSeq, reason })
          if (typeof record !== 'object' || record === null) {
            return broken(`record ${stored.key} is not an audit record`)
          }
          if (stored.key !== keyOf(expectedSeq)) {
            return broken(
              `record ${expectedSeq} is missing (the next key is ${stored.key}): a record was removed`,
            )
          }
          if (record.seq !== expectedSeq) {
            return broken(`record ${stored.key} says seq ${String(record.seq)}`)
          }
          if (record.prevHash !== prevHash) {
            return broken(
              `record ${expectedSeq} links to ${String(record.prevHash)}, but record ${expectedSeq - 1} hashes to ${prevHash}: the chain was re-linked or an earlier record changed`,
            )
          }
          const hash = await auditRecordHash(record as AuditRecord)
          if (record.hash !== hash) {
            return broken(
              `record ${expectedSeq} hashes to ${hash}, not its stored ${String(record.hash)}: it was changed`,
            )
          }
          prevHash = hash
          expectedSeq++
        }
        if (page.length < 1000) return { ok: true, records: expectedSeq - 1 }
        after = page[page.length - 1]!.key
      }
    },
  }
}

function matcher(query: AuditQuery): (record: AuditRecord) => boolean {
  return (record) =>
    (query.actorId === undefined || record.actor?.id === query.actorId) &&
    (query.action === undefined || record.action === query.action) &&
    (query.resourceType === undefined || record.resource?.type === query.resourceType) &&
    (query.resourceId === undefined || record.resource?.id === query.resourceId) &&
    (query.workflowId === undefined || record.resource?.workflowId === query.workflowId) &&
    (query.since === undefined || record.at >= query.since) &&
    (query.until === undefined || record.at <= query.until)
}

function checkQuery(query: AuditQuery): number {
  const fail = (argument: string, expected: string, received: unknown): never => {
    throw new InvalidArgumentError({ fn: 'audit.query', argument, expected, received })
  }
  if (typeof query !== 'object' || query === null) fail('query', 'an object', query)
  const limit = query.limit ?? 100
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    fail('limit', 'an integer from 1 to 1000', query.limit)
  }
  if (query.after !== undefined && (!Number.isInteger(query.after) || query.after < 0)) {
    fail('after', 'a non-negative integer (the last seq seen)', query.after)
  }
  for (const name of ['since', 'until'] as const) {
    const value = query[name]
    if (value !== undefined && !Number.isFinite(value)) fail(name, 'epoch milliseconds', value)
  }
  return limit
}

function checkEntry(entry: AuditEntry, now: number): AuditEntry {
  const fail = (argument: string, expected: string, received: unknown): never => {
    throw new InvalidArgumentError({ fn: 'audit.append', argument, expected, received })
  }
  if (typeof entry !== 'object' || entry === null) fail('entry', 'an object', entry)
  if (typeof entry.action !== 'string' || entry.action === '') {
    fail('action', "a non-empty string such as 'run.cancel'", entry.action)
  }
  if (typeof entry.actor?.id !== 'string' || typeof entry.actor.method !== 'string') {
    fail('actor', 'an object with string `id` and `method`', entry.actor)
  }
  if (typeof entry.resource?.type !== 'string') {
    fail('resource', 'an object with a string `type`', entry.resource)
  }
  if (typeof entry.outcome?.ok !== 'boolean' || !Number.isInteger(entry.outcome.status)) {
    fail('outcome', 'an object with boolean `ok` and integer `status`', entry.outcome)
  }
  if (typeof entry.requestId !== 'string') fail('requestId', 'a string', entry.requestId)
  const at = entry.at ?? now
  if (!Number.isFinite(at)) fail('at', 'epoch milliseconds', entry.at)
  return { ...entry, at }
}
