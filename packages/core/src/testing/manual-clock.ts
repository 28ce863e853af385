import type { Clock } from '../ports/clock'

/**
 * A {@link Clock} whose time moves only when a test says so: `advance` fires the timers that
 * fall due, in order of their due time, each seeing its own time as `now()`.
 *
 * @example
 * ```ts
 * const clock: ManualClock = createManualClock(new Date('2024-05-01T00:00:00Z'))
 * ```
 */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing every timer due by then. */
  advance(ms: number): void
  /** Moves time forward to `at` (a Date or epoch milliseconds), firing the timers due by then. */
  set(at: Date | number): void
  /** The delays, from now, of the timers still pending. */
  pending(): number[]
}

/**
 * Creates a {@link ManualClock} that starts at `start` (a Date or epoch milliseconds), to pass
 * as the engine's or a trigger's `clock` so that timers, retries and schedules run without
 * waiting.
 *
 * @example
 * ```ts
 * import { createManualClock } from '@tessera/core/testing'
 *
 * const clock = createManualClock(new Date('2024-05-01T09:00:00Z'))
 * const engine = createEngine({ clock })
 * clock.advance(60_000) // fires the timers due in the next minute
 * ```
 */
export function createManualClock(start: Date | number = 0): ManualClock {
  let now = typeof start === 'number' ? start : start.getTime()
  let nextId = 1
  const timers = new Map<number, { at: number; callback: () => void }>()
  const clock: ManualClock = {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++
      timers.set(id, { at: now + Math.max(0, ms), callback })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    advance(ms) {
      const target = now + ms
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | undefined
        for (const entry of timers)
          if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry
        if (!due) break
        timers.delete(due[0])
        now = Math.max(now, due[1].at)
        due[1].callback()
      }
      now = target
    },
    set(at) {
      clock.advance((typeof at === 'number' ? at : at.getTime()) - now)
    },
    pending: () => [...timers.values()].map((timer) => timer.at - now),
  }
  return clock
}
