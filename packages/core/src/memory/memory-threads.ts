import { checkThreadInput } from '../ports/thread-input'
import type { StoreV1, ThreadRecord } from '../ports/store-v1'

/** One thread: JSON texts, as a durable store keeps them (reads are copies by parsing). */
interface ThreadState {
  createdAt: number
  updatedAt: number
  lastSeq: number
  summary: { json: string; throughSeq: number; updatedAt: number } | undefined
  /** Messages after the summary, oldest first: the first is number `lastSeq - length + 1`. */
  messages: { json: string; createdAt: number }[]
}

/** The thread methods of a store (see `StoreV1.appendThreadMessages` and the rest). */
export type ThreadMethods = Required<
  Pick<StoreV1, 'appendThreadMessages' | 'getThread' | 'summarizeThread' | 'deleteThread'>
>

/**
 * The memory store's threads: kept until deleted or the store is closed (the store's
 * `maxEndedRuns` does not apply to them). Messages and summaries are kept as JSON text, so they
 * read back as from a durable store. `checkOpen` throws once the store is closed.
 */
export function createMemoryThreads(checkOpen: () => void): ThreadMethods {
  const threads = new Map<string, ThreadState>()
  return {
    async appendThreadMessages(input) {
      checkOpen()
      const { threadId, messages, now } = checkThreadInput('appendThreadMessages', input)
      let thread = threads.get(threadId)
      if (messages.length === 0) return { lastSeq: thread?.lastSeq ?? 0 }
      if (!thread) {
        thread = { createdAt: now, updatedAt: now, lastSeq: 0, summary: undefined, messages: [] }
        threads.set(threadId, thread)
      }
      for (const json of messages) thread.messages.push({ json, createdAt: now })
      thread.lastSeq += messages.length
      thread.updatedAt = now
      return { lastSeq: thread.lastSeq }
    },

    async getThread(input) {
      checkOpen()
      const { threadId } = checkThreadInput('getThread', input)
      const thread = threads.get(threadId)
      if (!thread) return undefined
      const first = thread.lastSeq - thread.messages.length + 1
      const record: ThreadRecord = {
        threadId,
        messages: thread.messages.map((entry, index) => ({
          seq: first + index,
          message: JSON.parse(entry.json) as unknown,
          createdAt: entry.createdAt,
        })),
        lastSeq: thread.lastSeq,
        createdAt: thread.createdAt,
        updatedAt: thread.updatedAt,
      }
      if (thread.summary) {
        record.summary = {
          content: JSON.parse(thread.summary.json) as unknown,
          throughSeq: thread.summary.throughSeq,
          updatedAt: thread.summary.updatedAt,
        }
      }
      return record
    },

    async summarizeThread(input) {
      checkOpen()
      const { threadId, summary, throughSeq, now } = checkThreadInput('summarizeThread', input)
      const thread = threads.get(threadId)
      if (!thread || throughSeq > thread.lastSeq) return { status: 'stale' }
      if (thread.summary && throughSeq <= thread.summary.throughSeq) return { status: 'stale' }
      const first = thread.lastSeq - thread.messages.length + 1
      thread.messages.splice(0, throughSeq - first + 1)
      thread.summary = { json: summary, throughSeq, updatedAt: now }
      thread.updatedAt = now
      return { status: 'summarized' }
    },

    async deleteThread(input) {
      checkOpen()
      const { threadId } = checkThreadInput('deleteThread', input)
      return threads.delete(threadId)
    },
  }
}
