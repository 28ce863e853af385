import {
  InvalidArgumentError,
  ModelCallError,
  parseDuration,
  systemClock,
  type Clock,
  type Duration,
  type LanguageModelV1,
} from '@tessera/core'
import { assertLanguageModel } from './assert-language-model'
import { wrapLanguageModel } from './wrap-language-model'

/** Options of {@link withTimeout}. */
export interface ModelTimeoutOptions {
  /** Injected for tests. Default: the host's timers. */
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>
}

/**
 * Wraps a model so that each call must complete within `timeout`: a `generate()` must answer, a
 * `stream()` must reach its `finish` part. Past it the call is aborted (the model sees its
 * `signal` abort) and rejects with a `ModelCallError` with `failure: 'timeout'`, which is
 * retryable: put `withTimeout` inside {@link withRetry} so that each attempt gets the full time.
 * The caller's own `signal` still works and wins if it aborts first.
 *
 * @example
 * ```ts
 * const model = withRetry(withTimeout(openai('gpt-4o-mini'), '20s'))
 * ```
 */
export function withTimeout(
  model: LanguageModelV1,
  timeout: Duration,
  options: ModelTimeoutOptions = {},
): LanguageModelV1 {
  assertLanguageModel(model, 'withTimeout', 'model')
  const ms = parseDuration(timeout, 'withTimeout.timeout')
  if (ms <= 0) {
    throw new InvalidArgumentError({
      fn: 'withTimeout',
      argument: 'timeout',
      expected: 'a duration > 0',
      received: timeout,
    })
  }
  const clock = options.clock ?? systemClock

  /** A signal that aborts on the caller's abort or at the deadline, and a promise that rejects then. */
  const deadline = (signal: AbortSignal | undefined) => {
    const controller = new AbortController()
    let fail!: (reason: unknown) => void
    const ended = new Promise<never>((_resolve, reject) => (fail = reject))
    ended.catch(() => {})
    const abort = (reason: unknown) => {
      if (controller.signal.aborted) return
      controller.abort(reason)
      fail(reason)
    }
    const onCallerAbort = () => abort(signal!.reason)
    if (signal?.aborted) abort(signal.reason)
    else signal?.addEventListener('abort', onCallerAbort, { once: true })
    const handle = clock.setTimeout(
      () =>
        abort(
          new ModelCallError({
            provider: model.provider,
            modelId: model.modelId,
            failure: 'timeout',
            message: `no complete answer within ${ms} ms (withTimeout)`,
          }),
        ),
      ms,
    )
    return {
      signal: controller.signal,
      ended,
      dispose() {
        clock.clearTimeout(handle)
        signal?.removeEventListener('abort', onCallerAbort)
      },
    }
  }

  return wrapLanguageModel(model, {
    async generate(request) {
      const call = deadline(request.signal)
      try {
        return await Promise.race([model.generate({ ...request, signal: call.signal }), call.ended])
      } finally {
        call.dispose()
      }
    },
    async *stream(request) {
      const call = deadline(request.signal)
      const iterator = model.stream({ ...request, signal: call.signal })[Symbol.asyncIterator]()
      let open = true
      try {
        for (;;) {
          const result = await Promise.race([iterator.next(), call.ended])
          if (result.done) {
            open = false
            return
          }
          yield result.value
        }
      } catch (error) {
        // A failed stream is over. After the deadline (or the caller's abort) the model may
        // never answer again: ask it to close, without waiting.
        if (open && call.signal.aborted) void iterator.return?.()?.catch(() => {})
        open = false
        throw error
      } finally {
        call.dispose()
        if (open) await iterator.return?.()
      }
    },
  })
}
