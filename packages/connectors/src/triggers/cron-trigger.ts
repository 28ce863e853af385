import { Cron } from 'croner'
import {
  InvalidArgumentError,
  ValidationError,
  parseDuration,
  serializeError,
  type Duration,
  type InputOf,
  type TriggerContext,
  type TriggerSubscription,
  type TriggerV1,
  type Workflow,
} from '@tessera/core'
import { checkTriggerBasics, sleep } from './trigger-options'
import { keepsRecords, readTriggerState, writeTriggerState } from './trigger-state'

/**
 * One tick of a cron schedule, as `input` receives it.
 *
 * @example
 * ```ts
 * const input = (tick: CronTick) => ({ day: tick.scheduledAt.toISOString().slice(0, 10) })
 * ```
 */
export interface CronTick {
  /** The instant the schedule named (not when the timer fired). */
  scheduledAt: Date
}

/**
 * Options of {@link cronTrigger}.
 *
 * @example
 * ```ts
 * const options: CronTriggerOptions<typeof report> = { id: 'nightly-report', schedule: '0 2 * * *', timezone: 'Europe/Berlin', workflow: report }
 * ```
 */
export interface CronTriggerOptions<W extends Workflow = Workflow> {
  /** Unique per engine and stable across deploys: it is part of every run's idempotency key. */
  id: string
  /**
   * A cron expression: 5 fields (`minute hour day month weekday`), or 6 with seconds first
   * (`*\/10 * * * * *`); croner's syntax (`L`, `W`, `#`, nicknames such as `@daily`).
   */
  schedule: string
  /** The IANA time zone the schedule is read in (`America/New_York`). Default `UTC`. */
  timezone?: string
  /** The workflow each tick starts. */
  workflow: W
  /** The run's input for a tick. Default `{ scheduledAt: '<ISO instant>' }`. */
  input?: (tick: CronTick) => InputOf<W>
  /**
   * After downtime, `latest` fires the most recent missed tick once when the trigger starts
   * (the last fired tick is kept in the store's records); `none` (default) skips missed ticks.
   */
  catchUp?: 'none' | 'latest'
  /**
   * Waits a random delay up to this long after each tick before starting its run, to spread
   * load. The run's idempotency key stays the scheduled instant. Default 0.
   */
  jitter?: Duration
  description?: string
}

/**
 * A cron trigger: a {@link TriggerV1} of type `cron` (see {@link cronTrigger}).
 *
 * @example
 * ```ts
 * const nightly: CronTrigger = cronTrigger({ id: 'nightly', schedule: '0 2 * * *', workflow: report })
 * nightly.nextTicks(3) // the next three instants
 * ```
 */
export interface CronTrigger<W extends Workflow = Workflow> extends TriggerV1 {
  readonly type: 'cron'
  readonly workflow: W
  readonly schedule: string
  readonly timezone: string
  /**
   * The next `count` ticks strictly after `from` (default: now), as instants. Computed, not
   * waited: handy to show a schedule, or to check one across a daylight-saving change.
   */
  nextTicks(count: number, from?: Date): Date[]
}

// Timers are armed for at most this long and re-armed, so far ticks never overflow setTimeout.
const maxTimerMs = 3_600_000

/**
 * A trigger that starts a run of `workflow` on every tick of a cron schedule, in a time zone.
 *
 * Several workers may run the same cron trigger: each tick's run has the idempotency key
 * `trigger:<id>:<scheduled ISO instant>`, so the first worker to fire a tick creates its run and
 * the others get that same run back. The last fired tick is kept in the store's records
 * (`tessera.triggers`/`cron:<id>`, compare-and-set) for `catchUp: 'latest'`. A run that fails
 * to start (the store is down) is retried with backoff until the next tick is due.
 *
 * Invalid `schedule` or `timezone` throw `InvalidArgumentError` naming the field, with croner's
 * reason. Daylight-saving: a tick in the skipped hour fires at the first instant after it (02:30
 * on a spring-forward night fires at 03:00), a tick in the repeated hour fires once.
 *
 * @example
 * ```ts
 * import { createEngine, createWorkflow } from '@tessera/core'
 * import { cronTrigger } from '@tessera/connectors/triggers'
 * import { z } from 'zod'
 *
 * const report = createWorkflow({ id: 'nightly-report', input: z.object({ scheduledAt: z.string() }) })
 *   .then(buildReport)
 *   .commit()
 * const nightly = cronTrigger({ id: 'nightly-report', schedule: '0 2 * * *', timezone: 'Europe/Berlin', workflow: report })
 * const engine = createEngine({ store, triggers: [nightly] })
 * ```
 */
export function cronTrigger<W extends Workflow>(options: CronTriggerOptions<W>): CronTrigger<W> {
  checkTriggerBasics('cronTrigger', options)
  const timezone = options.timezone ?? 'UTC'
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone })
  } catch (error) {
    throw new InvalidArgumentError({
      fn: 'cronTrigger',
      argument: 'timezone',
      expected: `an IANA time zone such as "America/New_York" (${(error as Error).message})`,
      received: options.timezone,
    })
  }
  let cron: Cron
  try {
    if (typeof options.schedule !== 'string') throw new Error('not a string')
    cron = new Cron(options.schedule, { timezone })
  } catch (error) {
    throw new InvalidArgumentError({
      fn: 'cronTrigger',
      argument: 'schedule',
      expected: `a cron expression such as "0 2 * * *" (${(error as Error).message})`,
      received: options.schedule,
    })
  }
  const catchUp = options.catchUp ?? 'none'
  if (catchUp !== 'none' && catchUp !== 'latest') {
    throw new InvalidArgumentError({
      fn: 'cronTrigger',
      argument: 'catchUp',
      expected: '"none" or "latest"',
      received: options.catchUp,
    })
  }
  const jitterMs =
    options.jitter === undefined ? 0 : parseDuration(options.jitter, 'cronTrigger.jitter')
  const inputFor =
    options.input ?? ((tick: CronTick) => ({ scheduledAt: tick.scheduledAt.toISOString() }))
  const stateKey = `cron:${options.id}`

  const start = async (context: TriggerContext): Promise<TriggerSubscription> => {
    const { clock, logger, signal, store } = context
    const records = keepsRecords(store)
    let timer: unknown
    const firing = new Set<Promise<void>>()

    const remember = async (tick: Date) => {
      if (!records) return
      // The record only moves forward; a conflict means another worker wrote: read it again.
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await readTriggerState(store, stateKey)
        const last = (current?.value as { lastTick?: string } | undefined)?.lastTick
        if (last !== undefined && Date.parse(last) >= tick.getTime()) return
        const value = { lastTick: tick.toISOString() }
        if (await writeTriggerState(store, stateKey, value, current?.revision ?? 0, clock.now()))
          return
      }
    }

    const fire = async (tick: Date) => {
      const scheduledAt = tick.toISOString()
      let input: unknown
      try {
        input = inputFor({ scheduledAt: new Date(tick) })
      } catch (error) {
        logger.error('Cron input function threw; tick skipped', {
          scheduledAt,
          error: serializeError(error),
        })
        return
      }
      for (let delayMs = 1000; !signal.aborted; delayMs *= 2) {
        try {
          await context.startRun(input, { idempotencyKey: scheduledAt })
          await remember(tick)
          return
        } catch (error) {
          if (signal.aborted) return
          logger.error('Cron tick failed to start a run', {
            scheduledAt,
            error: serializeError(error),
          })
          const next = cron.nextRun(tick)
          if (ValidationError.isInstance(error)) return
          if (next && clock.now() + delayMs >= next.getTime()) return
          await sleep(clock, delayMs, signal)
        }
      }
    }

    const track = (promise: Promise<void>) => {
      firing.add(promise)
      void promise.finally(() => firing.delete(promise))
      return promise
    }

    const arm = (tick: Date, dueAt: number) => {
      if (signal.aborted) return
      timer = clock.setTimeout(
        () => {
          timer = undefined
          if (clock.now() < dueAt) return arm(tick, dueAt)
          void track(fire(tick))
          // The next tick is armed at once: a slow start (or its retries) never delays it.
          scheduleAfter(Math.max(clock.now(), tick.getTime()))
        },
        Math.min(Math.max(0, dueAt - clock.now()), maxTimerMs),
      )
      ;(timer as { unref?: () => void }).unref?.()
    }

    const scheduleAfter = (from: number) => {
      const next = cron.nextRun(new Date(from))
      if (next) arm(next, next.getTime() + Math.floor(Math.random() * jitterMs))
    }

    if (catchUp === 'latest' && !records) {
      logger.warn('catchUp "latest" needs a store that keeps records; missed ticks are skipped')
    }
    if (catchUp === 'latest' && records) {
      const [latest] = cron.previousRuns(1, new Date(clock.now()))
      const current = await readTriggerState(store, stateKey)
      const last = (current?.value as { lastTick?: string } | undefined)?.lastTick
      if (latest && last !== undefined && Date.parse(last) < latest.getTime()) {
        logger.info('Cron trigger catches up on a missed tick', {
          scheduledAt: latest.toISOString(),
        })
        void track(fire(latest))
      } else if (latest && current === undefined) {
        // First start: nothing was missed, but a later start must know where this one began.
        await writeTriggerState(store, stateKey, { lastTick: latest.toISOString() }, 0, clock.now())
      }
    }
    scheduleAfter(clock.now())

    return {
      async stop() {
        if (timer !== undefined) clock.clearTimeout(timer)
        timer = undefined
        await Promise.allSettled([...firing])
      },
    }
  }

  return {
    specificationVersion: 'v1',
    kind: 'trigger',
    type: 'cron',
    id: options.id,
    description: options.description,
    workflow: options.workflow,
    schedule: options.schedule,
    timezone,
    nextTicks: (count, from) => cron.nextRuns(count, from ?? new Date()),
    start,
  }
}
