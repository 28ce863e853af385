import { describe, expect, it } from 'vitest'
import { splitModelId } from './split-model-id'

describe('splitModelId', () => {
  it('splits at the first separator', () => {
    expect(splitModelId('openai:gpt-4o-mini', ':')).toEqual({
      providerName: 'openai',
      modelId: 'gpt-4o-mini',
    })
    expect(splitModelId('openai:ft:gpt-4o-mini:acme::abc123', ':')).toEqual({
      providerName: 'openai',
      modelId: 'ft:gpt-4o-mini:acme::abc123',
    })
  })

  it('takes a separator longer than one character', () => {
    expect(splitModelId('ollama::llama3.2:3b', '::')).toEqual({
      providerName: 'ollama',
      modelId: 'llama3.2:3b',
    })
  })

  it('is undefined without a separator or with nothing on one side', () => {
    expect(splitModelId('gpt-4o', ':')).toBeUndefined()
    expect(splitModelId(':gpt-4o', ':')).toBeUndefined()
    expect(splitModelId('openai:', ':')).toBeUndefined()
    expect(splitModelId('', ':')).toBeUndefined()
  })
})
