import { InvalidArgumentError } from '@tessera/core'
import type { ModelProvider } from './model-provider'
import { splitModelId } from './split-model-id'

/**
 * Settings of `createModelRegistry`.
 *
 * @example
 * ```ts
 * const settings: ModelRegistrySettings = {
 *   providers: { openai: createOpenAI(), anthropic },
 *   aliases: { fast: 'openai:gpt-4o-mini', smart: 'anthropic:claude-sonnet-4-5' },
 * }
 * ```
 */
export interface ModelRegistrySettings {
  /**
   * The providers, by the name that prefixes their model ids: `{ openai: createOpenAI() }` serves
   * `openai:gpt-4o-mini`. Names are non-empty and contain no `separator`.
   */
  providers: Readonly<Record<string, ModelProvider>>
  /**
   * Names for full model ids: `{ fast: 'openai:gpt-4o-mini' }`. An alias names a
   * `provider:model` id of this registry (not another alias), and contains no `separator`.
   * Targets are checked here, so a typo fails when the registry is made, not at the first run.
   */
  aliases?: Readonly<Record<string, string>>
  /** Between the provider's name and the model id. Default `:`. */
  separator?: string
}

/** The settings of a model registry once checked: lookups by own keys only. */
export interface CheckedModelRegistrySettings {
  providers: ReadonlyMap<string, ModelProvider>
  aliases: ReadonlyMap<string, { providerName: string; modelId: string }>
  aliasTargets: Readonly<Record<string, string>>
  separator: string
}

const fn = 'createModelRegistry'

/**
 * Checks the settings of `createModelRegistry`, throwing an `InvalidArgumentError` that names the
 * setting at fault.
 *
 * @example
 * ```ts
 * const checked = checkModelRegistrySettings({ providers: { openai } })
 * checked.providers.get('openai') // openai
 * ```
 */
export function checkModelRegistrySettings(
  settings: ModelRegistrySettings,
): CheckedModelRegistrySettings {
  if (typeof settings !== 'object' || settings === null) {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings',
      expected: 'an object with providers',
      received: settings,
    })
  }
  const separator = settings.separator ?? ':'
  if (typeof separator !== 'string' || separator === '') {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings.separator',
      expected: 'a non-empty string such as ":"',
      received: separator,
    })
  }

  if (
    typeof settings.providers !== 'object' ||
    settings.providers === null ||
    Array.isArray(settings.providers) ||
    Object.keys(settings.providers).length === 0
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings.providers',
      expected: 'an object of at least one provider, such as { openai: createOpenAI() }',
      received: settings.providers,
    })
  }
  const providers = new Map<string, ModelProvider>()
  for (const [name, provider] of Object.entries(settings.providers)) {
    if (name === '' || name.includes(separator)) {
      throw new InvalidArgumentError({
        fn,
        argument: 'settings.providers',
        expected: `provider names that are non-empty and free of the separator "${separator}"`,
        received: name,
      })
    }
    if (typeof provider !== 'function') {
      throw new InvalidArgumentError({
        fn,
        argument: `settings.providers.${name}`,
        expected: 'a provider function (modelId) => LanguageModelV1, such as createOpenAI()',
        received: provider,
      })
    }
    providers.set(name, provider)
  }

  const aliasSettings = settings.aliases ?? {}
  if (typeof aliasSettings !== 'object' || aliasSettings === null || Array.isArray(aliasSettings)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings.aliases',
      expected: "an object of alias names to model ids, such as { fast: 'openai:gpt-4o-mini' }",
      received: aliasSettings,
    })
  }
  const aliases = new Map<string, { providerName: string; modelId: string }>()
  const aliasTargets: Record<string, string> = {}
  const providerList = [...providers.keys()].join(', ')
  for (const [alias, target] of Object.entries(aliasSettings)) {
    if (alias === '' || alias.includes(separator)) {
      throw new InvalidArgumentError({
        fn,
        argument: 'settings.aliases',
        expected: `alias names that are non-empty and free of the separator "${separator}"`,
        received: alias,
      })
    }
    const parts = typeof target === 'string' ? splitModelId(target, separator) : undefined
    if (!parts || !providers.has(parts.providerName)) {
      throw new InvalidArgumentError({
        fn,
        argument: `settings.aliases.${alias}`,
        expected: `a model id "<provider>${separator}<model>" whose provider is one of this registry's (${providerList})`,
        received: target,
      })
    }
    aliases.set(alias, parts)
    aliasTargets[alias] = target as string
  }

  return { providers, aliases, aliasTargets: Object.freeze(aliasTargets), separator }
}
