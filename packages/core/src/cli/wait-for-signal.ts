import process from 'node:process'

/**
 * Resolves with the first of `signals` the process receives, and from then on the handlers are
 * gone: a second Ctrl-C while closing gets Node's default behaviour (the process ends at once).
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
    const handler = (signal: NodeJS.Signals) => {
      for (const name of signals) process.off(name, handler)
      resolve(signal)
    }
    for (const name of signals) process.on(name, handler)
  })
}
