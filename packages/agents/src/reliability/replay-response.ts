import type { ModelResponse, ModelStreamPart } from '@tessera/core'

/**
 * The parts a stream of `response` would have yielded: its text as word-sized `text-delta`
 * parts, each tool call as one `tool-call-delta`, then the `finish` part with the response.
 * Stops with the signal's reason once `signal` aborts. Response caches and scripted models
 * stream stored answers with it.
 *
 * @example
 * ```ts
 * for (const part of replayResponse(stored, request.signal)) yield part
 * ```
 */
export function* replayResponse(
  response: ModelResponse,
  signal: AbortSignal | undefined,
): Generator<ModelStreamPart> {
  for (const part of response.content) {
    signal?.throwIfAborted()
    if (part.type === 'text') {
      for (const delta of part.text.split(/(?=\s(?=\S))/)) {
        if (delta.length > 0) yield { type: 'text-delta', delta }
      }
    } else if (part.type === 'tool-call') {
      yield {
        type: 'tool-call-delta',
        toolCallId: part.toolCallId,
        toolName: part.toolName,
        inputDelta: JSON.stringify(part.input),
      }
    }
  }
  signal?.throwIfAborted()
  yield { type: 'finish', response }
}
