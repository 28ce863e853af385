import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConnectorError,
  InvalidArgumentError,
  createEngine,
  createMemoryStore,
  createStep,
  createWorkflow,
  mapSecrets,
  type Engine,
  type EngineOptions,
  type StoreV1,
} from '@tessera/core'
import { pollTrigger, triggerStateCollection } from '@tessera/connectors/triggers'
import { manualClock, memoryLogger, settle, until } from '../../test/trigger-kit'

const item = z.object({ id: z.number(), title: z.string() })
const handle = createStep({ id: 'handle', input: item, output: item, run: ({ input }) => input })
const triage = createWorkflow({ id: 'poll-triage', input: item }).then(handle).commit()

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})
const newEngine = (options: EngineOptions = {}) => {
  const engine = createEngine({ recovery: false, ...options })
  engines.push(engine)
  return engine
}

const keysOf = async (store: StoreV1) =>
  (await store.listRuns({ limit: 100 })).runs.map((run) => run.idempotencyKey).sort()

/** A remote list the poll reads from: items after the cursor, `page` at a time. */
function remote(count: number, page = 100) {
  const items = Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    title: `item ${index + 1}`,
  }))
  const cursors: (number | undefined)[] = []
  return {
    items,
    cursors,
    poll: async ({ cursor }: { cursor: number | undefined }) => {
      cursors.push(cursor)
      const after = items.filter((entry) => entry.id > (cursor ?? 0))
      const slice = after.slice(0, page)
      return {
        items: slice,
        cursor: slice.at(-1)?.id ?? cursor ?? 0,
        more: after.length > page,
      }
    },
  }
}

describe('pollTrigger', () => {
  it('validates its options', () => {
    const base = {
      id: 'p',
      interval: '1m' as const,
      workflow: triage,
      poll: remote(0).poll,
      key: String,
    }
    expect(() => pollTrigger({ ...base, interval: 'soon' as never })).toThrow(InvalidArgumentError)
    expect(() => pollTrigger({ ...base, key: undefined as never })).toThrow(
      /pollTrigger: "key" must be a function/,
    )
    expect(() => pollTrigger({ ...base, id: 'a b' })).toThrow(/pollTrigger: "id"/)
  })

  it('polls at once, then every interval; one run per new item; the cursor is stored', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'))
    const source = remote(3)
    const engine = newEngine({ clock })
    await engine.startTrigger(
      pollTrigger({
        id: 'issues',
        interval: '1m',
        workflow: triage,
        poll: source.poll,
        key: (entry) => String(entry.id),
      }),
    )
    await until(async () => (await keysOf(engine.store)).length === 3, 'three runs')
    expect(await keysOf(engine.store)).toEqual([
      'trigger:issues:1',
      'trigger:issues:2',
      'trigger:issues:3',
    ])
    await until(() => clock.pending().includes(60_000), 'the next poll to be armed')
    source.items.push({ id: 4, title: 'item 4' })
    clock.advance(60_000)
    await until(async () => (await keysOf(engine.store)).length === 4, 'the fourth run')
    expect(source.cursors).toEqual([undefined, 3])
    const state = await engine.store.getRecord!({
      collection: triggerStateCollection,
      key: 'poll:issues',
    })
    expect(state?.value).toEqual({ cursor: 4 })
  })

  it('follows `more` at once, uses input() and initialCursor', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'))
    const source = remote(7, 2)
    const engine = newEngine({ clock })
    await engine.startTrigger(
      pollTrigger({
        id: 'paged',
        interval: '1h',
        workflow: triage,
        initialCursor: 2,
        poll: source.poll,
        key: (entry) => `issue-${entry.id}`,
        input: (entry) => ({ ...entry, title: entry.title.toUpperCase() }),
      }),
    )
    await until(async () => (await keysOf(engine.store)).length === 5, 'items 3–7')
    expect(source.cursors).toEqual([2, 4, 6])
    const inputs = (await engine.store.listRuns({ limit: 10 })).runs.map((run) => run.input)
    expect(inputs).toContainEqual({ id: 7, title: 'ITEM 7' })
  })

  it('skips an item the workflow refuses, and backs off after poll failures', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'))
    const logger = memoryLogger()
    let calls = 0
    const engine = newEngine({ clock, logger })
    await engine.startTrigger(
      pollTrigger<typeof triage, { id: number; title?: string }, number>({
        id: 'flaky',
        interval: '10s',
        workflow: triage,
        poll: async ({ cursor }) => {
          calls++
          if (calls >= 2 && calls <= 3) throw new Error('HTTP 503 from the tracker')
          return cursor === undefined
            ? { items: [{ id: 1 }, { id: 2, title: 'ok' }], cursor: 2 }
            : { items: [{ id: 3, title: 'later' }], cursor: 3 }
        },
        key: (entry) => String(entry.id),
        input: (entry) => entry as { id: number; title: string },
      }),
    )
    await until(async () => (await keysOf(engine.store)).length === 1, 'the valid item')
    expect(await keysOf(engine.store)).toEqual(['trigger:flaky:2'])
    expect(logger.lines.some((line) => /refused by the workflow input/.test(line.message))).toBe(
      true,
    )
    await until(() => clock.pending().includes(10_000), 'the next poll')
    clock.advance(10_000)
    await until(() => clock.pending().includes(20_000), 'the first backoff')
    clock.advance(20_000)
    await until(() => clock.pending().includes(40_000), 'the second backoff')
    clock.advance(40_000)
    await until(async () => (await keysOf(engine.store)).length === 2, 'the run after recovery')
    const failures = logger.lines.filter((line) => line.message === 'Poll failed; backing off')
    expect(failures.map((line) => line.fields.failures)).toEqual([1, 2])
    expect(JSON.stringify(failures)).toMatch(/HTTP 503/)
    await settle()
    expect(clock.pending()).toContain(10_000)
  })

  it('gives poll() the engine’s secrets', async () => {
    const tokens: (string | undefined)[] = []
    const engine = newEngine({ secrets: mapSecrets({ TRACKER_TOKEN: 'tracker-token-1' }) })
    await engine.startTrigger(
      pollTrigger({
        id: 'authorised',
        interval: '1h',
        workflow: triage,
        poll: async ({ secret }) => {
          tokens.push(await secret('TRACKER_TOKEN'), await secret('MISSING'))
          return { items: [{ id: 1, title: 'one' }], cursor: 1 }
        },
        key: (entry) => String(entry.id),
      }),
    )
    await until(async () => (await keysOf(engine.store)).length === 1, 'the run')
    expect(tokens).toEqual(['tracker-token-1', undefined])
  })

  it('needs a store that keeps records', async () => {
    const inner = createMemoryStore()
    const noRecords: StoreV1 = Object.assign(Object.create(inner) as StoreV1, {
      capabilities: { ...inner.capabilities, records: false },
    })
    const engine = newEngine({ store: noRecords })
    const error = await engine
      .startTrigger(
        pollTrigger({
          id: 'p',
          interval: '1m',
          workflow: triage,
          poll: remote(1).poll,
          key: String,
        }),
      )
      .catch((caught: unknown) => caught)
    expect(ConnectorError.isInstance(error)).toBe(true)
    expect((error as ConnectorError).reason).toBe('invalid-config')
    expect((error as Error).message).toMatch(/capabilities\.records/)
  })

  it('engine.close() stops polling', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'))
    const source = remote(1)
    const engine = newEngine({ clock })
    await engine.startTrigger(
      pollTrigger({
        id: 'p',
        interval: '1m',
        workflow: triage,
        poll: source.poll,
        key: (entry) => String(entry.id),
      }),
    )
    await until(() => clock.pending().includes(60_000), 'the second poll to be armed')
    await engine.close()
    expect(clock.pending()).toEqual([])
    clock.advance(600_000)
    await settle()
    expect(source.cursors).toHaveLength(1)
  })
})
