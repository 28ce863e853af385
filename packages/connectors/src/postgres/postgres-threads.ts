import { checkThreadInput, type StoreV1, type ThreadRecord } from '@tessera/core'
import type { PostgresNames } from './postgres-migrations'
import { corrupt } from './postgres-rows'

/** A named (prepared) statement of the store. */
export interface PostgresStatement {
  name: string
  text: string
}

/** What the thread methods need of the store: its names and its one-round-trip query. */
export interface PostgresThreadContext {
  n: PostgresNames
  statement: (op: string, text: string) => PostgresStatement
  /** Runs one statement and answers the `r` column of its first row (undefined: no row). */
  one: (operation: string, st: PostgresStatement, values: unknown[]) => Promise<unknown>
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A thread as `thread_json` built it, checked; a corrupt row names its table and id. */
function toThread(row: unknown, n: PostgresNames): ThreadRecord {
  if (!isObject(row) || typeof row.threadId !== 'string') {
    return corrupt(n.threads, String(row), 'not a thread')
  }
  const id = row.threadId
  const messages = row.messages
  if (!Array.isArray(messages)) corrupt(n.threads, id, 'messages are not an array')
  for (const entry of messages as unknown[]) {
    if (!isObject(entry) || typeof entry.seq !== 'number' || typeof entry.createdAt !== 'number') {
      corrupt(n.messages, id, 'a message row has no seq or created_at')
    }
  }
  const thread: ThreadRecord = {
    threadId: id,
    messages: messages as ThreadRecord['messages'],
    lastSeq: row.lastSeq as number,
    createdAt: row.createdAt as number,
    updatedAt: row.updatedAt as number,
  }
  if (row.summaryThrough !== undefined) {
    if (!('summary' in row)) corrupt(n.threads, id, 'summary_through is set but summary is NULL')
    if (typeof row.summaryAt !== 'number') {
      corrupt(n.threads, id, 'summary_through is set but summary_at is NULL')
    }
    thread.summary = {
      content: row.summary,
      throughSeq: row.summaryThrough as number,
      updatedAt: row.summaryAt,
    }
  }
  return thread
}

/**
 * The PostgreSQL store's thread methods: each one statement (one round trip), the writes calls
 * of the PL/pgSQL functions of schema version 2.
 */
export function createPostgresThreads({
  n,
  statement,
  one,
}: PostgresThreadContext): Required<
  Pick<StoreV1, 'appendThreadMessages' | 'getThread' | 'summarizeThread' | 'deleteThread'>
> {
  const f = n.of
  const sql = {
    append: statement(
      'append_thread',
      `SELECT ${f('append_thread')}($1, $2::jsonb, $3::bigint)::text AS r`,
    ),
    get: statement(
      'get_thread',
      `SELECT ${f('thread_json')}(t) AS r FROM ${n.threads} t WHERE id = $1`,
    ),
    summarize: statement(
      'summarize_thread',
      `SELECT ${f('summarize_thread')}($1, $2::jsonb, $3::bigint, $4::bigint) AS r`,
    ),
    delete: statement('delete_thread', `SELECT ${f('delete_thread')}($1)::text AS r`),
  }

  return {
    async appendThreadMessages(input) {
      const { threadId, messages, now } = checkThreadInput('appendThreadMessages', input)
      const lastSeq = await one('append thread messages', sql.append, [
        threadId,
        `[${messages.join(',')}]`,
        now,
      ])
      return { lastSeq: Number(lastSeq) }
    },

    async getThread(input) {
      const { threadId } = checkThreadInput('getThread', input)
      const row = await one('read a thread', sql.get, [threadId])
      return row === undefined ? undefined : toThread(row, n)
    },

    async summarizeThread(input) {
      const { threadId, summary, throughSeq, now } = checkThreadInput('summarizeThread', input)
      const status = await one('summarize a thread', sql.summarize, [
        threadId,
        summary,
        throughSeq,
        now,
      ])
      return { status: status === 'summarized' ? 'summarized' : 'stale' }
    },

    async deleteThread(input) {
      const { threadId } = checkThreadInput('deleteThread', input)
      return (await one('delete a thread', sql.delete, [threadId])) === 'true'
    },
  }
}
