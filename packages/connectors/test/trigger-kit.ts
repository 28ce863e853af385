// Test helpers of the trigger tests (not exported from the package).
import type { LogFields, Logger } from '@tessera/core'
import { createManualClock, type ManualClock } from '@tessera/core/testing'

/** A manual clock: time moves only with `advance`, which fires due timers in order. */
export type { ManualClock } from '@tessera/core/testing'

/** A {@link ManualClock} that starts at `start` (createManualClock of @tessera/core/testing). */
export function manualClock(start: Date): ManualClock {
  return createManualClock(start)
}

/**
 * Turns the event loop until `predicate` holds. Fails after `maxTurns` turns, but never sooner
 * than 10 s of wall time: turns measure the code under test, yet a first dynamic import (the
 * engine loads its trigger runtime lazily) takes wall time on a busy machine, not turns.
 */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  maxTurns = 5000,
): Promise<void> {
  const floor = Date.now() + 10_000
  for (let turn = 0; turn < maxTurns || Date.now() < floor; turn++) {
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
