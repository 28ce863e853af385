import type { LanguageModelV1, ModelResponse } from '@tessera/core'
import { assertLanguageModel } from '../reliability/assert-language-model'
import { costOf } from './cost-of'
import { defaultPriceTable, type PriceTable } from './create-price-table'
import { wrapLanguageModel } from '../reliability/wrap-language-model'

/**
 * Wraps a model so that every answer carries `costUsd`: the cost of its usage at the prices of
 * `table` for the provider and model id that answered (under a fallback chain, the model that
 * did). Left as it was (undefined, for a raw provider) when the table does not know that model; 0 for an answer served from a
 * response cache (`cached: true`), which cost nothing.
 *
 * @example
 * ```ts
 * const model = withCost(openai('gpt-4o-mini'))
 * const answer = await model.generate({ messages })
 * console.log(answer.costUsd) // e.g. 0.00027
 * ```
 */
export function withCost(
  model: LanguageModelV1,
  table: PriceTable = defaultPriceTable,
): LanguageModelV1 {
  assertLanguageModel(model, 'withCost', 'model')
  const priced = (response: ModelResponse): ModelResponse => {
    if (response.cached) return { ...response, costUsd: 0 }
    const provider = response.provider ?? model.provider
    let costUsd = costOf({ provider, modelId: response.modelId, usage: response.usage }, table)
    // A snapshot id the table does not know: the id the model was created with may be known.
    if (costUsd === undefined && provider === model.provider) {
      costUsd = costOf({ provider, modelId: model.modelId, usage: response.usage }, table)
    }
    return costUsd === undefined ? response : { ...response, costUsd }
  }
  return wrapLanguageModel(model, {
    async generate(request) {
      return priced(await model.generate(request))
    },
    async *stream(request) {
      for await (const part of model.stream(request)) {
        yield part.type === 'finish' ? { type: 'finish', response: priced(part.response) } : part
      }
    },
  })
}
