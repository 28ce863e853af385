import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  InvalidArgumentError,
  createEngine,
  createMemoryStore,
  createStep,
  createWorkflow,
  type Engine,
  type EngineOptions,
  type StoreV1,
} from '@tessera/core'
import { cronTrigger, triggerStateCollection } from '@tessera/connectors/triggers'
import { manualClock, settle, until } from '../../test/trigger-kit'

const echo = createStep({
  id: 'echo',
  input: z.object({ scheduledAt: z.string() }),
  output: z.object({ scheduledAt: z.string() }),
  run: ({ input }) => input,
})
const tick = createWorkflow({ id: 'cron-tick', input: z.object({ scheduledAt: z.string() }) })
  .then(echo)
  .commit()

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})
const newEngine = (options: EngineOptions) => {
  const engine = createEngine({ recovery: false, ...options })
  engines.push(engine)
  return engine
}

const keysOf = async (store: StoreV1) =>
  (await store.listRuns({ limit: 100 })).runs.map((run) => run.idempotencyKey).sort()

const thrown = (fn: () => unknown): InvalidArgumentError => {
  try {
    fn()
  } catch (error) {
    return error as InvalidArgumentError
  }
  throw new Error('expected a throw')
}

describe('cronTrigger: validation', () => {
  it('refuses a bad cron expression with InvalidArgumentError naming schedule and croner’s reason', () => {
    const error = thrown(() => cronTrigger({ id: 'c', schedule: '61 * * * *', workflow: tick }))
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(error.argument).toBe('schedule')
    expect(error.message).toMatch(/cronTrigger: "schedule" must be a cron expression/)
    expect(error.message).toMatch(/Invalid value for minute: 61/)
    expect(
      thrown(() => cronTrigger({ id: 'c', schedule: 'every day', workflow: tick })).argument,
    ).toBe('schedule')
  })

  it('refuses an unknown time zone, a bad catchUp, id or workflow', () => {
    const zone = thrown(() =>
      cronTrigger({ id: 'c', schedule: '* * * * *', timezone: 'Mars/Olympus', workflow: tick }),
    )
    expect(zone).toBeInstanceOf(InvalidArgumentError)
    expect(zone.argument).toBe('timezone')
    expect(zone.message).toMatch(/"Mars\/Olympus"/)
    expect(
      thrown(() =>
        cronTrigger({ id: 'c', schedule: '* * * * *', workflow: tick, catchUp: 'all' as never }),
      ).argument,
    ).toBe('catchUp')
    expect(
      thrown(() => cronTrigger({ id: '', schedule: '* * * * *', workflow: tick })).argument,
    ).toBe('id')
    expect(
      thrown(() => cronTrigger({ id: 'c', schedule: '* * * * *', workflow: {} as never })).argument,
    ).toBe('workflow')
  })
})

describe('cronTrigger: time zones', () => {
  it('reads the schedule in its time zone across the spring-forward change (computed)', () => {
    const daily = cronTrigger({
      id: 'ny',
      schedule: '0 9 * * *',
      timezone: 'America/New_York',
      workflow: tick,
    })
    // 09:00 New York is 14:00 UTC in winter (EST) and 13:00 UTC from 8 March 2026 (EDT).
    expect(
      daily.nextTicks(3, new Date('2026-03-06T15:00:00Z')).map((d) => d.toISOString()),
    ).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z'])
    // 02:30 does not exist on 8 March in New York: that tick fires at 03:00 EDT.
    const skipped = cronTrigger({
      id: 'ny-skip',
      schedule: '30 2 * * *',
      timezone: 'America/New_York',
      workflow: tick,
    })
    expect(
      skipped.nextTicks(3, new Date('2026-03-07T00:00:00Z')).map((d) => d.toISOString()),
    ).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'])
  })

  it('fires a tick of the repeated hour once at fall-back, and hourly ticks by the hour', () => {
    const early = cronTrigger({
      id: 'ny-fall',
      schedule: '30 1 * * *',
      timezone: 'America/New_York',
      workflow: tick,
    })
    expect(
      early.nextTicks(2, new Date('2026-10-31T12:00:00Z')).map((d) => d.toISOString()),
    ).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'])
    const hourly = cronTrigger({
      id: 'ny-hourly',
      schedule: '0 * * * *',
      timezone: 'America/New_York',
      workflow: tick,
    })
    expect(
      hourly.nextTicks(3, new Date('2026-11-01T04:30:00Z')).map((d) => d.toISOString()),
    ).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z'])
    // UTC by default.
    expect(cronTrigger({ id: 'u', schedule: '0 9 * * *', workflow: tick }).timezone).toBe('UTC')
  })
})

describe('cronTrigger: with a controllable clock', () => {
  it('starts one run per tick, keyed by the scheduled instant, on the engine’s clock', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:30Z'))
    const engine = newEngine({ clock })
    const minutely = cronTrigger({ id: 'minutely', schedule: '* * * * *', workflow: tick })
    await engine.startTrigger(minutely)
    expect(await keysOf(engine.store)).toEqual([])
    clock.advance(30_000)
    await until(async () => (await keysOf(engine.store)).length === 1, 'the first tick')
    clock.advance(60_000)
    await until(async () => (await keysOf(engine.store)).length === 2, 'the second tick')
    expect(await keysOf(engine.store)).toEqual([
      'trigger:minutely:2026-01-01T00:01:00.000Z',
      'trigger:minutely:2026-01-01T00:02:00.000Z',
    ])
    const [run] = (await engine.store.listRuns({ limit: 1 })).runs
    expect(run!.input).toEqual({ scheduledAt: run!.idempotencyKey!.split('minutely:')[1] })
    // The trigger remembers a tick after it started its run.
    const lastTick = async () =>
      (
        (
          await engine.store.getRecord!({
            collection: triggerStateCollection,
            key: 'cron:minutely',
          })
        )?.value as { lastTick?: string } | undefined
      )?.lastTick
    await until(async () => (await lastTick()) === '2026-01-01T00:02:00.000Z', 'the state')
    expect(engine.triggers[0]).toMatchObject({ id: 'minutely', type: 'cron', runs: 2 })
  })

  it('maps the tick with input(), and waits up to the jitter after the tick', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'))
    const engine = newEngine({ clock })
    await engine.startTrigger(
      cronTrigger({
        id: 'jittered',
        schedule: '0 * * * *',
        workflow: tick,
        jitter: '10m',
        input: ({ scheduledAt }) => ({ scheduledAt: `hour ${scheduledAt.getUTCHours()}` }),
      }),
    )
    const [wait] = clock.pending()
    expect(wait).toBeGreaterThanOrEqual(3_600_000)
    expect(wait).toBeLessThan(3_600_000 + 600_000)
    clock.advance(3_600_000 + 600_000)
    await until(async () => (await keysOf(engine.store)).length === 1, 'the jittered tick')
    const [run] = (await engine.store.listRuns({ limit: 1 })).runs
    expect(run!.input).toEqual({ scheduledAt: 'hour 1' })
    expect(run!.idempotencyKey).toBe('trigger:jittered:2026-01-01T01:00:00.000Z')
  })

  it('two workers on one store start one run per tick', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:30Z'))
    const store = createMemoryStore()
    const a = newEngine({ clock, store })
    const b = newEngine({ clock, store })
    await a.startTrigger(cronTrigger({ id: 'shared', schedule: '* * * * *', workflow: tick }))
    await b.startTrigger(cronTrigger({ id: 'shared', schedule: '* * * * *', workflow: tick }))
    for (let minute = 0; minute < 3; minute++) {
      clock.advance(60_000)
      await until(async () => (await keysOf(store)).length === minute + 1, `tick ${minute}`)
    }
    await settle()
    expect(await keysOf(store)).toHaveLength(3)
    expect(a.triggers[0]!.runs + b.triggers[0]!.runs).toBe(3)
  })

  it('catchUp "latest" fires the most recent missed tick once after downtime; "none" skips', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:30Z'))
    const store = createMemoryStore()
    const options = {
      id: 'report',
      schedule: '* * * * *',
      workflow: tick,
      catchUp: 'latest' as const,
    }
    const first = newEngine({ clock, store })
    await first.startTrigger(cronTrigger(options))
    clock.advance(30_000)
    await until(async () => (await keysOf(store)).length === 1, 'the 00:01 tick')
    await first.close()

    // Down from 00:01 to 00:05:30: ticks 00:02–00:05 were missed.
    clock.set(new Date('2026-01-01T00:05:30Z'))
    const skipping = newEngine({ clock, store })
    await skipping.startTrigger(cronTrigger({ ...options, catchUp: 'none' }))
    await settle()
    expect(await keysOf(store)).toHaveLength(1)
    await skipping.close()

    const second = newEngine({ clock, store })
    await second.startTrigger(cronTrigger(options))
    await until(async () => (await keysOf(store)).length === 2, 'the catch-up tick')
    await settle()
    expect(await keysOf(store)).toEqual([
      'trigger:report:2026-01-01T00:01:00.000Z',
      'trigger:report:2026-01-01T00:05:00.000Z',
    ])
    // Restarting again fires nothing more: 00:05 is recorded as fired.
    await second.close()
    const third = newEngine({ clock, store })
    await third.startTrigger(cronTrigger(options))
    await settle()
    expect(await keysOf(store)).toHaveLength(2)
    clock.advance(30_000)
    await until(async () => (await keysOf(store)).length === 3, 'the 00:06 tick')
  })

  it('catchUp on a first start fires nothing, but remembers where it began', async () => {
    const clock = manualClock(new Date('2026-01-01T00:10:30Z'))
    const store = createMemoryStore()
    const engine = newEngine({ clock, store })
    await engine.startTrigger(
      cronTrigger({ id: 'fresh', schedule: '* * * * *', workflow: tick, catchUp: 'latest' }),
    )
    await settle()
    expect(await keysOf(store)).toEqual([])
    expect(
      (await store.getRecord!({ collection: triggerStateCollection, key: 'cron:fresh' }))?.value,
    ).toEqual({ lastTick: '2026-01-01T00:10:00.000Z' })
  })

  it('engine.close() stops the schedule: no run starts afterwards', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:30Z'))
    const store = createMemoryStore()
    const engine = newEngine({ clock, store })
    await engine.startTrigger(
      cronTrigger({ id: 'stopping', schedule: '* * * * *', workflow: tick }),
    )
    clock.advance(30_000)
    await until(async () => (await keysOf(store)).length === 1, 'the first tick')
    await engine.close()
    expect(clock.pending()).toEqual([])
    clock.advance(600_000)
    await settle()
    expect(await keysOf(store)).toHaveLength(1)
    expect(engine.triggers[0]!.state).toBe('stopped')
  })

  it('a tick whose run fails to start is retried until the next tick is due', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:30Z'))
    const inner = createMemoryStore()
    let failures = 2
    const flaky: StoreV1 = Object.assign(Object.create(inner) as StoreV1, {
      createRun: (input: Parameters<StoreV1['createRun']>[0]) =>
        failures-- > 0 ? Promise.reject(new Error('database is locked')) : inner.createRun(input),
    })
    const engine = newEngine({ clock, store: flaky })
    await engine.startTrigger(
      cronTrigger({ id: 'retrying', schedule: '* * * * *', workflow: tick }),
    )
    clock.advance(30_000)
    await until(() => clock.pending().includes(1000), 'the first retry')
    clock.advance(1000)
    await until(() => clock.pending().includes(2000), 'the second retry')
    clock.advance(2000)
    await until(async () => (await keysOf(inner)).length === 1, 'the run')
    expect(await keysOf(inner)).toEqual(['trigger:retrying:2026-01-01T00:01:00.000Z'])
  })
})
