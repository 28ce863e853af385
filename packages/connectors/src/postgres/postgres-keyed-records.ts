import { checkRecordInput, type StoredRecord, type StoreV1 } from '@tessera/core'
import type { PostgresNames } from './postgres-migrations'
import { corrupt } from './postgres-rows'
import type { PostgresThreadContext } from './postgres-threads'

/** What the records methods need of the store: the thread methods' context, and many rows. */
export interface PostgresRecordContext extends PostgresThreadContext {
  /** Runs one statement and answers the `r` column of every row. */
  rows: (
    operation: string,
    st: ReturnType<PostgresThreadContext['statement']>,
    values: unknown[],
  ) => Promise<unknown[]>
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A record as `record_json` built it, its value parsed; a corrupt row names its table and key. */
function toRecord(row: unknown, n: PostgresNames): StoredRecord {
  if (!isObject(row) || typeof row.collection !== 'string' || typeof row.key !== 'string') {
    return corrupt(n.records, String(row), 'not a record')
  }
  const id = `${row.collection}/${row.key}`
  let value: unknown
  try {
    value = JSON.parse(String(row.value))
  } catch {
    corrupt(n.records, id, 'column value is not JSON text')
  }
  for (const field of ['revision', 'createdAt', 'updatedAt'] as const) {
    if (!Number.isSafeInteger(row[field])) corrupt(n.records, id, `${field} is not an integer`)
  }
  return {
    collection: row.collection,
    key: row.key,
    value,
    revision: row.revision as number,
    createdAt: row.createdAt as number,
    updatedAt: row.updatedAt as number,
  }
}

/**
 * The PostgreSQL store's records methods: each one statement (one round trip); a write is a
 * call of the `put_record` function of schema version 3.
 */
export function createPostgresRecords({
  n,
  statement,
  one,
  rows,
}: PostgresRecordContext): Required<
  Pick<StoreV1, 'putRecord' | 'getRecord' | 'listRecords' | 'deleteRecord'>
> {
  const f = n.of
  const sql = {
    put: statement(
      'put_record',
      `SELECT ${f('put_record')}($1, $2, $3, $4::bigint, $5::bigint) AS r`,
    ),
    get: statement(
      'get_record',
      `SELECT ${f('record_json')}(t) AS r FROM ${n.records} t WHERE collection = $1 AND key = $2`,
    ),
    delete: statement(
      'delete_record',
      `DELETE FROM ${n.records} WHERE collection = $1 AND key = $2
         AND ($3::bigint IS NULL OR revision = $3::bigint)
       RETURNING true AS r`,
    ),
  }
  /** listRecords statements by the bounds they use (16 at most). */
  const lists = new Map<string, ReturnType<typeof statement>>()
  const listStatement = (
    bounds: { prefix: boolean; end: boolean; after: boolean },
    reverse: boolean,
  ) => {
    const name = `list_records_${Number(bounds.prefix)}${Number(bounds.end)}${Number(bounds.after)}${reverse ? 'r' : 'f'}`
    let found = lists.get(name)
    if (!found) {
      // $1 collection, $2 limit, then the bounds present, in this order.
      const where = ['collection = $1']
      const next = () => `$${where.length + 2}`
      if (bounds.prefix) where.push(`key >= ${next()}`)
      if (bounds.end) where.push(`key < ${next()}`)
      if (bounds.after) where.push(`key ${reverse ? '<' : '>'} ${next()}`)
      const text = `SELECT ${f('record_json')}(t) AS r FROM ${n.records} t
        WHERE ${where.join(' AND ')} ORDER BY key ${reverse ? 'DESC' : 'ASC'} LIMIT $2`
      lists.set(name, (found = statement(name, text)))
    }
    return found
  }

  return {
    async putRecord(input) {
      const { collection, key, json, now, expectRevision } = checkRecordInput('putRecord', input)
      const out = await one('write a record', sql.put, [
        collection,
        key,
        json,
        now,
        expectRevision ?? null,
      ])
      if (!isObject(out)) return corrupt(n.records, `${collection}/${key}`, 'no write result')
      if (out.status === 'written') return { status: 'written', record: toRecord(out.record, n) }
      return out.current === undefined
        ? { status: 'conflict' }
        : { status: 'conflict', current: toRecord(out.current, n) }
    },

    async getRecord(input) {
      const { collection, key } = checkRecordInput('getRecord', input)
      const row = await one('read a record', sql.get, [collection, key])
      return row === undefined ? undefined : toRecord(row, n)
    },

    async listRecords(query) {
      const { collection, prefix, prefixEnd, after, reverse, limit } = checkRecordInput(
        'listRecords',
        query,
      )
      const bounds = [prefix, prefixEnd, after].filter((bound) => bound !== undefined)
      const st = listStatement(
        { prefix: prefix !== undefined, end: prefixEnd !== undefined, after: after !== undefined },
        reverse,
      )
      const found = await rows('list records', st, [collection, limit, ...bounds])
      return found.map((row) => toRecord(row, n))
    },

    async deleteRecord(input) {
      const { collection, key, expectRevision } = checkRecordInput('deleteRecord', input)
      const deleted = await one('delete a record', sql.delete, [
        collection,
        key,
        expectRevision ?? null,
      ])
      return deleted === true
    },
  }
}
