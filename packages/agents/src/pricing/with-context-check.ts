import type { LanguageModelV1 } from '@tessera/core'
import { assertLanguageModel } from '../reliability/assert-language-model'
import { checkPromptFits } from './check-prompt-fits'
import { defaultPriceTable, type PriceTable } from './create-price-table'
import { wrapLanguageModel } from '../reliability/wrap-language-model'

/**
 * Wraps a model so that a prompt clearly too long for its context window fails before any
 * HTTP call, with a `PromptTooLongError` (`estimated: true`; see {@link checkPromptFits}). In a
 * fallback chain that error moves on to a model with a larger window.
 *
 * @example
 * ```ts
 * const model = withContextCheck(openai('gpt-4o-mini')) // the default table knows its 128K window
 * ```
 */
export function withContextCheck(
  model: LanguageModelV1,
  table: PriceTable = defaultPriceTable,
): LanguageModelV1 {
  assertLanguageModel(model, 'withContextCheck', 'model')
  return wrapLanguageModel(model, {
    async generate(request) {
      checkPromptFits(model, request, table)
      return model.generate(request)
    },
    async *stream(request) {
      checkPromptFits(model, request, table)
      yield* model.stream(request)
    },
  })
}
