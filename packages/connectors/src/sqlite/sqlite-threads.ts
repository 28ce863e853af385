// Conversation threads: a row per thread (its message count and summary) and a row per message.
// Every write is one IMMEDIATE transaction, so concurrent appends (from this process or another)
// take numbers one after the other.
import type { CheckedThreadAppend, CheckedThreadSummary, ThreadRecord } from '@tessera/core'
import { corruptRow } from './sqlite-errors'
import { Reader, type Row } from './sqlite-rows'
import type { SqliteContext } from './sqlite-statements'

/** A thread row and its message rows as a record; a corrupt row names its table and id. */
function threadFromRows(t: SqliteContext['t'], row: Row, messageRows: Row[]): ThreadRecord {
  const r = new Reader(t.threads, String(row.id), row)
  const thread: ThreadRecord = {
    threadId: r.text('id'),
    messages: messageRows.map((messageRow) => {
      const m = new Reader(t.messages, `${String(row.id)}/${String(messageRow.seq)}`, messageRow)
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

export function createThreads({ db, sql, t }: SqliteContext) {
  const appendTx = db.transaction(({ threadId, messages, now }: CheckedThreadAppend) => {
    if (messages.length === 0) {
      const lastSeq = sql.getThreadLastSeq.get(threadId) as unknown
      if (lastSeq === undefined) return { lastSeq: 0 }
      if (!Number.isSafeInteger(lastSeq)) {
        throw corruptRow(t.threads, threadId, 'column last_seq is not an integer')
      }
      return { lastSeq: lastSeq as number }
    }
    const lastSeq = sql.countMessages.get(threadId, messages.length, now, now) as unknown
    if (!Number.isSafeInteger(lastSeq)) {
      throw corruptRow(t.threads, threadId, 'column last_seq is not an integer')
    }
    const first = (lastSeq as number) - messages.length + 1
    messages.forEach((json, index) => sql.insertMessage.run(threadId, first + index, json, now))
    return { lastSeq: lastSeq as number }
  })

  const readTx = db.transaction((threadId: string): ThreadRecord | undefined => {
    const row = sql.getThread.get(threadId) as Row | undefined
    if (!row) return undefined
    return threadFromRows(t, row, sql.getMessages.all(threadId) as Row[])
  })

  const summarizeTx = db.transaction(
    ({ threadId, summary, throughSeq, now }: CheckedThreadSummary) => {
      const changed = sql.setSummary.run({ id: threadId, summary, through: throughSeq, now })
      if (changed.changes === 0) return { status: 'stale' as const }
      sql.deleteMessagesThrough.run(threadId, throughSeq)
      return { status: 'summarized' as const }
    },
  )

  const deleteTx = db.transaction((threadId: string): boolean => {
    sql.deleteMessages.run(threadId)
    return sql.deleteThread.run(threadId).changes === 1
  })

  return {
    append: (input: CheckedThreadAppend) => appendTx.immediate(input),
    read: (threadId: string) => readTx(threadId),
    summarize: (input: CheckedThreadSummary) => summarizeTx.immediate(input),
    delete: (threadId: string) => deleteTx.immediate(threadId),
  }
}
