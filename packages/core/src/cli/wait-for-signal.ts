import process from 'node:process'

/** What {@link waitForSignal} returns. */
export interface SignalWait {
  /** Resolves with the first signal received. */
  received: Promise<NodeJS.Signals>
  /** Stops listening and keeping the process alive (once closed, or when starting failed). */
  dispose(): void
}

/**
 * Listens for the first of `signals` and keeps the process alive until `dispose()` (signal
 * listeners do not: a worker on an idle in-memory queue would exit at once). After the first
 * signal the handlers are gone, so a second Ctrl-C while closing gets Node's default behaviour
 * (the process ends at once). Call it before printing anything a supervisor may answer with a
 * signal.
 *
 * @example
 * ```ts
 * const wait = waitForSignal()
 * console.log(`received ${await wait.received}, closing`)
 * await engine.close()
 * wait.dispose()
 * ```
 */
export function waitForSignal(
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): SignalWait {
  let resolve!: (signal: NodeJS.Signals) => void
  const received = new Promise<NodeJS.Signals>((settle) => (resolve = settle))
  const keepAlive = setInterval(() => undefined, 2 ** 30)
  const stopListening = () => {
    for (const name of signals) process.off(name, handler)
  }
  const handler = (signal: NodeJS.Signals) => {
    stopListening()
    resolve(signal)
  }
  const dispose = () => {
    stopListening()
    clearInterval(keepAlive)
  }
  for (const name of signals) process.on(name, handler)
  return { received, dispose }
}
