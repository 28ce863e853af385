// Test helper of the SQL conformance runs (not exported from the package): watches the server
// for a slow statement, to tell the conformance suite when it runs and when it has ended.

/** What {@link createStatementWatch} returns. */
export interface StatementWatch {
  /**
   * Polls `isRunning` every 20 ms: `inFlight()` is true once it answered true, `released()`
   * once it answered false after that (the statement ended on the server).
   */
  watch(isRunning: () => Promise<boolean>): { inFlight(): boolean; released(): boolean }
  /** Stops every poll (in afterAll). */
  stop(): void
}

/**
 * Creates a {@link StatementWatch}; a poll that fails is tried again on the next tick.
 *
 * @example
 * ```ts
 * const statements = createStatementWatch()
 * afterAll(() => statements.stop())
 * const { inFlight, released } = statements.watch(async () => (await admin.query(sql)).rowCount! > 0)
 * ```
 */
export function createStatementWatch(): StatementWatch {
  const timers: ReturnType<typeof setInterval>[] = []
  return {
    watch(isRunning) {
      let seen = false
      let gone = false
      let busy = false
      const timer = setInterval(() => {
        if (busy) return
        busy = true
        isRunning()
          .then((running) => {
            if (running) seen = true
            else if (seen) {
              gone = true
              clearInterval(timer)
            }
          })
          .catch(() => undefined)
          .finally(() => (busy = false))
      }, 20)
      timers.push(timer)
      return { inFlight: () => seen, released: () => gone }
    },
    stop() {
      timers.forEach(clearInterval)
    },
  }
}
