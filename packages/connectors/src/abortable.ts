/**
 * Resolves like `promise`, or rejects with the signal's reason as soon as `signal` aborts; a
 * value that arrives after the abort goes to `late` (to release a pooled connection, say). The
 * work behind `promise` is not stopped: the caller cancels it its own way.
 *
 * @example
 * ```ts
 * const client = await abortable(pool.connect(), signal, (late) => late.release())
 * const reply = await abortable(redis.get(key), signal)
 * ```
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  late: (value: T) => void = () => undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        if (signal.aborted) late(value)
        else resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
