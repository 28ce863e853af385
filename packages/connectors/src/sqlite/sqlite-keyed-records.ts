// Keyed records (`capabilities.records`): a row per collection and key in the records table.
// Every write is one IMMEDIATE transaction, so a compare-and-set reads and writes the revision
// with no other writer between, from this process or another.
import type Database from 'better-sqlite3'
import type {
  CheckedRecordDelete,
  CheckedRecordList,
  CheckedRecordPut,
  PutRecordResult,
  StoredRecord,
} from '@tessera/core'
import { Reader, type Row } from './sqlite-rows'
import type { SqliteTableNames } from './sqlite-migrations'

/** A row of the records table as a record; a corrupt row names its table and key. */
function recordFromRow(table: string, row: Row): StoredRecord {
  const r = new Reader(table, `${String(row.collection)}/${String(row.key)}`, row)
  const value = r.json('value')
  return {
    collection: r.text('collection'),
    key: r.text('key'),
    value: value === undefined ? r.fail('value', 'JSON text') : value,
    revision: r.int('revision'),
    createdAt: r.int('created_at'),
    updatedAt: r.int('updated_at'),
  }
}

/** The records of a store over `db`: each method takes input `checkRecordInput` checked. */
export function createKeyedRecords(db: Database.Database, t: SqliteTableNames) {
  const table = t.records
  const get = db.prepare(`SELECT * FROM ${table} WHERE collection = ? AND key = ?`)
  const insert = db.prepare(
    `INSERT INTO ${table} (collection, key, value, revision, created_at, updated_at)
     VALUES (@collection, @key, @json, 1, @now, @now)
     RETURNING *`,
  )
  const update = db.prepare(
    `UPDATE ${table} SET value = @json, revision = revision + 1, updated_at = @now
     WHERE collection = @collection AND key = @key
     RETURNING *`,
  )
  const remove = db.prepare(`DELETE FROM ${table} WHERE collection = ? AND key = ?`)
  const removeAt = db.prepare(
    `DELETE FROM ${table} WHERE collection = ? AND key = ? AND revision = ?`,
  )
  /** List statements by the bounds they use, prepared when first needed. */
  const lists = new Map<string, Database.Statement>()

  const putTx = db.transaction((input: CheckedRecordPut): PutRecordResult => {
    const row = get.get(input.collection, input.key) as Row | undefined
    const current = row && recordFromRow(table, row)
    if (input.expectRevision !== undefined && (current?.revision ?? 0) !== input.expectRevision) {
      return current ? { status: 'conflict', current } : { status: 'conflict' }
    }
    const { collection, key, json, now } = input
    const written = (current ? update : insert).get({ collection, key, json, now }) as Row
    return { status: 'written', record: recordFromRow(table, written) }
  })

  const deleteTx = db.transaction(({ collection, key, expectRevision }: CheckedRecordDelete) =>
    expectRevision === undefined
      ? remove.run(collection, key).changes === 1
      : removeAt.run(collection, key, expectRevision).changes === 1,
  )

  const list = (query: CheckedRecordList): StoredRecord[] => {
    const { prefix, prefixEnd, after, reverse } = query
    const shape = [prefix, prefixEnd, after].map((bound) => (bound === undefined ? 0 : 1))
    const name = `${shape.join('')}${reverse ? 'r' : 'f'}`
    let statement = lists.get(name)
    if (!statement) {
      const conditions = ['collection = @collection']
      if (prefix !== undefined) conditions.push('key >= @prefix')
      if (prefixEnd !== undefined) conditions.push('key < @prefixEnd')
      if (after !== undefined) conditions.push(reverse ? 'key < @after' : 'key > @after')
      statement = db.prepare(
        `SELECT * FROM ${table} WHERE ${conditions.join(' AND ')}
         ORDER BY key ${reverse ? 'DESC' : 'ASC'} LIMIT @limit`,
      )
      lists.set(name, statement)
    }
    const parameters: Record<string, unknown> = { collection: query.collection, limit: query.limit }
    if (prefix !== undefined) parameters.prefix = prefix
    if (prefixEnd !== undefined) parameters.prefixEnd = prefixEnd
    if (after !== undefined) parameters.after = after
    return (statement.all(parameters) as Row[]).map((row) => recordFromRow(table, row))
  }

  return {
    put: (input: CheckedRecordPut) => putTx.immediate(input),
    get: (collection: string, key: string): StoredRecord | undefined => {
      const row = get.get(collection, key) as Row | undefined
      return row && recordFromRow(table, row)
    },
    list,
    delete: (input: CheckedRecordDelete) => deleteTx.immediate(input),
  }
}
