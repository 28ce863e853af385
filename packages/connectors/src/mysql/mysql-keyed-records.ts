// Keyed records (`capabilities.records`): a row per collection and key. Collections and keys
// are VARBINARY, compared byte for byte (no collation, no trailing-space padding), so keys sort
// in the byte order of their UTF-8 as in every store. A write is one READ COMMITTED transaction
// whose compare-and-set rests on the row lock: the UPDATE's revision condition is checked on the
// locked row, a create-only write is an INSERT that hits the primary key, and a conflict reads
// the latest committed row (READ COMMITTED), so it answers with what the winner wrote. That read
// takes no lock: losers of an INSERT hold shared locks on the key, and asking for an exclusive
// one there would deadlock them with each other.
import type { ResultSetHeader } from 'mysql2/promise'
import {
  checkRecordInput,
  type PutRecordResult,
  type StoredRecord,
  type StoreV1,
} from '@tessera/core'
import type { MysqlTableNames } from './mysql-migrations'
import { Reader, type Param, type Row } from './mysql-rows'

/** What the records writes need of a transaction. */
export interface RecordTx {
  rows(sql: string, params: Param[]): Promise<Row[]>
  run(sql: string, params: Param[]): Promise<ResultSetHeader>
  /** Runs an insert; false when it hit a unique key and inserted nothing. */
  insertOnce(sql: string, params: Param[]): Promise<boolean>
}

/** What the records methods need of the store. */
export interface MysqlRecordContext {
  t: MysqlTableNames
  /** Waits until the store can serve (schema checked); throws once it is closed. */
  open: () => Promise<void>
  /** One transaction, READ COMMITTED when `readCommitted`; lock conflicts run it again. */
  transaction: <T>(
    operation: string,
    body: (tx: RecordTx) => Promise<T>,
    readCommitted?: boolean,
  ) => Promise<T>
  /** One statement outside a transaction (autocommit). */
  execute: (operation: string, text: string, params: Param[]) => Promise<unknown>
}

const columns = 'collection, record_key, value, revision, created_at, updated_at'

/** A row of the records table as a record; a corrupt row names its table and key. */
function recordFromRow(table: string, row: Row): StoredRecord {
  const collection = new Reader(table, '?', row).text('collection')
  const key = new Reader(table, collection, row).text('record_key')
  const r = new Reader(table, `${collection}/${key}`, row)
  const value = r.json('value')
  return {
    collection,
    key,
    value: value === undefined ? r.fail('value', 'JSON text') : value,
    revision: r.int('revision'),
    createdAt: r.int('created_at'),
    updatedAt: r.int('updated_at'),
  }
}

/** The MySQL store's records methods. */
export function createMysqlRecords({
  t,
  open,
  transaction,
  execute,
}: MysqlRecordContext): Required<
  Pick<StoreV1, 'putRecord' | 'getRecord' | 'listRecords' | 'deleteRecord'>
> {
  const table = t.records
  const where = 'collection = ? AND record_key = ?'
  const sql = {
    get: `SELECT ${columns} FROM ${table} WHERE ${where}`,
    insert: `INSERT INTO ${table} (${columns}) VALUES (?, ?, ?, 1, ?, ?)`,
    upsert: `INSERT INTO ${table} (${columns}) VALUES (?, ?, ?, 1, ?, ?)
      ON DUPLICATE KEY UPDATE revision = revision + 1, value = VALUES(value),
        updated_at = VALUES(updated_at)`,
    update: `UPDATE ${table} SET value = ?, revision = revision + 1, updated_at = ?
      WHERE ${where} AND revision = ?`,
    delete: `DELETE FROM ${table} WHERE ${where}`,
    deleteAt: `DELETE FROM ${table} WHERE ${where} AND revision = ?`,
  }

  return {
    async putRecord(input) {
      const { collection, key, json, now, expectRevision } = checkRecordInput('putRecord', input)
      await open()
      return transaction(
        'write a record',
        async (tx): Promise<PutRecordResult> => {
          const latest = async () => {
            const row = (await tx.rows(sql.get, [collection, key]))[0]
            return row && recordFromRow(table, row)
          }
          let written: boolean
          if (expectRevision === undefined) {
            await tx.run(sql.upsert, [collection, key, json, now, now])
            written = true
          } else if (expectRevision === 0) {
            written = await tx.insertOnce(sql.insert, [collection, key, json, now, now])
          } else {
            const result = await tx.run(sql.update, [json, now, collection, key, expectRevision])
            written = result.affectedRows === 1
          }
          const record = await latest()
          if (written && record) return { status: 'written', record }
          return record ? { status: 'conflict', current: record } : { status: 'conflict' }
        },
        true,
      )
    },

    async getRecord(input) {
      const { collection, key } = checkRecordInput('getRecord', input)
      await open()
      const row = ((await execute('read a record', sql.get, [collection, key])) as Row[])[0]
      return row && recordFromRow(table, row)
    },

    async listRecords(query) {
      const { collection, prefix, prefixEnd, after, reverse, limit } = checkRecordInput(
        'listRecords',
        query,
      )
      await open()
      const conditions = ['collection = ?']
      const params: Param[] = [collection]
      if (prefix !== undefined) {
        conditions.push('record_key >= ?')
        params.push(prefix)
      }
      if (prefixEnd !== undefined) {
        conditions.push('record_key < ?')
        params.push(prefixEnd)
      }
      if (after !== undefined) {
        conditions.push(reverse ? 'record_key < ?' : 'record_key > ?')
        params.push(after)
      }
      params.push(String(limit))
      const rows = (await execute(
        'list records',
        `SELECT ${columns} FROM ${table} WHERE ${conditions.join(' AND ')}
          ORDER BY record_key ${reverse ? 'DESC' : 'ASC'} LIMIT ?`,
        params,
      )) as Row[]
      return rows.map((row) => recordFromRow(table, row))
    },

    async deleteRecord(input) {
      const { collection, key, expectRevision } = checkRecordInput('deleteRecord', input)
      await open()
      const result = (await execute(
        'delete a record',
        expectRevision === undefined ? sql.delete : sql.deleteAt,
        expectRevision === undefined ? [collection, key] : [collection, key, expectRevision],
      )) as ResultSetHeader
      return result.affectedRows === 1
    },
  }
}
