import { describe, expect, it, type TestContext } from 'vitest'
import { TesseraError } from '../errors/tessera-error'
import type { StoredRecord, StoreV1 } from '../ports/store-v1'
import { errorOf, uniqueId } from './fixtures'

type RecordStore = Required<
  Pick<StoreV1, 'putRecord' | 'getRecord' | 'listRecords' | 'deleteRecord'>
>

const recordMethods = ['putRecord', 'getRecord', 'listRecords', 'deleteRecord'] as const

/**
 * Keys whose order tells byte order from collations and `LIKE`: case, trailing spaces,
 * accents (precomposed and combining), `%` and `_`, U+E000–U+FFFF against astral characters.
 */
const orderKeys = [
  'a',
  'a ',
  'a b',
  'a%',
  'a%b',
  'a_',
  'a_b',
  'aB',
  'ab',
  'abc',
  'A',
  'b',
  '0',
  'é',
  'ée',
  'e\u0301',
  '日本',
  '日本語',
  '\ue000',
  '\uffff',
  '😀',
  '😀x',
  '𝔘',
]

const encoder = new TextEncoder()

/** UTF-8 byte order: what every store sorts keys in (computed apart from any store). */
function byteOrder(left: string, right: string): number {
  const a = encoder.encode(left)
  const b = encoder.encode(right)
  const length = Math.min(a.length, b.length)
  for (let index = 0; index < length; index++) {
    const difference = (a[index] as number) - (b[index] as number)
    if (difference !== 0) return difference
  }
  return a.length - b.length
}

const sortedKeys = [...orderKeys].sort(byteOrder)
const keysOf = (records: StoredRecord[]) => records.map((record) => record.key)

const codeOf = (error: unknown) =>
  TesseraError.isInstance(error) ? error.code : `not a TesseraError: ${String(error)}`

/**
 * The conformance tests of keyed records (`capabilities.records`). Registered by
 * `describeStoreConformance` inside its own `describe`; each test skips itself when the store
 * does not declare records (the store is created after the tests are registered).
 */
export function describeRecordConformance(getStore: () => StoreV1): void {
  /** The store's records methods, or a skipped test when it has none. */
  const recordsOf = (context: TestContext): RecordStore => {
    const store = getStore()
    if (store.capabilities.records !== true) context.skip()
    return store as StoreV1 & RecordStore
  }

  describe('records', () => {
    it('declares records exactly when it has the four records methods', () => {
      const store = getStore()
      const present = recordMethods.filter((name) => typeof store[name] === 'function')
      expect(present).toEqual(store.capabilities.records === true ? [...recordMethods] : [])
    })

    it('creates and replaces a record, counting revisions and keeping createdAt', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const first = Date.now()
      const created = await store.putRecord({ collection, key: 'k', value: { n: 1 }, now: first })
      const expected: StoredRecord = {
        collection,
        key: 'k',
        value: { n: 1 },
        revision: 1,
        createdAt: first,
        updatedAt: first,
      }
      expect(created).toEqual({ status: 'written', record: expected })
      expect(await store.getRecord({ collection, key: 'k' })).toEqual(expected)
      const replaced = await store.putRecord({
        collection,
        key: 'k',
        value: ['two'],
        now: first + 1000,
      })
      expect(replaced).toEqual({
        status: 'written',
        record: { ...expected, value: ['two'], revision: 2, updatedAt: first + 1000 },
      })
      await store.putRecord({ collection, key: 'k', value: 'three', now: first + 2000 })
      expect(await store.getRecord({ collection, key: 'k' })).toEqual({
        ...expected,
        value: 'three',
        revision: 3,
        updatedAt: first + 2000,
      })
      expect(await store.getRecord({ collection, key: 'other' })).toBeUndefined()
      expect(await store.getRecord({ collection: uniqueId('records'), key: 'k' })).toBeUndefined()
    })

    it('stores now in whole milliseconds', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const now = Date.now() + 0.6
      const put = await store.putRecord({ collection, key: 'k', value: 1, now })
      expect(put.status === 'written' && put.record.createdAt).toBe(Math.round(now))
      expect((await store.getRecord({ collection, key: 'k' }))?.updatedAt).toBe(Math.round(now))
    })

    it('compares and sets: writes only at the expected revision, and answers conflicts with the current record', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const now = Date.now()
      // A record that must not exist yet, at 0; a conflict without `current` when it still does not.
      expect(
        await store.putRecord({ collection, key: 'k', value: 'x', now, expectRevision: 1 }),
      ).toEqual({ status: 'conflict' })
      expect(await store.getRecord({ collection, key: 'k' })).toBeUndefined()
      const created = await store.putRecord({
        collection,
        key: 'k',
        value: 'first',
        now,
        expectRevision: 0,
      })
      expect(created.status === 'written' && created.record.revision).toBe(1)
      const current = await store.getRecord({ collection, key: 'k' })
      // Expecting absence of an existing record.
      expect(
        await store.putRecord({
          collection,
          key: 'k',
          value: 'no',
          now: now + 1,
          expectRevision: 0,
        }),
      ).toEqual({ status: 'conflict', current })
      // A wrong revision, above and below.
      for (const expectRevision of [2, 7]) {
        expect(
          await store.putRecord({
            collection,
            key: 'k',
            value: 'no',
            now: now + 1,
            expectRevision,
          }),
        ).toEqual({ status: 'conflict', current })
      }
      expect(await store.getRecord({ collection, key: 'k' })).toEqual(current)
      // The right one.
      const second = await store.putRecord({
        collection,
        key: 'k',
        value: 'second',
        now: now + 2,
        expectRevision: 1,
      })
      expect(second).toEqual({
        status: 'written',
        record: {
          collection,
          key: 'k',
          value: 'second',
          revision: 2,
          createdAt: now,
          updatedAt: now + 2,
        },
      })
      expect(
        await store.putRecord({
          collection,
          key: 'k',
          value: 'stale',
          now: now + 3,
          expectRevision: 1,
        }),
      ).toEqual({
        status: 'conflict',
        current: second.status === 'written' ? second.record : undefined,
      })
    })

    it('lets exactly one of 16 concurrent writers expecting one revision win', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const now = Date.now()
      const writers = Array.from({ length: 16 }, (_, index) => index)
      for (const expectRevision of [0, 1]) {
        const results = await Promise.all(
          writers.map((writer) =>
            store.putRecord({
              collection,
              key: 'contended',
              value: { writer, round: expectRevision },
              now: now + expectRevision,
              expectRevision,
            }),
          ),
        )
        const winners = results.flatMap((result, writer) =>
          result.status === 'written' ? [writer] : [],
        )
        expect(winners).toHaveLength(1)
        const winner = winners[0] as number
        const record = await store.getRecord({ collection, key: 'contended' })
        expect(record?.value).toEqual({ writer: winner, round: expectRevision })
        expect(record?.revision).toBe(expectRevision + 1)
        for (const result of results) {
          if (result.status === 'conflict')
            expect(result.current?.revision).toBe(expectRevision + 1)
        }
      }
    })

    it('lists keys in byte order, forward and reverse, without collation or LIKE surprises', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const now = Date.now()
      for (const key of orderKeys) await store.putRecord({ collection, key, value: { key }, now })
      const forward = await store.listRecords({ collection, limit: 1000 })
      expect(keysOf(forward)).toEqual(sortedKeys)
      expect(forward.map((record) => record.value)).toEqual(sortedKeys.map((key) => ({ key })))
      expect(forward.every((record) => record.collection === collection)).toBe(true)
      expect(keysOf(await store.listRecords({ collection, limit: 1000, reverse: true }))).toEqual(
        [...sortedKeys].reverse(),
      )
      expect(keysOf(await store.listRecords({ collection, limit: 3 }))).toEqual(
        sortedKeys.slice(0, 3),
      )
      expect(await store.listRecords({ collection: uniqueId('records'), limit: 10 })).toEqual([])
    })

    it('matches a prefix literally: % and _ are no wildcards, non-ASCII prefixes work', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const now = Date.now()
      for (const key of orderKeys) await store.putRecord({ collection, key, value: null, now })
      const withPrefix = (prefix: string) => sortedKeys.filter((key) => key.startsWith(prefix))
      for (const prefix of [
        'a%',
        'a_',
        'a',
        'a ',
        'A',
        'é',
        'e',
        '日本',
        '😀',
        '\uffff',
        '',
        'zzz',
      ]) {
        expect(
          keysOf(await store.listRecords({ collection, prefix, limit: 1000 })),
          prefix,
        ).toEqual(withPrefix(prefix))
        expect(
          keysOf(await store.listRecords({ collection, prefix, limit: 1000, reverse: true })),
          `${prefix} reverse`,
        ).toEqual(withPrefix(prefix).reverse())
      }
      expect(withPrefix('a%')).toEqual(['a%', 'a%b'])
      expect(withPrefix('a_')).toEqual(['a_', 'a_b'])
    })

    it('pages with after and limit, forward and reverse, with and without a prefix', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const now = Date.now()
      for (const key of orderKeys) await store.putRecord({ collection, key, value: 0, now })
      for (const reverse of [false, true]) {
        for (const prefix of [undefined, 'a']) {
          const all = sortedKeys.filter((key) => prefix === undefined || key.startsWith(prefix))
          const expected = reverse ? [...all].reverse() : all
          const seen: string[] = []
          let after: string | undefined
          for (let page = 0; page < 50; page++) {
            const records = await store.listRecords({
              collection,
              limit: 4,
              reverse,
              ...(prefix === undefined ? {} : { prefix }),
              ...(after === undefined ? {} : { after }),
            })
            expect(records.length).toBeLessThanOrEqual(4)
            seen.push(...keysOf(records))
            if (records.length < 4) break
            after = records[records.length - 1]?.key
          }
          expect(seen, `reverse ${reverse}, prefix ${prefix}`).toEqual(expected)
        }
      }
      // `after` need not be a stored key ('a%a' sorts between 'a%' and 'a%b').
      const between = sortedKeys.indexOf('a%b')
      expect(keysOf(await store.listRecords({ collection, after: 'a%a', limit: 2 }))).toEqual(
        sortedKeys.slice(between, between + 2),
      )
      expect(
        keysOf(await store.listRecords({ collection, after: 'a%a', limit: 2, reverse: true })),
      ).toEqual(sortedKeys.slice(between - 2, between).reverse())
      expect(keysOf(await store.listRecords({ collection, after: '😀x', limit: 5 }))).toEqual(
        sortedKeys.slice(sortedKeys.indexOf('😀x') + 1),
      )
    })

    it('deletes a record, with and without an expected revision', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const now = Date.now()
      await store.putRecord({ collection, key: 'plain', value: 1, now })
      expect(await store.deleteRecord({ collection, key: 'plain' })).toBe(true)
      expect(await store.getRecord({ collection, key: 'plain' })).toBeUndefined()
      expect(await store.deleteRecord({ collection, key: 'plain' })).toBe(false)
      expect(await store.deleteRecord({ collection, key: 'never' })).toBe(false)
      await store.putRecord({ collection, key: 'cas', value: 1, now })
      await store.putRecord({ collection, key: 'cas', value: 2, now })
      const before = await store.getRecord({ collection, key: 'cas' })
      for (const expectRevision of [0, 1, 3]) {
        expect(await store.deleteRecord({ collection, key: 'cas', expectRevision })).toBe(false)
      }
      expect(await store.getRecord({ collection, key: 'cas' })).toEqual(before)
      expect(await store.deleteRecord({ collection, key: 'cas', expectRevision: 2 })).toBe(true)
      expect(await store.getRecord({ collection, key: 'cas' })).toBeUndefined()
      expect(await store.listRecords({ collection, limit: 10 })).toEqual([])
      // A record written again after a delete starts over at revision 1.
      const again = await store.putRecord({
        collection,
        key: 'cas',
        value: 3,
        now: now + 5,
        expectRevision: 0,
      })
      expect(again).toEqual({
        status: 'written',
        record: {
          collection,
          key: 'cas',
          value: 3,
          revision: 1,
          createdAt: now + 5,
          updatedAt: now + 5,
        },
      })
    })

    it('keeps collections apart, even when names and keys could be joined alike', async (context) => {
      const store = recordsOf(context)
      const base = uniqueId('records')
      const now = Date.now()
      await store.putRecord({ collection: base, key: 'x:y', value: 'base', now })
      await store.putRecord({ collection: `${base}:x`, key: 'y', value: 'joined', now })
      await store.putRecord({ collection: `${base}x`, key: 'x:y', value: 'longer', now })
      expect((await store.getRecord({ collection: base, key: 'x:y' }))?.value).toBe('base')
      expect((await store.getRecord({ collection: `${base}:x`, key: 'y' }))?.value).toBe('joined')
      expect((await store.getRecord({ collection: `${base}x`, key: 'x:y' }))?.value).toBe('longer')
      expect(keysOf(await store.listRecords({ collection: base, limit: 10 }))).toEqual(['x:y'])
      expect(await store.deleteRecord({ collection: `${base}:x`, key: 'y' })).toBe(true)
      expect((await store.getRecord({ collection: base, key: 'x:y' }))?.value).toBe('base')
      expect((await store.getRecord({ collection: `${base}x`, key: 'x:y' }))?.value).toBe('longer')
    })

    it('accepts the longest collection and key, and non-ASCII ones', async (context) => {
      const store = recordsOf(context)
      const now = Date.now()
      const collection = `${uniqueId('records')}-${'ü'.repeat(64)}`.slice(0, 64)
      const keys = ['\uffff'.repeat(255), `${'😀'.repeat(127)}x`, 'é'.repeat(255), 'k'.repeat(255)]
      for (const key of keys) {
        const put = await store.putRecord({ collection, key, value: key.length, now })
        expect(put.status).toBe('written')
        expect(await store.getRecord({ collection, key })).toMatchObject({
          collection,
          key,
          value: 255,
        })
      }
      expect(keysOf(await store.listRecords({ collection, limit: 10 }))).toEqual(
        [...keys].sort(byteOrder),
      )
    })

    it('rejects bad input with InvalidArgumentError naming the field, and writes nothing', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const now = Date.now()
      const cycle: Record<string, unknown> = {}
      cycle.self = cycle
      const badNames = ['', 'c'.repeat(65), 42, undefined, 'a\u0000b', 'lone\ud800']
      const badKeys = ['', 'k'.repeat(256), 42, null, 'a\u0000b', '\udc00lone']
      const cases: [string, () => unknown][] = [
        ['input', () => store.putRecord(null as never)],
        ...badNames.map((bad): [string, () => unknown] => [
          'collection',
          () => store.putRecord({ collection: bad as string, key: 'k', value: 1, now }),
        ]),
        ...badKeys.map((bad): [string, () => unknown] => [
          'key',
          () => store.putRecord({ collection, key: bad as string, value: 1, now }),
        ]),
        ...[undefined, () => 1, 10n, cycle].map((bad): [string, () => unknown] => [
          'value',
          () => store.putRecord({ collection, key: 'k', value: bad, now }),
        ]),
        ...[-1, 1.5, '1', Number.NaN].map((bad): [string, () => unknown] => [
          'expectRevision',
          () =>
            store.putRecord({ collection, key: 'k', value: 1, now, expectRevision: bad as number }),
        ]),
        ...[Number.NaN, Infinity, '1', undefined].map((bad): [string, () => unknown] => [
          'now',
          () => store.putRecord({ collection, key: 'k', value: 1, now: bad as number }),
        ]),
        ...badNames.map((bad): [string, () => unknown] => [
          'collection',
          () => store.getRecord({ collection: bad as string, key: 'k' }),
        ]),
        ...badKeys.map((bad): [string, () => unknown] => [
          'key',
          () => store.getRecord({ collection, key: bad as string }),
        ]),
        ...badNames.map((bad): [string, () => unknown] => [
          'collection',
          () => store.listRecords({ collection: bad as string, limit: 1 }),
        ]),
        ...[0, 1001, 1.5, '10', undefined].map((bad): [string, () => unknown] => [
          'limit',
          () => store.listRecords({ collection, limit: bad as number }),
        ]),
        ...['p'.repeat(256), 42, 'a\u0000'].map((bad): [string, () => unknown] => [
          'prefix',
          () => store.listRecords({ collection, prefix: bad as string, limit: 1 }),
        ]),
        ...['p'.repeat(256), 42, '\ud800'].map((bad): [string, () => unknown] => [
          'after',
          () => store.listRecords({ collection, after: bad as string, limit: 1 }),
        ]),
        ['reverse', () => store.listRecords({ collection, reverse: 'yes' as never, limit: 1 })],
        ...badNames.map((bad): [string, () => unknown] => [
          'collection',
          () => store.deleteRecord({ collection: bad as string, key: 'k' }),
        ]),
        ...badKeys.map((bad): [string, () => unknown] => [
          'key',
          () => store.deleteRecord({ collection, key: bad as string }),
        ]),
        ...[-1, 0.5, '2'].map((bad): [string, () => unknown] => [
          'expectRevision',
          () => store.deleteRecord({ collection, key: 'k', expectRevision: bad as number }),
        ]),
      ]
      for (const [field, call] of cases) {
        const error = await errorOf(call)
        expect(codeOf(error), field).toBe('invalid_argument')
        expect(String((error as Error).message), field).toContain(`"${field}"`)
      }
      expect(await store.listRecords({ collection, limit: 10 })).toEqual([])
    })

    it('returns copies: changing what a read returned changes nothing stored', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const value = { list: [1, 2], nested: { a: 'b' } }
      const put = await store.putRecord({ collection, key: 'k', value, now: Date.now() })
      value.list.push(3)
      if (put.status === 'written') (put.record.value as typeof value).nested.a = 'changed'
      const read = await store.getRecord({ collection, key: 'k' })
      expect(read?.value).toEqual({ list: [1, 2], nested: { a: 'b' } })
      ;(read?.value as typeof value).list.length = 0
      const [listed] = await store.listRecords({ collection, limit: 1 })
      expect(listed?.value).toEqual({ list: [1, 2], nested: { a: 'b' } })
      ;(listed?.value as typeof value).nested.a = 'changed'
      expect((await store.getRecord({ collection, key: 'k' }))?.value).toEqual({
        list: [1, 2],
        nested: { a: 'b' },
      })
    })

    it('keeps values as their JSON: Dates become ISO strings, undefined fields are dropped', async (context) => {
      const store = recordsOf(context)
      const collection = uniqueId('records')
      const now = Date.now()
      const value = {
        at: new Date(Date.UTC(2024, 1, 29, 12, 30)),
        gone: undefined,
        list: [undefined, 1],
        text: 'Grüße, 世界! 🌍 «quotes» "double" \\ back\\slash\nnew line\ttab \u0000 nul',
        numbers: [0, -1, 1.5, 1e-7, 123456789012, Number.MAX_SAFE_INTEGER],
        flags: [true, false, null],
        deep: { deeper: { deepest: [1, [2, [3, [4]]]] }, empty: {}, none: [] },
      }
      await store.putRecord({ collection, key: 'json', value, now })
      const read = (await store.getRecord({ collection, key: 'json' }))?.value
      expect(read).toEqual(JSON.parse(JSON.stringify(value)))
      expect(Object.keys(read as object)).not.toContain('gone')
      expect((await store.getRecord({ collection, key: 'json' }))?.value).toEqual({
        ...value,
        at: '2024-02-29T12:30:00.000Z',
        gone: undefined,
        list: [null, 1],
      })
      for (const [key, plain] of [
        ['null', null],
        ['string', 'text'],
        ['number', 42.5],
        ['array', ['a', 1]],
        ['false', false],
      ] as const) {
        await store.putRecord({ collection, key, value: plain, now })
        expect((await store.getRecord({ collection, key }))?.value, key).toEqual(plain)
      }
    })
  })
}
