// Live tests: the language-model conformance suite against the real Gemini API, through the real
// SDK. They run only when GOOGLE_API_KEY (or GEMINI_API_KEY) is set, and skip otherwise: they are
// the only tests allowed to skip under CI=true (CI has no vendor keys; every other test runs
// against local servers). Each run costs a fraction of a cent. See
// docs/providers/README.md#live-tests.
import { describe } from 'vitest'
import { describeLanguageModelConformance } from '@tessera/core/testing'
import { createGoogle } from '../../src/providers/google'
import { liveTarget } from './live-target'

const target = liveTarget({
  vendor: 'google',
  keyVariables: ['GOOGLE_API_KEY', 'GEMINI_API_KEY'],
  modelVariable: 'TESSERA_LIVE_GOOGLE_MODEL',
  defaultModel: 'gemini-2.5-flash-lite',
})

describe.skipIf(!target.apiKey)(target.title, () => {
  describeLanguageModelConformance({
    name: `google live (${target.modelId})`,
    createModel: () => createGoogle({ apiKey: target.apiKey })(target.modelId),
    timeoutMs: 60_000,
  })
})
