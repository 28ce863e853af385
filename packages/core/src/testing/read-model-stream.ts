import type { ModelStreamPart } from '../ports/language-model-v1'

/** What {@link readModelStream} read: every part in order, and the failure that ended it, if any. */
export interface ModelStreamReading {
  parts: ModelStreamPart[]
  error?: unknown
}

/**
 * Reads a model's stream to its end. A failure does not throw: it is returned with the parts
 * read before it, so a test can check both. `onPart` sees each part as it arrives (to abort
 * mid-stream, for instance).
 *
 * @example
 * ```ts
 * const { parts, error } = await readModelStream(model.stream(request))
 * expect(error).toBeUndefined()
 * expect(parts.at(-1)?.type).toBe('finish')
 * ```
 */
export async function readModelStream(
  stream: AsyncIterable<ModelStreamPart>,
  onPart?: (part: ModelStreamPart) => void,
): Promise<ModelStreamReading> {
  const parts: ModelStreamPart[] = []
  try {
    for await (const part of stream) {
      parts.push(part)
      onPart?.(part)
    }
  } catch (error) {
    return { parts, error }
  }
  return { parts }
}
