import type { SecretsProviderV1 } from '../ports/secrets-provider-v1'
import { isSecretRef } from '../ports/secrets-provider-v1'

/** Where a `{ $secret }` reference sits in a parsed connector config, and the name it holds. */
export interface SecretRefLocation {
  path: readonly (string | number)[]
  name: string
}

/** Looks a secret up by name through the engine's providers (the first that has it wins). */
export type SecretLookup = (name: string, signal?: AbortSignal) => Promise<string | undefined>

/** Every secret reference in `value` (deep), in document order. Computed once, at plan time. */
export function findSecretRefs(
  value: unknown,
  path: (string | number)[] = [],
  found: SecretRefLocation[] = [],
): SecretRefLocation[] {
  if (isSecretRef(value)) found.push({ path: [...path], name: value.$secret })
  else if (Array.isArray(value))
    value.forEach((item, index) => findSecretRefs(item, [...path, index], found))
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) findSecretRefs(item, [...path, key], found)
  return found
}

/** `config.headers.Authorization`, `config.hosts[0].password`: a path for messages. */
export function configPath(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number'
        ? `${text}[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(key)
          ? `${text}.${key}`
          : `${text}[${JSON.stringify(key)}]`,
    'config',
  )
}

/** The engine's `secrets` option as one lookup: providers are asked in order. */
export function secretLookup(
  secrets: SecretsProviderV1 | readonly SecretsProviderV1[] | undefined,
): SecretLookup | undefined {
  if (secrets === undefined) return undefined
  const providers = (Array.isArray(secrets) ? secrets : [secrets]) as readonly SecretsProviderV1[]
  if (providers.length === 1) {
    const only = providers[0]!
    return (name, signal) => only.get(name, signal ? { signal } : undefined)
  }
  return async (name, signal) => {
    for (const provider of providers) {
      const value = await provider.get(name, signal ? { signal } : undefined)
      if (value !== undefined) return value
    }
    return undefined
  }
}

/** A copy of `config` with the referenced values in place (only the paths to them are copied). */
export function withSecrets(
  config: unknown,
  refs: readonly SecretRefLocation[],
  values: readonly string[],
): unknown {
  const root = { value: config } as Record<string | number, unknown>
  refs.forEach((ref, index) => {
    let parent = root
    let key: string | number = 'value'
    for (const step of ref.path) {
      const current = parent[key] as Record<string | number, unknown>
      const copy = (Array.isArray(current) ? [...current] : { ...current }) as Record<
        string | number,
        unknown
      >
      parent[key] = copy
      parent = copy
      key = step
    }
    parent[key] = values[index]
  })
  return root.value
}
