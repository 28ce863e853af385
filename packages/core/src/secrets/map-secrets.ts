import type { SecretsProviderV1 } from '../ports/secrets-provider-v1'

/**
 * A secrets provider over a record or map held in memory: for tests, and for hosts that fetch
 * their secrets themselves. Later changes to a `Map` are seen; a record is copied.
 *
 * @example
 * ```ts
 * const engine = createEngine({ secrets: mapSecrets({ SLACK_TOKEN: 'xoxb-test' }) })
 * ```
 */
export function mapSecrets(
  secrets: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
): SecretsProviderV1 {
  const table: ReadonlyMap<string, string> =
    secrets instanceof Map ? secrets : new Map(Object.entries(secrets))
  return {
    specificationVersion: 'v1',
    provider: 'map',
    get: async (name) => table.get(name),
  }
}
