import { InvalidArgumentError, UnknownModelError, type LanguageModelV1 } from '@tessera/core'
import { assertLanguageModel } from '../reliability/assert-language-model'
import { checkModelRegistrySettings, type ModelRegistrySettings } from './model-registry-settings'
import { splitModelId } from './split-model-id'

/**
 * Models by name, for definitions that can only hold strings (workflow JSON from the designer or
 * an HTTP API): `registry.languageModel('openai:gpt-4o-mini')`, or an alias such as `'fast'`.
 * Made by {@link createModelRegistry}; each registry is its own instance.
 *
 * @example
 * ```ts
 * function modelFor(step: { model: string }, models: ModelRegistry): LanguageModelV1 {
 *   return models.languageModel(step.model) // 'openai:gpt-4o-mini', 'fast', …
 * }
 * ```
 */
export interface ModelRegistry {
  /**
   * The model named `id`: `<provider><separator><model>` (split at the first separator, so
   * `ollama:llama3.2:3b` is model `llama3.2:3b` of `ollama`), or an alias. The provider makes
   * the model (lazily: no call, no network). An unknown provider, an id without one or an
   * unknown alias throws an `UnknownModelError` listing the providers and aliases; a model the
   * vendor does not know fails at its first call, as it would without the registry.
   */
  languageModel(id: string): LanguageModelV1
  /**
   * Whether `languageModel(id)` would find a provider: a known alias, or a known provider's name,
   * the separator and a non-empty model id. It does not ask the vendor whether the model exists.
   */
  has(id: string): boolean
  /** The providers' names, in the order they were given. */
  readonly providers: readonly string[]
  /** The aliases and the model ids they name. */
  readonly aliases: Readonly<Record<string, string>>
  /** Between the provider's name and the model id (default `:`). */
  readonly separator: string
}

/** The name errors give the registry, in `UnknownModelError.provider`. */
const registryName = 'model registry'

/**
 * Makes a {@link ModelRegistry}: the given providers under the names that prefix their model ids,
 * and optional aliases. A registry holds no state beyond its settings and shares nothing with
 * other registries (no module globals), so two engines in one process can name different models
 * the same way. Limits, retries and fallback stay where they are: a provider's `limits` apply to
 * every model the registry gets from it, and `reliable(registry.languageModel(id))` wraps one.
 * Bad settings throw an `InvalidArgumentError` at once.
 *
 * @example
 * ```ts
 * import { createModelRegistry } from '@tessera/agents'
 * import { anthropic } from '@tessera/agents/anthropic'
 * import { createLlamaCpp } from '@tessera/agents/llama-cpp'
 * import { createOpenAI } from '@tessera/agents/openai'
 *
 * const models = createModelRegistry({
 *   providers: {
 *     openai: createOpenAI({ limits: { concurrency: 8 } }),
 *     anthropic,
 *     local: createLlamaCpp({ modelPath: './models/qwen2.5-1.5b-instruct-q4_k_m.gguf' }),
 *   },
 *   aliases: { fast: 'openai:gpt-4o-mini', smart: 'anthropic:claude-sonnet-4-5' },
 * })
 *
 * const model = models.languageModel(definition.model) // 'fast', 'local:qwen', 'openai:gpt-4o', …
 * models.has('mistral:large') // false
 * ```
 */
export function createModelRegistry(settings: ModelRegistrySettings): ModelRegistry {
  const { providers, aliases, aliasTargets, separator } = checkModelRegistrySettings(settings)
  const providerNames = Object.freeze([...providers.keys()])

  /** The provider and model an id names, or undefined. */
  const resolve = (id: string): { providerName: string; modelId: string } | undefined => {
    const alias = aliases.get(id)
    if (alias) return alias
    const parts = splitModelId(id, separator)
    return parts && providers.has(parts.providerName) ? parts : undefined
  }

  /** What would have worked: each provider's prefix, then the aliases. */
  const known = (): string[] => [
    ...providerNames.map((name) => `${name}${separator}<model>`),
    ...aliases.keys(),
  ]

  return {
    providers: providerNames,
    aliases: aliasTargets,
    separator,
    has: (id) => typeof id === 'string' && resolve(id) !== undefined,
    languageModel(id) {
      if (typeof id !== 'string') {
        throw new InvalidArgumentError({
          fn: 'modelRegistry.languageModel',
          argument: 'id',
          expected: `a model id "<provider>${separator}<model>" or an alias`,
          received: id,
        })
      }
      const target = resolve(id)
      if (!target)
        throw new UnknownModelError({ provider: registryName, modelId: id, known: known() })
      const provider = providers.get(target.providerName) as (modelId: string) => unknown
      const model = provider(target.modelId)
      assertLanguageModel(
        model,
        'modelRegistry.languageModel',
        `providers.${target.providerName}(${JSON.stringify(target.modelId)})`,
      )
      return model
    },
  }
}
