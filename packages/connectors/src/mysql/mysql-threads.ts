// Conversation threads: a row per thread (its message count and summary) and a row per message.
// Every write is one transaction that locks the thread's row before it touches a message, so
// concurrent appends take numbers one after the other, and a summary or a delete never misses a
// message appended at the same time.
import type { ResultSetHeader } from 'mysql2/promise'
import { checkThreadInput, type StoreV1, type ThreadRecord } from '@tessera/core'
import type { MysqlTableNames } from './mysql-migrations'
import { Reader, type Param, type Row } from './mysql-rows'
import { maxBatch, rowMarks } from './mysql-sql'

/** What the thread writes need of a transaction. */
export interface ThreadTx {
  rows(sql: string, params: Param[]): Promise<Row[]>
  run(sql: string, params: Param[]): Promise<ResultSetHeader>
}

/** What the thread methods need of the store. */
export interface MysqlThreadContext {
  t: MysqlTableNames
  /** Waits until the store can serve (schema checked); throws once it is closed. */
  open: () => Promise<void>
  transaction: <T>(operation: string, body: (tx: ThreadTx) => Promise<T>) => Promise<T>
  /** Reads in one consistent snapshot. */
  snapshot: <T>(operation: string, body: (tx: ThreadTx) => Promise<T>) => Promise<T>
}

/**
 * Sizes of the message inserts of `count` messages: at most `maxBatch` rows each, every size a
 * power of two, so that mysql2 prepares a handful of statement shapes, not one per count.
 */
function insertSizes(count: number): number[] {
  const sizes: number[] = []
  let left = count
  while (left > 0) {
    let size = 1
    while (size * 2 <= Math.min(left, maxBatch)) size *= 2
    sizes.push(size)
    left -= size
  }
  return sizes
}

/** A thread row and its message rows as a record; a corrupt row names its table and id. */
function threadFromRows(
  t: MysqlTableNames,
  threadId: string,
  row: Row,
  messageRows: Row[],
): ThreadRecord {
  const r = new Reader(t.threads, threadId, row)
  const thread: ThreadRecord = {
    threadId,
    messages: messageRows.map((messageRow) => {
      const m = new Reader(t.messages, `${threadId}/${String(messageRow.seq)}`, messageRow)
      const message = m.json('message')
      return {
        seq: m.int('seq'),
        message: message === undefined ? m.fail('message', 'JSON text') : message,
        createdAt: m.int('created_at'),
      }
    }),
    lastSeq: r.int('last_seq'),
    createdAt: r.int('created_at'),
    updatedAt: r.int('updated_at'),
  }
  const throughSeq = r.optInt('summary_through')
  if (throughSeq !== undefined) {
    const content = r.json('summary')
    thread.summary = {
      content: content === undefined ? r.fail('summary', 'JSON text') : content,
      throughSeq,
      updatedAt: r.int('summary_at'),
    }
  }
  return thread
}

/** The MySQL store's thread methods. */
export function createMysqlThreads({
  t,
  open,
  transaction,
  snapshot,
}: MysqlThreadContext): Required<
  Pick<StoreV1, 'appendThreadMessages' | 'getThread' | 'summarizeThread' | 'deleteThread'>
> {
  const sql = {
    lastSeq: `SELECT last_seq FROM ${t.threads} WHERE id = ?`,
    lockLastSeq: `SELECT last_seq FROM ${t.threads} WHERE id = ? FOR UPDATE`,
    count: `INSERT INTO ${t.threads} (id, last_seq, created_at, updated_at) VALUES (?, ?, ?, ?)
      ON DUPLICATE KEY UPDATE last_seq = last_seq + ?, updated_at = ?`,
    getThread: `SELECT last_seq, summary, summary_through, summary_at, created_at, updated_at
      FROM ${t.threads} WHERE id = ?`,
    getMessages: `SELECT seq, message, created_at FROM ${t.messages} WHERE thread_id = ?
      ORDER BY seq`,
    setSummary: `UPDATE ${t.threads} SET summary = ?, summary_through = ?, summary_at = ?,
      updated_at = ?
      WHERE id = ? AND last_seq >= ? AND (summary_through IS NULL OR summary_through < ?)`,
    deleteMessagesThrough: `DELETE FROM ${t.messages} WHERE thread_id = ? AND seq <= ?`,
    deleteThread: `DELETE FROM ${t.threads} WHERE id = ?`,
    deleteMessages: `DELETE FROM ${t.messages} WHERE thread_id = ?`,
  }
  const insertMessages = (rows: number) =>
    `INSERT INTO ${t.messages} (thread_id, seq, message, created_at) VALUES ${rowMarks(rows, 4)}`

  /** A `last_seq` read back; a value of the wrong type names the row. */
  const lastSeqOf = (threadId: string, row: Row | undefined): number =>
    row === undefined ? 0 : new Reader(t.threads, threadId, row).int('last_seq')

  return {
    async appendThreadMessages(input) {
      const { threadId, messages, now } = checkThreadInput('appendThreadMessages', input)
      await open()
      if (messages.length === 0) {
        return snapshot('append thread messages', async (tx) => ({
          lastSeq: lastSeqOf(threadId, (await tx.rows(sql.lastSeq, [threadId]))[0]),
        }))
      }
      return transaction('append thread messages', async (tx) => {
        // The upsert locks the thread's row until the messages are in.
        await tx.run(sql.count, [threadId, messages.length, now, now, messages.length, now])
        const lastSeq = lastSeqOf(threadId, (await tx.rows(sql.lockLastSeq, [threadId]))[0])
        let seq = lastSeq - messages.length
        let index = 0
        for (const size of insertSizes(messages.length)) {
          const params: Param[] = []
          for (let row = 0; row < size; row++) {
            params.push(threadId, ++seq, messages[index++]!, now)
          }
          await tx.run(insertMessages(size), params)
        }
        return { lastSeq }
      })
    },

    async getThread(input) {
      const { threadId } = checkThreadInput('getThread', input)
      await open()
      return snapshot('read a thread', async (tx) => {
        const [row] = await tx.rows(sql.getThread, [threadId])
        if (!row) return undefined
        return threadFromRows(t, threadId, row, await tx.rows(sql.getMessages, [threadId]))
      })
    },

    async summarizeThread(input) {
      const { threadId, summary, throughSeq, now } = checkThreadInput('summarizeThread', input)
      await open()
      return transaction('summarize a thread', async (tx) => {
        // The check is the UPDATE's condition, evaluated on the locked row.
        const changed = await tx.run(sql.setSummary, [
          summary,
          throughSeq,
          now,
          now,
          threadId,
          throughSeq,
          throughSeq,
        ])
        if (changed.affectedRows === 0) return { status: 'stale' as const }
        await tx.run(sql.deleteMessagesThrough, [threadId, throughSeq])
        return { status: 'summarized' as const }
      })
    },

    async deleteThread(input) {
      const { threadId } = checkThreadInput('deleteThread', input)
      await open()
      return transaction('delete a thread', async (tx) => {
        // The thread's row first: an append in flight finishes (its messages go too), or
        // waits and starts a new thread.
        const deleted = await tx.run(sql.deleteThread, [threadId])
        await tx.run(sql.deleteMessages, [threadId])
        return deleted.affectedRows === 1
      })
    },
  }
}
