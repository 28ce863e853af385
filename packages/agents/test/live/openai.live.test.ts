// Live tests: the language-model conformance suite against the real OpenAI API, through the real
// SDK. They run only when OPENAI_API_KEY is set, and skip otherwise: they are the only tests
// allowed to skip under CI=true (CI has no vendor keys; every other test runs against local
// servers). Each run costs a fraction of a cent. See docs/providers/README.md#live-tests.
import { describe } from 'vitest'
import { describeLanguageModelConformance } from '@tessera/core/testing'
import { createOpenAI } from '../../src/providers/openai'
import { liveTarget } from './live-target'

const target = liveTarget({
  vendor: 'openai',
  keyVariables: ['OPENAI_API_KEY'],
  modelVariable: 'TESSERA_LIVE_OPENAI_MODEL',
  defaultModel: 'gpt-4.1-nano',
})

describe.skipIf(!target.apiKey)(target.title, () => {
  describeLanguageModelConformance({
    name: `openai live (${target.modelId})`,
    createModel: () => createOpenAI({ apiKey: target.apiKey })(target.modelId),
    timeoutMs: 60_000,
  })
})
