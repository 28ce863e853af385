// Test helpers of the trigger tests (not exported from the package).
import type { Clock, LogFields, Logger } from '@tessera/core'

/** A manual clock: time moves only with `advance`, which fires due timers in order. */
export interface ManualClock extends Clock {
  advance(ms: number): void
  set(at: Date): void
  pending(): number[]
}

export function manualClock(start: Date): ManualClock {
  let now = start.getTime()
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
      clock.advance(at.getTime() - now)
    },
    pending: () => [...timers.values()].map((timer) => timer.at - now),
  }
  return clock
}

/** Turns the event loop until `predicate` holds; throws after `maxTurns` turns. */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  maxTurns = 5000,
): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (await predicate()) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`Timed out waiting for ${what}`)
}

/** Lets the event loop turn a few times (no wall time). */
export async function settle(turns = 20): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve))
}

/** A logger that keeps every line. */
export function memoryLogger(): Logger & {
  lines: { level: string; message: string; fields: LogFields }[]
} {
  const lines: { level: string; message: string; fields: LogFields }[] = []
  const make = (bindings: LogFields): Logger => ({
    debug: (message, fields) =>
      lines.push({ level: 'debug', message, fields: { ...bindings, ...fields } }),
    info: (message, fields) =>
      lines.push({ level: 'info', message, fields: { ...bindings, ...fields } }),
    warn: (message, fields) =>
      lines.push({ level: 'warn', message, fields: { ...bindings, ...fields } }),
    error: (message, fields) =>
      lines.push({ level: 'error', message, fields: { ...bindings, ...fields } }),
    child: (more) => make({ ...bindings, ...more }),
  })
  return Object.assign(make({}), { lines })
}

/**
 * Waits on the real clock until `predicate` holds, checking every 10 ms. The fail-safe only
 * turns a hang into a clear failure; no test measures it.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  failSafeMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + failSafeMs
  while (Date.now() < deadline) {
    if (await predicate()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`Timed out waiting for ${what}`)
}
