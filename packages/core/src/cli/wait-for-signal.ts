import process from 'node:process'

/**
 * Resolves with the first of `signals` the process receives, keeping the process alive until
 * then. From then on the handlers are gone: a second Ctrl-C while closing gets Node's default
 * behaviour (the process ends at once).
 *
 * @example
 * ```ts
 * const signal = await waitForSignal()
 * console.log(`received ${signal}, closing`)
 * ```
 */
export function waitForSignal(
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    // Signal listeners do not keep Node running: a worker on an idle in-memory queue has nothing
    // else that does, and would exit at once.
    const keepAlive = setInterval(() => undefined, 2 ** 30)
    const handler = (signal: NodeJS.Signals) => {
      for (const name of signals) process.off(name, handler)
      clearInterval(keepAlive)
      resolve(signal)
    }
    for (const name of signals) process.on(name, handler)
  })
}
