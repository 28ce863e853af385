import { checkRecordInput, compareRecordKeys, type StoredRecord, type StoreV1 } from '@tessera/core'
import { HashReader } from './redis-records'
import type { RedisThreadContext } from './redis-threads'

/** What the records methods need of the store: the same as the thread methods. */
export type RedisRecordContext = RedisThreadContext

/**
 * A record from its fields as the scripts answer them (value, revision, createdAt, updatedAt);
 * a corrupt value names its key.
 */
function decodeRecord(
  prefix: string,
  collection: string,
  key: string,
  fields: unknown[],
): StoredRecord {
  const [value, revision, createdAt, updatedAt] = fields.map((field) =>
    field === null || field === undefined || field === '' ? undefined : String(field),
  )
  const reader = new HashReader(`${prefix}record:${collection.length}:${collection}:${key}`, {
    ...(value === undefined ? {} : { value }),
    ...(revision === undefined ? {} : { revision }),
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(updatedAt === undefined ? {} : { updatedAt }),
  })
  reader.string('value')
  return {
    collection,
    key,
    value: reader.json('value'),
    revision: reader.number('revision'),
    createdAt: reader.number('createdAt'),
    updatedAt: reader.number('updatedAt'),
  }
}

/** The larger of two lower bounds in ZRANGEBYLEX syntax (`[` inclusive, `(` exclusive). */
const higher = (a: string, b: string) => {
  const order = compareRecordKeys(a.slice(1), b.slice(1))
  return order > 0 || (order === 0 && a.startsWith('(')) ? a : b
}
/** The smaller of two upper bounds in ZRANGEBYLEX syntax. */
const lower = (a: string, b: string) => {
  const order = compareRecordKeys(a.slice(1), b.slice(1))
  return order < 0 || (order === 0 && a.startsWith('(')) ? a : b
}

/** The Redis store's records methods: one script (one round trip, atomic) each. */
export function createRedisRecords({
  prefix,
  call,
  guard,
}: RedisRecordContext): Required<
  Pick<StoreV1, 'putRecord' | 'getRecord' | 'listRecords' | 'deleteRecord'>
> {
  return {
    // Input is checked before anything else: bad input is an InvalidArgumentError even when
    // the server is unreachable.
    async putRecord(input) {
      const { collection, key, json, now, expectRevision } = checkRecordInput('putRecord', input)
      return guard('write a record', async () => {
        const reply = (await call('putRecord', [
          collection,
          key,
          json,
          String(now),
          expectRevision === undefined ? '' : String(expectRevision),
        ])) as unknown[]
        if (reply[0] === 'written') {
          const written = [json, reply[1], reply[2], String(now)]
          return { status: 'written', record: decodeRecord(prefix, collection, key, written) }
        }
        if (reply[0] === 'corrupt') {
          throw new HashReader(
            `${prefix}record:${collection.length}:${collection}:${key}`,
            {},
          ).corrupt(String(reply[1]), `"${String(reply[2])}" is not a number`)
        }
        return reply.length === 1
          ? { status: 'conflict' }
          : { status: 'conflict', current: decodeRecord(prefix, collection, key, reply.slice(1)) }
      })
    },

    async getRecord(input) {
      const { collection, key } = checkRecordInput('getRecord', input)
      return guard('read a record', async () => {
        const reply = (await call('getRecord', [collection, key])) as unknown[]
        return reply.length === 0 ? undefined : decodeRecord(prefix, collection, key, reply)
      })
    },

    async listRecords(query) {
      const {
        collection,
        prefix: start,
        prefixEnd,
        after,
        reverse,
        limit,
      } = checkRecordInput('listRecords', query)
      // The key range in ZRANGEBYLEX syntax: the prefix's bounds, narrowed by `after`.
      let min = start === undefined ? '-' : `[${start}`
      let max = prefixEnd === undefined ? '+' : `(${prefixEnd}`
      if (after !== undefined) {
        if (reverse) max = max === '+' ? `(${after}` : lower(max, `(${after}`)
        else min = min === '-' ? `(${after}` : higher(min, `(${after}`)
      }
      return guard('list records', async () => {
        const reply = (await call('listRecords', [
          collection,
          min,
          max,
          String(limit),
          reverse ? 'reverse' : '',
        ])) as unknown[]
        const records: StoredRecord[] = []
        for (let index = 0; index < reply.length; index += 5) {
          const key = String(reply[index])
          records.push(decodeRecord(prefix, collection, key, reply.slice(index + 1, index + 5)))
        }
        return records
      })
    },

    async deleteRecord(input) {
      const { collection, key, expectRevision } = checkRecordInput('deleteRecord', input)
      return guard('delete a record', async () => {
        const deleted = await call('deleteRecord', [
          collection,
          key,
          expectRevision === undefined ? '' : String(expectRevision),
        ])
        return Number(deleted) === 1
      })
    },
  }
}
