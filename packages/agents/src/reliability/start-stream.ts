import type { LanguageModelV1, ModelRequest, ModelStreamPart } from '@tessera/core'

/** A stream whose first part has arrived (or which ended at once), ready to be read on. */
export interface StartedStream {
  readonly first: IteratorResult<ModelStreamPart>
  readonly iterator: AsyncIterator<ModelStreamPart>
}

/**
 * Opens `model.stream(request)` and waits for its first part. A failure before that part (the
 * request was refused, the connection failed) rejects this promise, so a layer can still retry
 * or fall back; once a part has come, the caller has seen output and nothing is replayed.
 *
 * @example
 * ```ts
 * const started = await startStream(model, request) // throws if the stream fails before its first part
 * yield* resumeStream(started)
 * ```
 */
export async function startStream(
  model: LanguageModelV1,
  request: ModelRequest,
): Promise<StartedStream> {
  const iterator = model.stream(request)[Symbol.asyncIterator]()
  const first = await iterator.next()
  return { first, iterator }
}

/**
 * Yields the parts of a {@link StartedStream}, the first one included, each passed through
 * `transform`. Stopping early (a `break` in `for await`) closes the underlying stream.
 *
 * @example
 * ```ts
 * yield* resumeStream(started, (part) => part.type === 'finish' ? withCost(part) : part)
 * ```
 */
export async function* resumeStream(
  started: StartedStream,
  transform: (part: ModelStreamPart) => ModelStreamPart = (part) => part,
): AsyncGenerator<ModelStreamPart> {
  const { iterator } = started
  let result = started.first
  // True while the consumer holds the stream open: only then does stopping early close it.
  let open = !result.done
  try {
    while (!result.done) {
      yield transform(result.value)
      open = false
      result = await iterator.next()
      open = !result.done
    }
  } finally {
    if (open) await iterator.return?.()
  }
}
