import { InvalidArgumentError, type LanguageModelV1 } from '@tessera/core'

/**
 * Throws an {@link InvalidArgumentError} naming `fn` and `argument` unless `value` looks like a
 * {@link LanguageModelV1} (version `v1`, with `generate` and `stream`).
 *
 * @example
 * ```ts
 * assertLanguageModel(model, 'withRetry', 'model')
 * ```
 */
export function assertLanguageModel(
  value: unknown,
  fn: string,
  argument: string,
): asserts value is LanguageModelV1 {
  const model = value as Partial<LanguageModelV1> | null
  if (
    typeof model !== 'object' ||
    model === null ||
    model.specificationVersion !== 'v1' ||
    typeof model.generate !== 'function' ||
    typeof model.stream !== 'function'
  ) {
    throw new InvalidArgumentError({
      fn,
      argument,
      expected: 'a LanguageModelV1 (specificationVersion "v1", generate and stream)',
      received: value,
    })
  }
}
