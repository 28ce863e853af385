// Live tests: the language-model conformance suite against the real Anthropic API, through the
// real SDK. They run only when ANTHROPIC_API_KEY is set, and skip otherwise: they are the only
// tests allowed to skip under CI=true (CI has no vendor keys; every other test runs against local
// servers). Each run costs a fraction of a cent. See docs/providers/README.md#live-tests.
import { describe } from 'vitest'
import { describeLanguageModelConformance } from '@tessera/core/testing'
import { createAnthropic } from '../../src/providers/anthropic'
import { liveTarget } from './live-target'

const target = liveTarget({
  vendor: 'anthropic',
  keyVariables: ['ANTHROPIC_API_KEY'],
  modelVariable: 'TESSERA_LIVE_ANTHROPIC_MODEL',
  defaultModel: 'claude-haiku-4-5',
})

describe.skipIf(!target.apiKey)(target.title, () => {
  describeLanguageModelConformance({
    name: `anthropic live (${target.modelId})`,
    createModel: () => createAnthropic({ apiKey: target.apiKey })(target.modelId),
    timeoutMs: 60_000,
  })
})
