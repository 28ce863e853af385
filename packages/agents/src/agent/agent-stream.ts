import type { AgentEvent } from './agent-event'

/**
 * The events of a running agent, as an async iterable, and its result. Breaking out of the
 * iteration cancels the run (its `result` then rejects with the abort reason).
 */
export interface AgentStream<TResult> extends AsyncIterable<AgentEvent> {
  /** Settles when the run ends, whether or not the events are read. */
  readonly result: Promise<TResult>
}

/**
 * Starts `run` with an event sink and a signal, and exposes its events as an async iterable.
 * Events are buffered until read; the iteration ends when the run does, and throws its error.
 *
 * @example
 * ```ts
 * const stream = createAgentStream((emit, signal) => runLoop({ emit, signal }), options.signal)
 * for await (const event of stream) if (event.type === 'text-delta') process.stdout.write(event.delta)
 * ```
 */
export function createAgentStream<TResult>(
  run: (emit: (event: AgentEvent) => void, signal: AbortSignal) => Promise<TResult>,
  outerSignal: AbortSignal | undefined,
): AgentStream<TResult> {
  const controller = new AbortController()
  const forwardAbort = () => controller.abort(outerSignal?.reason)
  if (outerSignal?.aborted) controller.abort(outerSignal.reason)
  else outerSignal?.addEventListener('abort', forwardAbort, { once: true })

  const buffer: AgentEvent[] = []
  let waiting: (() => void) | undefined
  let done = false
  let failure: { error: unknown } | undefined
  const wake = () => {
    const resolve = waiting
    waiting = undefined
    resolve?.()
  }

  const result = (async () => {
    try {
      return await run((event) => {
        buffer.push(event)
        wake()
      }, controller.signal)
    } catch (error) {
      failure = { error }
      throw error
    } finally {
      done = true
      outerSignal?.removeEventListener('abort', forwardAbort)
      wake()
    }
  })()
  // Reading only the events must not leave an unhandled rejection behind.
  result.catch(() => undefined)

  return {
    result,
    [Symbol.asyncIterator](): AsyncIterator<AgentEvent> {
      return {
        async next() {
          for (;;) {
            const event = buffer.shift()
            if (event !== undefined) return { value: event, done: false }
            if (done) {
              if (failure !== undefined) throw failure.error
              return { value: undefined, done: true }
            }
            await new Promise<void>((resolve) => (waiting = resolve))
          }
        },
        async return() {
          if (!done) {
            controller.abort(
              new DOMException('The agent stream was closed before the run ended', 'AbortError'),
            )
          }
          return { value: undefined, done: true }
        },
      }
    },
  }
}
