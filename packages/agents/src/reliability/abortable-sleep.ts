import { systemClock, type Clock } from '@tessera/core'

/**
 * Waits `ms` milliseconds; rejects with the signal's reason as soon as `signal` aborts. Layers
 * take it as an option so that tests can record the waits instead of sleeping.
 *
 * @example
 * ```ts
 * const waits: number[] = []
 * const model = withRetry(base, { sleep: async (ms) => void waits.push(ms) })
 * ```
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

/**
 * The default {@link Sleep}: a timer of `clock` (the host's timers by default), cleared when
 * `signal` aborts.
 *
 * @example
 * ```ts
 * await abortableSleep(500, request.signal) // rejects with the signal's reason if it aborts first
 * ```
 */
export function abortableSleep(
  ms: number,
  signal?: AbortSignal,
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'> = systemClock,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clock.clearTimeout(handle)
      reject(signal!.reason)
    }
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
