import type { LanguageModelV1, ModelRequest, ModelResponse, ModelStreamPart } from '@tessera/core'

/** What a layer does around a model's calls. */
export interface LanguageModelLayer {
  generate(request: ModelRequest): Promise<ModelResponse>
  /** An async generator: nothing runs until the caller reads the stream. */
  stream(request: ModelRequest): AsyncGenerator<ModelStreamPart>
}

/**
 * A model that answers through `layer` and is otherwise `model`: the same provider, model id
 * and capabilities. The `with*` layers (retry, timeout, rate limit, cost, context check, cache)
 * are built with it.
 *
 * @example
 * ```ts
 * const counted = wrapLanguageModel(model, {
 *   generate: (request) => {
 *     calls++
 *     return model.generate(request)
 *   },
 *   async *stream(request) {
 *     calls++
 *     yield* model.stream(request)
 *   },
 * })
 * ```
 */
export function wrapLanguageModel(
  model: LanguageModelV1,
  layer: LanguageModelLayer,
): LanguageModelV1 {
  return {
    specificationVersion: 'v1',
    provider: model.provider,
    modelId: model.modelId,
    capabilities: model.capabilities,
    generate: (request) => layer.generate(request),
    stream: (request) => layer.stream(request),
  }
}
