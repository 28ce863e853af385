import { ConflictError } from '../../errors/conflict-error'
import { InvalidArgumentError } from '../../errors/invalid-argument-error'
import type { StoreV1, StoredRecord } from '../../ports/store-v1'
import type { AuditEntry, AuditQuery, AuditRecord, AuditTrail } from '../types'
import { canonicalJson, hex, sha256Hex } from './hashing'
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
 * The records collection of the audit trail's secondary index: one copy of each record per
 * indexed value it has, keyed `<dimension>:<value>/<seq padded to 12 digits>` (dimensions
 * `resource` (the resource id), `workflow`, `actor`, `action` and `type` (the resource type)),
 * and the key `mark`, the highest `seq` up to which every record is known to be indexed.
 *
 * @example
 * ```ts
 * await store.listRecords?.({ collection: auditIndexCollection, prefix: 'workflow:orders/', limit: 100 })
 * ```
 */
export const auditIndexCollection = 'audit-index'

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
const pageSize = 1000
/** The key of the index mark in {@link auditIndexCollection}. */
const markKey = 'mark'
/** Records the catch-up indexes at once (each is up to five puts). */
const indexConcurrency = 16

/**
 * The indexed dimensions, most selective first: `query` reads the first one its filters name,
 * and checks every other filter on the entries it reads. The resource is indexed by its id
 * alone, so that `{ resourceId }` without `resourceType` uses it too.
 */
const dimensions = [
  {
    name: 'resource',
    ofQuery: (query: AuditQuery): unknown => query.resourceId,
    ofRecord: (record: Partial<AuditRecord>): unknown => record.resource?.id,
  },
  {
    name: 'workflow',
    ofQuery: (query: AuditQuery): unknown => query.workflowId,
    ofRecord: (record: Partial<AuditRecord>): unknown => record.resource?.workflowId,
  },
  {
    name: 'actor',
    ofQuery: (query: AuditQuery): unknown => query.actorId,
    ofRecord: (record: Partial<AuditRecord>): unknown => record.actor?.id,
  },
  {
    name: 'action',
    ofQuery: (query: AuditQuery): unknown => query.action,
    ofRecord: (record: Partial<AuditRecord>): unknown => record.action,
  },
  {
    name: 'type',
    ofQuery: (query: AuditQuery): unknown => query.resourceType,
    ofRecord: (record: Partial<AuditRecord>): unknown => record.resource?.type,
  },
] as const

/** Matches a lone surrogate, which no store can key (nor U+0000, checked apart). */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * A value as it appears in an index key. A string is kept readable with `%`, `/`, `:` and `#`
 * percent-escaped, so no value can end its key part early (`/` ends it) or equal another value's
 * escaping; a longer one (over 160 characters escaped), one no store can key, and any value that
 * is not a string are `#` and the SHA-256 of their JSON (no escaped string starts with `#`).
 * Queries check the value itself on every entry they read, so two values with one hash could
 * only cost a read, never a wrong result.
 */
async function indexValue(value: unknown): Promise<string> {
  if (typeof value === 'string' && !value.includes('\u0000') && !loneSurrogate.test(value)) {
    const escaped = value.replace(
      /[%/:#]/g,
      (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
    )
    if (escaped.length <= 160) return escaped
  }
  return `#${await sha256Hex(canonicalJson(value))}`
}

/** The index keys of a record (one per dimension it has a value for), all ending in `/seq`. */
async function indexKeys(record: Partial<AuditRecord>, seq: number): Promise<string[]> {
  const keys: string[] = []
  for (const dimension of dimensions) {
    const value = dimension.ofRecord(record)
    if (value !== undefined) keys.push(`${dimension.name}:${await indexValue(value)}/${keyOf(seq)}`)
  }
  return keys
}

/** How many index keys a record has (what {@link indexKeys} would give, without hashing). */
const indexKeyCount = (record: Partial<AuditRecord>): number =>
  dimensions.filter((dimension) => dimension.ofRecord(record) !== undefined).length

/** The seq an index key ends in, or `undefined` for a key that is no index key. */
function seqOfIndexKey(key: string): number | undefined {
  const match = /^[a-z]+:[^/]*\/(\d{12})$/.exec(key)
  return match ? Number(match[1]) : undefined
}

const isRecord = (value: unknown): value is Partial<AuditRecord> =>
  typeof value === 'object' && value !== null

/** The index mark as stored: the seq every record up to is indexed, and its revision (0: none). */
interface Mark {
  seq: number
  revision: number
}

function markOf(stored: StoredRecord | undefined): Mark {
  if (!stored) return { seq: 0, revision: 0 }
  const seq = (stored.value as { seq?: unknown } | null)?.seq
  // A damaged mark counts as 0: the next catch-up indexes from the start and replaces it.
  const valid = typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0
  return { seq: valid ? seq : 0, revision: stored.revision }
}

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
 * link, and checks the index; `query` filters and pages by `seq`.
 *
 * A secondary index in the `audit-index` records ({@link auditIndexCollection}) keeps filtered
 * queries from reading the whole trail: after writing a record, `append` writes a copy of it
 * under each value it has (resource id, workflow id, actor id, action, resource type), keyed so
 * that one value's copies list in `seq` order, and `query` reads the copies of its most
 * selective filter (resource id, then workflow id, actor id, action, resource type), checking
 * the other filters on them. Copies rather than bare seqs: a page of a filtered query is then
 * one `listRecords` call, where seqs alone would need a `getRecord` per record (N+1 calls per
 * page); the price is storage (up to five copies of each record), up to five more puts per
 * append, and a longer `verify`, which holds every copy against the chain (a copy that is
 * changed, forged, filed under a value its record does not have, or missing).
 *
 * A record's copies are written after the record, so a process that dies in between leaves a
 * record without (all of) its copies. The index `mark` is the last `seq` up to which every
 * record is known to have all its copies; it only moves by compare-and-set, by an append whose
 * copies are written when it stood just below its seq, or by a query: a filtered query first
 * indexes every record after the mark (idempotent puts), moves it, and only then reads the
 * index, up to the mark. A trail written before the index existed has no mark (0) and is
 * indexed by its first filtered query.
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
  /** Appends of this trail, one after the other (the chain part). */
  let queue: Promise<unknown> = Promise.resolve()
  /** Mark advances after appends, in the order of their seqs. */
  let marks: Promise<unknown> = Promise.resolve()
  /** The mark as this trail last wrote or read it: saves reading it before each append. */
  let knownMark: Mark | undefined
  /** The last catch-up started, while it runs. */
  let catchingUp: Promise<number> | undefined

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

  const appendChain = async (entry: AuditEntry): Promise<AuditRecord> => {
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

  /** Writes a record's index copies (plain puts: writing one twice changes nothing). */
  const writeIndex = async (value: Partial<AuditRecord>, seq: number): Promise<void> => {
    const now = clock.now()
    const keys = await indexKeys(value, seq)
    await Promise.all(
      keys.map((key) => records.putRecord({ collection: auditIndexCollection, key, value, now })),
    )
  }

  const readMark = async (): Promise<Mark> =>
    markOf(await records.getRecord({ collection: auditIndexCollection, key: markKey }))

  /**
   * Moves the mark from `mark` (as last seen) to `to` by compare-and-set, but only while it
   * stands at `floor` or above: records up to `floor` are indexed by whoever set it, the caller
   * indexed those after `floor` up to `to`. Returns the mark as it then is (at `to`, above it
   * when someone else went further, or below `floor` when it fell back).
   */
  const advanceMark = async (mark: Mark, floor: number, to: number): Promise<Mark> => {
    let current = mark
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (current.seq >= to || current.seq < floor) return current
      const put = await records.putRecord({
        collection: auditIndexCollection,
        key: markKey,
        value: { seq: to },
        now: clock.now(),
        expectRevision: current.revision,
      })
      if (put.status === 'written') return { seq: to, revision: put.record.revision }
      current = markOf(put.current)
    }
    throw new ConflictError(
      `createAuditTrail: the index mark changed under ${maxAttempts} attempts to move it to ${to}`,
    )
  }

  /** After an append's copies are written: the mark moves to its seq if it was just below. */
  const markAppended = async (seq: number): Promise<void> => {
    let mark = knownMark
    // Unknown, or further below: read it (another process may have moved it since).
    if (mark === undefined || mark.seq < seq - 1) mark = await readMark()
    knownMark = await advanceMark(mark, seq - 1, seq)
  }

  /**
   * Indexes every record after the mark and moves the mark past them, page by page; returns a
   * seq up to which every record is indexed, at least the chain's end when it started.
   */
  const catchUp = async (): Promise<number> => {
    let mark = knownMark ?? (await readMark())
    let fresh = knownMark === undefined
    let cursor = keyOf(mark.seq)
    for (;;) {
      const page = await records.listRecords({
        collection: auditCollection,
        after: cursor,
        limit: pageSize,
      })
      if (page.length === 0) break
      if (!fresh) {
        // What this trail knew may be behind what another process has indexed since.
        mark = await readMark()
        fresh = true
        cursor = keyOf(mark.seq)
        continue
      }
      const from = mark.seq
      let to = from
      for (let index = 0; index < page.length; index += indexConcurrency) {
        await Promise.all(
          page.slice(index, index + indexConcurrency).map(async (stored) => {
            // A damaged record has nothing to index (it matches no filter); verify() reports it.
            if (!/^\d{12}$/.test(stored.key) || !isRecord(stored.value)) return
            const seq = Number(stored.key)
            await writeIndex(stored.value, seq)
            to = Math.max(to, seq)
          }),
        )
      }
      mark = await advanceMark(mark, from, to)
      // Below `from`, the mark was set back (the index was reset): index again from there.
      // Above this page, another process went further: carry on after it.
      const lastKey = page[page.length - 1]!.key
      cursor = mark.seq < from || keyOf(mark.seq) > lastKey ? keyOf(mark.seq) : lastKey
      if (mark.seq >= from && page.length < pageSize) break
    }
    knownMark = mark
    return mark.seq
  }

  /**
   * A catch-up that started after the call (so it covers every record appended before): when
   * one is already running, it waits for it (it does the bulk of the work) and runs its own,
   * which then finds little or nothing left.
   */
  const caughtUp = async (): Promise<number> => {
    if (catchingUp !== undefined) await catchingUp.catch(() => undefined)
    const own = catchUp()
    catchingUp = own
    try {
      return await own
    } finally {
      if (catchingUp === own) catchingUp = undefined
    }
  }

  /**
   * Pages through `collection` (under `prefix`, after key `after`) and keeps the records that
   * `matches`, up to `limit`. `skip(key)` leaves one out (`'skip'`) or ends the walk (`'stop'`).
   */
  const collect = async (
    collection: string,
    prefix: string | undefined,
    after: string | undefined,
    limit: number,
    matches: (record: AuditRecord) => boolean,
    skip: (key: string) => 'skip' | 'stop' | undefined = () => undefined,
  ): Promise<{ records: AuditRecord[]; nextAfter?: number }> => {
    const found: AuditRecord[] = []
    for (;;) {
      const page: StoredRecord[] = await records.listRecords({
        collection,
        limit: pageSize,
        ...(prefix === undefined ? {} : { prefix }),
        ...(after === undefined ? {} : { after }),
      })
      for (const stored of page) {
        const skipped = skip(stored.key)
        if (skipped === 'stop') return { records: found }
        if (skipped === 'skip') continue
        const record = stored.value as AuditRecord | null
        // A damaged record matches no filter (verify() reports it). Every filter is checked,
        // on an index copy too (the indexed value may be a hash in its key).
        if (!isRecord(record) || !matches(record)) continue
        if (found.length === limit) return { records: found, nextAfter: found[limit - 1]!.seq }
        found.push(record)
      }
      if (page.length < pageSize) return { records: found }
      after = page[page.length - 1]!.key
    }
  }

  return {
    append(entry) {
      const written = queue.then(() => appendChain(entry))
      queue = written.catch(() => undefined)
      // The copies and the mark come after the record, outside the queue (the next append's
      // chain write need not wait for them); mark moves keep the order of the seqs. Once the
      // record is written the append succeeds: copies that fail to be written are the next
      // query's catch-up to write (the mark does not pass them).
      return written.then((record) => {
        const indexed = writeIndex(record, record.seq).then(
          () => true,
          () => false,
        )
        const marked = marks
          .then(async () => {
            if (await indexed) await markAppended(record.seq)
          })
          .catch(() => {
            knownMark = undefined
          })
        marks = marked
        return marked.then(() => record)
      })
    },

    async query(query = {}) {
      const limit = checkQuery(query)
      const matches = matcher(query)
      const dimension = dimensions.find((candidate) => candidate.ofQuery(query) !== undefined)
      // No index serves the query: walk the chain in seq order. `since` cannot start the walk
      // later: `at` is the caller's (or a process's clock), so it need not grow with seq.
      if (dimension === undefined) {
        const after = query.after === undefined ? undefined : keyOf(query.after)
        return collect(auditCollection, undefined, after, limit, matches)
      }
      // Every record up to `indexed` has its copies; later ones (appended since) are left out,
      // as if the query had run a moment earlier.
      const indexed = await caughtUp()
      const prefix = `${dimension.name}:${await indexValue(dimension.ofQuery(query))}/`
      const after = query.after === undefined ? undefined : `${prefix}${keyOf(query.after)}`
      return collect(auditIndexCollection, prefix, after, limit, matches, (key) => {
        const seq = seqOfIndexKey(key)
        return seq === undefined ? 'skip' : seq > indexed ? 'stop' : undefined
      })
    },

    async verify() {
      // Read before the chain: every record up to the mark is then in the chain walked below.
      const mark = await readMark()
      const hashes = new Bytes(32)
      const expected = new Bytes(1)
      let expectedSeq = 1
      let prevHash = genesisHash
      let after: string | undefined
      for (;;) {
        const page = await records.listRecords({
          collection: auditCollection,
          limit: pageSize,
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
          hashes.set(expectedSeq, hexBytes(hash))
          expected.set(expectedSeq, [indexKeyCount(record)])
          prevHash = hash
          expectedSeq++
        }
        if (page.length < pageSize) break
        after = page[page.length - 1]!.key
      }
      const end = expectedSeq - 1
      if (mark.seq > end) {
        return {
          ok: false,
          brokenAt: end + 1,
          reason: `the index mark says records up to ${mark.seq} are indexed, but the chain ends at ${end}: records were removed from the end, or the mark was changed`,
        }
      }
      return (await verifyIndex(mark.seq, end, hashes, expected)) ?? { ok: true, records: end }
    },
  }

  /**
   * Checks every index copy of a record up to `end` against the chain: it must hash to its own
   * `hash`, that hash must be the chain record's at its seq (so it is that record, unchanged),
   * and its key must be one of that record's index keys. Every record up to `mark` must have
   * all its copies. The problem with the lowest seq, or `undefined`.
   */
  async function verifyIndex(
    mark: number,
    end: number,
    hashes: Bytes,
    expected: Bytes,
  ): Promise<{ ok: false; brokenAt: number; reason: string } | undefined> {
    const found = new Bytes(1)
    let problem: { ok: false; brokenAt: number; reason: string } | undefined
    const note = (seq: number, reason: string) => {
      if (problem === undefined || seq < problem.brokenAt) {
        problem = { ok: false, brokenAt: seq, reason }
      }
    }
    let after: string | undefined
    for (;;) {
      const page = await records.listRecords({
        collection: auditIndexCollection,
        limit: pageSize,
        ...(after === undefined ? {} : { after }),
      })
      for (const { key, value } of page) {
        const seq = seqOfIndexKey(key)
        // Not an index key (the mark, or something no query reads), or a record appended since
        // the chain was walked: nothing to hold it against.
        if (seq === undefined || seq < 1 || seq > end) continue
        if (!isRecord(value) || value.seq !== seq) {
          note(seq, `index entry ${key} is not a copy of record ${seq}`)
          continue
        }
        const own = await auditRecordHash(value as AuditRecord)
        const chain = hex(hashes.get(seq))
        if (value.hash !== own) {
          note(
            seq,
            `index entry ${key} hashes to ${own}, not its stored ${String(value.hash)}: the copy was changed`,
          )
        } else if (own !== chain) {
          note(
            seq,
            `index entry ${key} hashes to ${own}, but record ${seq} to ${chain}: the copy was changed or forged`,
          )
        } else if (!(await indexKeys(value, seq)).includes(key)) {
          note(seq, `index entry ${key} is filed under a value record ${seq} does not have`)
        } else {
          found.set(seq, [found.get(seq)[0]! + 1])
        }
      }
      if (page.length < pageSize) break
      after = page[page.length - 1]!.key
    }
    for (let seq = 1; seq <= mark; seq++) {
      const has = found.get(seq)[0]!
      const needs = expected.get(seq)[0]!
      if (has < needs) {
        note(
          seq,
          `record ${seq} has ${has} of its ${needs} index entries, though the index mark (${mark}) counts it as indexed: an index entry was removed`,
        )
        break
      }
    }
    return problem
  }
}

/** A growing array of fixed-size byte slots, 1-based: 32 bytes per record for the hashes. */
class Bytes {
  private buffer = new Uint8Array(0)
  constructor(private readonly width: number) {}
  set(index: number, bytes: ArrayLike<number>): void {
    const end = (index + 1) * this.width
    if (end > this.buffer.length) {
      const grown = new Uint8Array(Math.max(end, this.buffer.length * 2, 1024 * this.width))
      grown.set(this.buffer)
      this.buffer = grown
    }
    this.buffer.set(bytes, index * this.width)
  }
  get(index: number): Uint8Array {
    const start = index * this.width
    if (start + this.width > this.buffer.length) return new Uint8Array(this.width)
    return this.buffer.subarray(start, start + this.width)
  }
}

const hexBytes = (text: string): Uint8Array =>
  Uint8Array.from({ length: text.length / 2 }, (_, index) =>
    Number.parseInt(text.slice(index * 2, index * 2 + 2), 16),
  )

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
