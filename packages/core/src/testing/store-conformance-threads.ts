import { describe, expect, it, type TestContext } from 'vitest'
import { TesseraError } from '../errors/tessera-error'
import type { StoreV1, ThreadRecord } from '../ports/store-v1'
import { errorOf, uniqueId } from './fixtures'

type ThreadStore = Required<
  Pick<StoreV1, 'appendThreadMessages' | 'getThread' | 'summarizeThread' | 'deleteThread'>
>

const threadMethods = [
  'appendThreadMessages',
  'getThread',
  'summarizeThread',
  'deleteThread',
] as const

/** Values whose JSON round trip every store must keep exactly. */
const nested = {
  role: 'assistant',
  content: [
    { type: 'text', text: 'Grüße, 世界! 🌍🚀 «quotes» "double" \\ back\\slash\nnew line\ttab' },
    { type: 'text', text: 'עברית العربية e\u0301 ﬁ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧‍👦' },
    {
      type: 'tool-call',
      id: 'call_1',
      input: { deep: { deeper: { deepest: [1, [2, [3, [4]]]] } }, empty: {}, list: [] },
    },
  ],
  numbers: [0, -1, 1.5, 1e-7, 123456789012, Number.MAX_SAFE_INTEGER],
  flags: [true, false, null],
}

/** A thread's message numbers. */
const seqs = (thread: ThreadRecord | undefined) => thread?.messages.map((entry) => entry.seq)
const contents = (thread: ThreadRecord | undefined) =>
  thread?.messages.map((entry) => entry.message)

const codeOf = (error: unknown) =>
  TesseraError.isInstance(error) ? error.code : `not a TesseraError: ${String(error)}`

/**
 * The conformance tests of conversation threads (`capabilities.threads`). Registered by
 * `describeStoreConformance` inside its own `describe`; each test skips itself when the store
 * does not declare threads (the store is created after the tests are registered).
 */
export function describeThreadConformance(getStore: () => StoreV1): void {
  /** The store's thread methods, or a skipped test when it has none. */
  const threadsOf = (context: TestContext): ThreadStore => {
    const store = getStore()
    if (store.capabilities.threads !== true) context.skip()
    return store as StoreV1 & ThreadStore
  }

  describe('threads', () => {
    it('declares threads exactly when it has the four thread methods', () => {
      const store = getStore()
      const present = threadMethods.filter((name) => typeof store[name] === 'function')
      expect(present).toEqual(store.capabilities.threads === true ? [...threadMethods] : [])
    })

    it('numbers appended messages 1, 2, 3, … and reads them back oldest first', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread')
      const first = Date.now()
      expect(
        await store.appendThreadMessages({ threadId, messages: ['a', { b: 2 }], now: first }),
      ).toEqual({ lastSeq: 2 })
      const second = first + 1000
      expect(
        await store.appendThreadMessages({ threadId, messages: ['c', 'd', 'e'], now: second }),
      ).toEqual({ lastSeq: 5 })
      const thread = await store.getThread({ threadId })
      expect(thread).toEqual({
        threadId,
        messages: [
          { seq: 1, message: 'a', createdAt: first },
          { seq: 2, message: { b: 2 }, createdAt: first },
          { seq: 3, message: 'c', createdAt: second },
          { seq: 4, message: 'd', createdAt: second },
          { seq: 5, message: 'e', createdAt: second },
        ],
        lastSeq: 5,
        createdAt: first,
        updatedAt: second,
      })
      expect(thread).not.toHaveProperty('summary')
      // Another thread has its own numbers.
      const other = uniqueId('thread')
      expect(
        await store.appendThreadMessages({ threadId: other, messages: ['x'], now: first }),
      ).toEqual({ lastSeq: 1 })
      expect(seqs(await store.getThread({ threadId }))).toEqual([1, 2, 3, 4, 5])
    })

    it('answers undefined for an unknown thread, and returns copies', async (context) => {
      const store = threadsOf(context)
      expect(await store.getThread({ threadId: uniqueId('no-such-thread') })).toBeUndefined()
      const threadId = uniqueId('thread')
      await store.appendThreadMessages({ threadId, messages: [{ n: 1 }], now: Date.now() })
      const read = await store.getThread({ threadId })
      ;(read!.messages[0]!.message as { n: number }).n = 99
      read!.messages.push({ seq: 2, message: 'forged', createdAt: 0 })
      expect(contents(await store.getThread({ threadId }))).toEqual([{ n: 1 }])
    })

    it('writes nothing for an empty append, and does not create the thread', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread')
      const now = Date.now()
      expect(await store.appendThreadMessages({ threadId, messages: [], now })).toEqual({
        lastSeq: 0,
      })
      expect(await store.getThread({ threadId })).toBeUndefined()
      await store.appendThreadMessages({ threadId, messages: ['a'], now })
      expect(await store.appendThreadMessages({ threadId, messages: [], now: now + 5000 })).toEqual(
        { lastSeq: 1 },
      )
      expect(await store.getThread({ threadId })).toMatchObject({ lastSeq: 1, updatedAt: now })
    })

    it('never loses or repeats a number when two callers append at once', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread')
      const appends: { messages: string[]; lastSeq: number }[] = []
      const caller = async (name: string) => {
        for (let call = 0; call < 12; call++) {
          const messages = Array.from({ length: 1 + (call % 3) }, (_, i) => `${name}-${call}-${i}`)
          const { lastSeq } = await store.appendThreadMessages({
            threadId,
            messages,
            now: Date.now(),
          })
          appends.push({ messages, lastSeq })
        }
      }
      await Promise.all([caller('left'), caller('right'), caller('third')])
      const total = appends.reduce((sum, entry) => sum + entry.messages.length, 0)
      const thread = await store.getThread({ threadId })
      expect(thread?.lastSeq).toBe(total)
      expect(seqs(thread)).toEqual(Array.from({ length: total }, (_, index) => index + 1))
      // Each call's messages have consecutive numbers ending at the lastSeq it was given.
      const bySeq = new Map(thread!.messages.map((entry) => [entry.seq, entry.message]))
      expect(new Set(appends.map((entry) => entry.lastSeq)).size).toBe(appends.length)
      for (const { messages, lastSeq } of appends) {
        const first = lastSeq - messages.length + 1
        expect(messages.map((_, index) => bySeq.get(first + index))).toEqual(messages)
      }
    })

    it('summarises: sets the summary, deletes the messages through it, keeps the later ones', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread')
      const created = Date.now()
      await store.appendThreadMessages({
        threadId,
        messages: ['m1', 'm2', 'm3', 'm4', 'm5'],
        now: created,
      })
      const summarized = created + 10
      expect(
        await store.summarizeThread({
          threadId,
          summary: { text: 'm1–m3 in short' },
          throughSeq: 3,
          now: summarized,
        }),
      ).toEqual({ status: 'summarized' })
      expect(await store.getThread({ threadId })).toEqual({
        threadId,
        summary: { content: { text: 'm1–m3 in short' }, throughSeq: 3, updatedAt: summarized },
        messages: [
          { seq: 4, message: 'm4', createdAt: created },
          { seq: 5, message: 'm5', createdAt: created },
        ],
        lastSeq: 5,
        createdAt: created,
        updatedAt: summarized,
      })
      // Numbering goes on after the summary; a later summary replaces it.
      expect(
        await store.appendThreadMessages({ threadId, messages: ['m6'], now: created + 20 }),
      ).toEqual({ lastSeq: 6 })
      expect(
        await store.summarizeThread({
          threadId,
          summary: 'all six',
          throughSeq: 6,
          now: created + 30,
        }),
      ).toEqual({ status: 'summarized' })
      const thread = await store.getThread({ threadId })
      expect(thread?.summary).toEqual({
        content: 'all six',
        throughSeq: 6,
        updatedAt: created + 30,
      })
      expect(thread?.messages).toEqual([])
      expect(thread?.lastSeq).toBe(6)
      expect(
        await store.appendThreadMessages({ threadId, messages: ['m7'], now: created + 40 }),
      ).toEqual({ lastSeq: 7 })
      expect(seqs(await store.getThread({ threadId }))).toEqual([7])
    })

    it('answers stale and writes nothing for a summary that is behind or ahead of the thread', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread')
      const now = Date.now()
      await store.appendThreadMessages({ threadId, messages: ['a', 'b', 'c', 'd'], now })
      // Ahead of the last message.
      expect(
        await store.summarizeThread({ threadId, summary: 'x', throughSeq: 5, now: now + 1 }),
      ).toEqual({ status: 'stale' })
      const untouched = await store.getThread({ threadId })
      expect(untouched).not.toHaveProperty('summary')
      expect(untouched).toMatchObject({ lastSeq: 4, updatedAt: now })
      expect(seqs(untouched)).toEqual([1, 2, 3, 4])
      await store.summarizeThread({ threadId, summary: 'first two', throughSeq: 2, now: now + 2 })
      const before = await store.getThread({ threadId })
      // Not past the current summary: equal, or behind it.
      for (const throughSeq of [2, 1]) {
        expect(
          await store.summarizeThread({ threadId, summary: 'late', throughSeq, now: now + 3 }),
        ).toEqual({ status: 'stale' })
      }
      expect(await store.getThread({ threadId })).toEqual(before)
      // An unknown thread is not created.
      const unknown = uniqueId('thread')
      expect(
        await store.summarizeThread({ threadId: unknown, summary: 'x', throughSeq: 1, now }),
      ).toEqual({ status: 'stale' })
      expect(await store.getThread({ threadId: unknown })).toBeUndefined()
    })

    it('lets one of two summaries through the same message win', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread')
      const now = Date.now()
      await store.appendThreadMessages({ threadId, messages: ['a', 'b', 'c'], now })
      const results = await Promise.all(
        ['one', 'two'].map((summary) =>
          store.summarizeThread({ threadId, summary, throughSeq: 2, now: now + 1 }),
        ),
      )
      expect(results.map((result) => result.status).sort()).toEqual(['stale', 'summarized'])
      const thread = await store.getThread({ threadId })
      expect(['one', 'two']).toContain(thread?.summary?.content)
      expect(seqs(thread)).toEqual([3])
    })

    it('deletes a thread, and a later append starts a new one at 1', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread')
      const now = Date.now()
      await store.appendThreadMessages({ threadId, messages: ['a', 'b', 'c'], now })
      await store.summarizeThread({ threadId, summary: 's', throughSeq: 1, now })
      expect(await store.deleteThread({ threadId })).toBe(true)
      expect(await store.getThread({ threadId })).toBeUndefined()
      expect(await store.deleteThread({ threadId })).toBe(false)
      expect(await store.deleteThread({ threadId: uniqueId('no-such-thread') })).toBe(false)
      expect(
        await store.appendThreadMessages({ threadId, messages: ['new'], now: now + 1 }),
      ).toEqual({ lastSeq: 1 })
      expect(await store.getThread({ threadId })).toEqual({
        threadId,
        messages: [{ seq: 1, message: 'new', createdAt: now + 1 }],
        lastSeq: 1,
        createdAt: now + 1,
        updatedAt: now + 1,
      })
    })

    it('keeps messages and summaries as JSON: nested values and unicode come back equal', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread-日本語-🌍')
      const now = Date.now()
      const date = new Date(Date.UTC(2024, 1, 29, 12, 0, 0))
      await store.appendThreadMessages({
        threadId,
        messages: [nested, null, 'plain 🙂 text', 42, [], { at: date, gone: undefined, kept: 1 }],
        now,
      })
      await store.appendThreadMessages({ threadId, messages: ['after'], now })
      const thread = await store.getThread({ threadId })
      expect(thread?.threadId).toBe(threadId)
      expect(contents(thread)).toEqual([
        nested,
        null,
        'plain 🙂 text',
        42,
        [],
        { at: date.toISOString(), kept: 1 },
        'after',
      ])
      await store.summarizeThread({ threadId, summary: nested, throughSeq: 6, now })
      expect((await store.getThread({ threadId }))?.summary?.content).toEqual(nested)
      // A null summary is a summary.
      await store.summarizeThread({ threadId, summary: null, throughSeq: 7, now })
      expect((await store.getThread({ threadId }))?.summary).toEqual({
        content: null,
        throughSeq: 7,
        updatedAt: now,
      })
    })

    it('takes a batch of many messages, and ids up to 255 characters', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread').padEnd(255, 'x')
      const now = Date.now()
      const messages = Array.from({ length: 300 }, (_, index) => ({ index, text: `m${index}` }))
      expect(await store.appendThreadMessages({ threadId, messages, now })).toEqual({
        lastSeq: 300,
      })
      await store.summarizeThread({ threadId, summary: 'most', throughSeq: 250, now })
      const thread = await store.getThread({ threadId })
      expect(thread?.threadId).toBe(threadId)
      expect(contents(thread)).toEqual(messages.slice(250))
      expect(seqs(thread)).toEqual(Array.from({ length: 50 }, (_, index) => 251 + index))
    })

    it('refuses bad input with InvalidArgumentError and writes nothing', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread')
      const now = Date.now()
      const cycle: Record<string, unknown> = {}
      cycle.self = cycle
      const bad: [string, () => unknown][] = [
        [
          'append: empty threadId',
          () => store.appendThreadMessages({ threadId: '', messages: ['a'], now }),
        ],
        [
          'append: threadId not a string',
          () => store.appendThreadMessages({ threadId: 7 as never, messages: ['a'], now }),
        ],
        [
          'append: threadId too long',
          () => store.appendThreadMessages({ threadId: 'x'.repeat(256), messages: ['a'], now }),
        ],
        [
          'append: messages not an array',
          () => store.appendThreadMessages({ threadId, messages: 'a' as never, now }),
        ],
        [
          'append: an undefined message',
          () => store.appendThreadMessages({ threadId, messages: ['a', undefined], now }),
        ],
        [
          'append: a BigInt message',
          () => store.appendThreadMessages({ threadId, messages: ['a', 10n], now }),
        ],
        [
          'append: a cyclic message',
          () => store.appendThreadMessages({ threadId, messages: [cycle], now }),
        ],
        [
          'append: a function message',
          () => store.appendThreadMessages({ threadId, messages: [() => 1], now }),
        ],
        [
          'append: now NaN',
          () => store.appendThreadMessages({ threadId, messages: ['a'], now: Number.NaN }),
        ],
        [
          'append: now Infinity',
          () => store.appendThreadMessages({ threadId, messages: ['a'], now: Infinity }),
        ],
        [
          'append: now a string',
          () => store.appendThreadMessages({ threadId, messages: ['a'], now: '1' as never }),
        ],
        ['append: input null', () => store.appendThreadMessages(null as never)],
        ['get: empty threadId', () => store.getThread({ threadId: '' })],
        ['get: input undefined', () => store.getThread(undefined as never)],
        ['delete: empty threadId', () => store.deleteThread({ threadId: '' })],
        [
          'summarize: empty threadId',
          () => store.summarizeThread({ threadId: '', summary: 's', throughSeq: 1, now }),
        ],
        [
          'summarize: throughSeq 0',
          () => store.summarizeThread({ threadId, summary: 's', throughSeq: 0, now }),
        ],
        [
          'summarize: throughSeq 1.5',
          () => store.summarizeThread({ threadId, summary: 's', throughSeq: 1.5, now }),
        ],
        [
          'summarize: throughSeq a string',
          () => store.summarizeThread({ threadId, summary: 's', throughSeq: '1' as never, now }),
        ],
        [
          'summarize: undefined summary',
          () => store.summarizeThread({ threadId, summary: undefined, throughSeq: 1, now }),
        ],
        [
          'summarize: now -Infinity',
          () => store.summarizeThread({ threadId, summary: 's', throughSeq: 1, now: -Infinity }),
        ],
      ]
      for (const [name, call] of bad) {
        expect(`${name}: ${codeOf(await errorOf(call))}`).toBe(`${name}: invalid_argument`)
      }
      expect(await store.getThread({ threadId })).toBeUndefined()
      // A bad message anywhere in a batch refuses the whole batch.
      await store.appendThreadMessages({ threadId, messages: ['ok'], now })
      await errorOf(() => store.appendThreadMessages({ threadId, messages: ['a', undefined], now }))
      expect(await store.getThread({ threadId })).toMatchObject({ lastSeq: 1 })
      const message = (await errorOf(() =>
        store.appendThreadMessages({ threadId, messages: ['a', undefined], now }),
      )) as Error
      expect(message.message).toContain('messages[1]')
    })

    it('keeps threads through purgeRuns (threads are not runs)', async (context) => {
      const store = threadsOf(context)
      const threadId = uniqueId('thread')
      const now = Date.now()
      await store.appendThreadMessages({ threadId, messages: ['kept'], now: 1 })
      await getStore().purgeRuns({
        endedBefore: now + 60_000,
        limit: 1,
        now,
        workflowId: uniqueId('none'),
      })
      expect(contents(await store.getThread({ threadId }))).toEqual(['kept'])
    })
  })
}
