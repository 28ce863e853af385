import type { Clock } from '@tessera/core'

/** A clock for tests: time moves only when `advance` is called, and due timers fire then. */
export interface ManualClock extends Clock {
  advance(ms: number): void
  /** Timers set and not yet fired or cleared. */
  readonly pending: number
}

export function createManualClock(start = 0): ManualClock {
  let now = start
  let nextId = 1
  const timers = new Map<number, { at: number; callback: () => void }>()
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++
      timers.set(id, { at: now + ms, callback })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    advance(ms) {
      const until = now + ms
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, timer]) => timer.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0]
        if (!due) break
        timers.delete(due[0])
        now = due[1].at
        due[1].callback()
      }
      now = until
    },
    get pending() {
      return timers.size
    },
  }
}
