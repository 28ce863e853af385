import { checkThreadInput, StoreError, type StoreV1, type ThreadRecord } from '@tessera/core'
import { HashReader, provider, toHash } from './redis-records'
import type { ScriptName } from './redis-scripts'

/** What the thread methods need of the store. */
export interface RedisThreadContext {
  /** The full key prefix (the client's and the store's), for the keys named in errors. */
  prefix: string
  /** Runs one script (one round trip). */
  call: (name: ScriptName, args: string[]) => Promise<unknown>
  /** Every operation: refused once closed, schema checked first, driver errors mapped. */
  guard: <T>(operation: string, fn: () => Promise<T>) => Promise<T>
}

/** A thread's hash and message list as a record; a corrupt value names its key. */
function decodeThread(prefix: string, threadId: string, reply: unknown[]): ThreadRecord {
  const reader = new HashReader(`${prefix}thread:${threadId}`, toHash(reply[0]))
  const entries = reply[1] as string[]
  const lastSeq = reader.number('lastSeq')
  const throughSeq = reader.optionalNumber('summaryThrough')
  const listKey = `${prefix}thread-messages:${threadId}`
  const first = (throughSeq ?? 0) + 1
  if (entries.length !== lastSeq - first + 1) {
    throw new StoreError(
      provider,
      `Corrupt value in key "${listKey}": ${entries.length} messages, expected ` +
        `${lastSeq - first + 1} (lastSeq ${lastSeq}, summaryThrough ${throughSeq ?? 'none'})`,
    )
  }
  const thread: ThreadRecord = {
    threadId,
    messages: entries.map((entry, index) => {
      const value = new HashReader(listKey, { [`[${index}]`]: entry }).json(`[${index}]`)
      if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'number') {
        throw new StoreError(
          provider,
          `Corrupt value in key "${listKey}", entry ${index}: not [createdAt, message]`,
        )
      }
      return { seq: first + index, message: value[1] as unknown, createdAt: value[0] }
    }),
    lastSeq,
    createdAt: reader.number('createdAt'),
    updatedAt: reader.number('updatedAt'),
  }
  if (throughSeq !== undefined) {
    reader.string('summary')
    thread.summary = {
      content: reader.json('summary'),
      throughSeq,
      updatedAt: reader.number('summaryAt'),
    }
  }
  return thread
}

/** The Redis store's thread methods: one script (one round trip, atomic) each. */
export function createRedisThreads({
  prefix,
  call,
  guard,
}: RedisThreadContext): Required<
  Pick<StoreV1, 'appendThreadMessages' | 'getThread' | 'summarizeThread' | 'deleteThread'>
> {
  return {
    // Input is checked before anything else: bad input is an InvalidArgumentError even when
    // the server is unreachable.
    async appendThreadMessages(input) {
      const { threadId, messages, now } = checkThreadInput('appendThreadMessages', input)
      return guard('append thread messages', async () => {
        const stamp = String(now)
        const args = [threadId, stamp, String(messages.length)]
        for (const json of messages) args.push(`[${stamp},${json}]`)
        const lastSeq = Number(await call('appendThread', args))
        if (!Number.isSafeInteger(lastSeq)) {
          throw new HashReader(`${prefix}thread:${threadId}`, {}).corrupt(
            'lastSeq',
            'not an integer',
          )
        }
        return { lastSeq }
      })
    },

    async getThread(input) {
      const { threadId } = checkThreadInput('getThread', input)
      return guard('read a thread', async () => {
        const reply = (await call('getThread', [threadId])) as unknown[]
        return reply.length === 0 ? undefined : decodeThread(prefix, threadId, reply)
      })
    },

    async summarizeThread(input) {
      const { threadId, summary, throughSeq, now } = checkThreadInput('summarizeThread', input)
      return guard('summarize a thread', async () => {
        const reply = await call('summarizeThread', [
          threadId,
          summary,
          String(throughSeq),
          String(now),
        ])
        if (Array.isArray(reply)) {
          const [, field, value] = reply as [string, string, string]
          throw new HashReader(`${prefix}thread:${threadId}`, {}).corrupt(
            field,
            `"${value}" is not a number`,
          )
        }
        return { status: reply === 'summarized' ? 'summarized' : 'stale' }
      })
    },

    async deleteThread(input) {
      const { threadId } = checkThreadInput('deleteThread', input)
      return guard('delete a thread', async () => {
        return Number(await call('deleteThread', [threadId])) === 1
      })
    },
  }
}
