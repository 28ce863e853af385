import process from 'node:process'
import type { Engine } from '../runtime/engine'

/** Options of {@link closeOnSignals}. */
export interface CloseOnSignalsOptions {
  /** Default: SIGINT and SIGTERM. */
  signals?: NodeJS.Signals[]
  /** Exit code after a clean close. Default 0; `false` leaves the process running. */
  exitCode?: number | false
  /** Called if closing throws. Default: print and exit 1. */
  onError?: (error: unknown) => void
}

/**
 * Closes the engine gracefully on SIGINT/SIGTERM: the worker stops taking tasks and waits for
 * the steps in progress, so a deploy never cuts a step in half. Returns a function that removes
 * the handlers.
 *
 * @example
 * ```ts
 * import { closeOnSignals } from '@tessera/core/node'
 * closeOnSignals(engine)
 * ```
 */
export function closeOnSignals(engine: Engine, options: CloseOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM']
  let closing = false
  const handler = () => {
    if (closing) return
    closing = true
    engine.close().then(
      () => {
        if (options.exitCode !== false) process.exit(options.exitCode ?? 0)
      },
      (error: unknown) => {
        if (options.onError) options.onError(error)
        else {
          console.error('[tessera] closing the engine failed', error)
          process.exit(1)
        }
      },
    )
  }
  for (const signal of signals) process.on(signal, handler)
  return () => {
    for (const signal of signals) process.off(signal, handler)
  }
}
