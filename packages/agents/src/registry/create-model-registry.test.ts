import { describe, expect, it } from 'vitest'
import {
  InvalidArgumentError,
  UnknownModelError,
  type LanguageModelV1,
  type ModelResponse,
} from '@tessera/core'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { anthropic, createAnthropic } from '../providers/anthropic'
import { createGoogle } from '../providers/google'
import { createLlamaCpp } from '../providers/llama-cpp'
import { createOpenAI } from '../providers/openai'
import { createOpenAICompatible } from '../providers/openai-compatible'
import { createModelRegistry } from './create-model-registry'
import type { ModelProvider } from './model-provider'

// Nothing listens here: the providers are real, but a registry only constructs models (lazily),
// so no test below makes a call through them.
const nowhere = 'http://127.0.0.1:9'

function errorOf(call: () => unknown): unknown {
  try {
    call()
  } catch (error) {
    return error
  }
  throw new Error('Expected the call to throw, but it returned')
}

const textOf = (response: ModelResponse): string =>
  response.content.map((part) => (part.type === 'text' ? part.text : '')).join('')

/** A provider of scripted models that records the ids it was asked for. */
function scriptedProvider(name: string): ModelProvider & { asked: string[] } {
  const asked: string[] = []
  const provider = (modelId: string): LanguageModelV1 => {
    asked.push(modelId)
    return createScriptedModel([`${name} ${modelId} answers`], { provider: name, modelId })
  }
  return Object.assign(provider, { asked })
}

describe('createModelRegistry with the real provider factories', () => {
  const models = createModelRegistry({
    providers: {
      openai: createOpenAI({ apiKey: 'sk-unused', baseURL: `${nowhere}/v1` }),
      anthropic,
      claude: createAnthropic({ apiKey: 'unused', baseURL: nowhere }),
      google: createGoogle({ apiKey: 'unused', baseURL: nowhere }),
      ollama: createOpenAICompatible({ name: 'ollama', baseURL: `${nowhere}/v1` }),
      local: createLlamaCpp({ modelPath: '/nonexistent/qwen2.5-0.5b.gguf' }),
    },
    aliases: { fast: 'openai:gpt-4o-mini', smart: 'claude:claude-sonnet-4-5' },
  })

  it.each([
    ['openai:gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['anthropic:claude-haiku-4-5', 'anthropic', 'claude-haiku-4-5'],
    ['claude:claude-opus-4-1', 'anthropic', 'claude-opus-4-1'],
    ['google:gemini-2.5-flash', 'google', 'gemini-2.5-flash'],
    ['ollama:llama3.2:3b', 'ollama', 'llama3.2:3b'],
    ['local:qwen', 'llama-cpp', 'qwen'],
    ['fast', 'openai', 'gpt-4o-mini'],
    ['smart', 'anthropic', 'claude-sonnet-4-5'],
  ])('%s → the %s model %s', (id, provider, modelId) => {
    const model = models.languageModel(id)
    expect(model.specificationVersion).toBe('v1')
    expect(model.provider).toBe(provider)
    expect(model.modelId).toBe(modelId)
  })

  it('lists its providers in the order given, and its aliases', () => {
    expect(models.providers).toEqual(['openai', 'anthropic', 'claude', 'google', 'ollama', 'local'])
    expect(models.aliases).toEqual({
      fast: 'openai:gpt-4o-mini',
      smart: 'claude:claude-sonnet-4-5',
    })
    expect(models.separator).toBe(':')
  })

  it('has() is true for ids it can resolve, false otherwise', () => {
    expect(models.has('openai:gpt-4o')).toBe(true)
    expect(models.has('fast')).toBe(true)
    expect(models.has('local:anything')).toBe(true)
    expect(models.has('mistral:large')).toBe(false)
    expect(models.has('gpt-4o')).toBe(false)
    expect(models.has('openai:')).toBe(false)
    expect(models.has(':gpt-4o')).toBe(false)
    expect(models.has('toString')).toBe(false)
    expect(models.has(42 as never)).toBe(false)
  })

  it('passes on the provider’s own check of the model id', () => {
    // createOpenAI refuses a blank id; the registry does not hide that.
    expect(InvalidArgumentError.isInstance(errorOf(() => models.languageModel('openai:  ')))).toBe(
      true,
    )
  })
})

describe('createModelRegistry: unknown ids', () => {
  const models = createModelRegistry({
    providers: { openai: scriptedProvider('openai'), anthropic: scriptedProvider('anthropic') },
    aliases: { fast: 'openai:gpt-4o-mini' },
  })

  it.each([
    ['an unknown provider prefix', 'mistral:large'],
    ['an id without a prefix', 'gpt-4o'],
    ['an unknown alias', 'fastest'],
    ['an empty model id', 'openai:'],
    ['an empty provider name', ':gpt-4o'],
    ['an inherited property name', 'constructor'],
    ['the empty string', ''],
  ])('%s → UnknownModelError listing the providers and aliases', (_, id) => {
    const error = errorOf(() => models.languageModel(id))
    expect(UnknownModelError.isInstance(error)).toBe(true)
    const unknown = error as UnknownModelError
    expect(unknown.code).toBe('unknown_model')
    expect(unknown.retryable).toBe(false)
    expect(unknown.provider).toBe('model registry')
    expect(unknown.modelId).toBe(id)
    expect(unknown.known).toEqual(['openai:<model>', 'anthropic:<model>', 'fast'])
    expect(unknown.message).toBe(
      `model registry has no model ${JSON.stringify(id)}; known models: openai:<model>, anthropic:<model>, fast`,
    )
  })

  it('a non-string id → InvalidArgumentError', () => {
    const error = errorOf(() => models.languageModel(undefined as never))
    expect(InvalidArgumentError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain('a model id "<provider>:<model>" or an alias')
  })
})

describe('createModelRegistry with scripted models', () => {
  it('gives the provider the id after the first separator, and returns its model as it is', async () => {
    const ollama = scriptedProvider('ollama')
    const models = createModelRegistry({ providers: { ollama } })
    const model = models.languageModel('ollama:llama3.2:3b')
    expect(ollama.asked).toEqual(['llama3.2:3b'])
    const answer = await model.generate({ messages: [{ role: 'user', content: 'Hi' }] })
    expect(textOf(answer)).toBe('ollama llama3.2:3b answers')
    expect(answer.provider).toBe('ollama')
  })

  it('makes a new model on each look-up (the provider decides what is shared)', () => {
    const openai = scriptedProvider('openai')
    const models = createModelRegistry({
      providers: { openai },
      aliases: { fast: 'openai:gpt-4o-mini' },
    })
    const first = models.languageModel('fast')
    const second = models.languageModel('openai:gpt-4o-mini')
    expect(first).not.toBe(second)
    expect(openai.asked).toEqual(['gpt-4o-mini', 'gpt-4o-mini'])
  })

  it('takes another separator', async () => {
    const models = createModelRegistry({
      providers: { openai: scriptedProvider('openai'), anthropic: scriptedProvider('anthropic') },
      aliases: { fast: 'openai/gpt-4o-mini' },
      separator: '/',
    })
    expect(models.languageModel('anthropic/claude-haiku-4-5').modelId).toBe('claude-haiku-4-5')
    expect(models.languageModel('fast').modelId).toBe('gpt-4o-mini')
    // With "/" as the separator, ":" is part of the model id and names no provider.
    const error = errorOf(() => models.languageModel('openai:gpt-4o'))
    expect(UnknownModelError.isInstance(error)).toBe(true)
    expect((error as UnknownModelError).known).toEqual([
      'openai/<model>',
      'anthropic/<model>',
      'fast',
    ])
  })

  it('two registries share nothing', () => {
    const one = createModelRegistry({
      providers: { main: scriptedProvider('openai') },
      aliases: { fast: 'main:gpt-4o-mini' },
    })
    const two = createModelRegistry({ providers: { main: scriptedProvider('anthropic') } })
    expect(one.languageModel('main:x').provider).toBe('openai')
    expect(two.languageModel('main:x').provider).toBe('anthropic')
    expect(two.has('fast')).toBe(false)
  })

  it('a provider that returns something other than a model → InvalidArgumentError naming it', () => {
    const models = createModelRegistry({
      providers: { broken: (() => ({ generate: () => 'no' })) as unknown as ModelProvider },
    })
    const error = errorOf(() => models.languageModel('broken:x'))
    expect(InvalidArgumentError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain('providers.broken("x")')
  })

  it('its aliases and providers cannot be changed from outside', () => {
    const models = createModelRegistry({
      providers: { openai: scriptedProvider('openai') },
      aliases: { fast: 'openai:gpt-4o-mini' },
    })
    expect(() => {
      ;(models.aliases as Record<string, string>).fast = 'openai:o3'
    }).toThrow(TypeError)
    expect(() => {
      ;(models.providers as string[]).push('mistral')
    }).toThrow(TypeError)
    expect(models.languageModel('fast').modelId).toBe('gpt-4o-mini')
  })
})

describe('createModelRegistry: bad settings → InvalidArgumentError', () => {
  const openai = scriptedProvider('openai')
  it.each([
    ['no settings', undefined, '"settings" must be an object with providers'],
    ['no providers', {}, '"settings.providers" must be an object of at least one provider'],
    ['empty providers', { providers: {} }, '"settings.providers" must be an object'],
    [
      'a provider that is not a function',
      { providers: { openai: 'gpt-4o' } },
      '"settings.providers.openai" must be a provider function',
    ],
    [
      'a provider name holding the separator',
      { providers: { 'open:ai': openai } },
      'provider names that are non-empty and free of the separator ":", received "open:ai"',
    ],
    [
      'an empty separator',
      { providers: { openai }, separator: '' },
      '"settings.separator" must be a non-empty string',
    ],
    [
      'an alias to an unknown provider',
      { providers: { openai }, aliases: { smart: 'anthropic:claude-sonnet-4-5' } },
      '"settings.aliases.smart" must be a model id "<provider>:<model>" whose provider is one of this registry\'s (openai), received "anthropic:claude-sonnet-4-5"',
    ],
    [
      'an alias without a provider',
      { providers: { openai }, aliases: { fast: 'gpt-4o-mini' } },
      '"settings.aliases.fast" must be a model id',
    ],
    [
      'an alias to another alias',
      { providers: { openai }, aliases: { fast: 'openai:gpt-4o-mini', quick: 'fast' } },
      '"settings.aliases.quick" must be a model id',
    ],
    [
      'an alias that is not a string',
      { providers: { openai }, aliases: { fast: 7 } },
      '"settings.aliases.fast" must be a model id',
    ],
    [
      'an alias name holding the separator',
      { providers: { openai }, aliases: { 'openai:latest': 'openai:gpt-4o' } },
      'alias names that are non-empty and free of the separator ":"',
    ],
  ])('%s', (_, settings, message) => {
    const error = errorOf(() => createModelRegistry(settings as never))
    expect(InvalidArgumentError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain(message)
  })
})
