import type { SecretsProviderV1 } from '../ports/secrets-provider-v1'

/** Options of {@link envSecrets}. */
export interface EnvSecretsOptions {
  /**
   * Only variables named `<prefix><NAME>` are secrets. Default `TESSERA_SECRET_`. Keep a prefix:
   * definitions can be edited over the HTTP API, and without one a definition could read any
   * variable of the process (`DATABASE_URL`, cloud credentials) into a connector it controls.
   */
  prefix?: string
  /** Where to read. Default: `process.env` (read on every lookup, so changes are seen). */
  env?: Record<string, string | undefined>
}

/**
 * A secrets provider over environment variables: `{ $secret: 'SLACK_TOKEN' }` reads
 * `TESSERA_SECRET_SLACK_TOKEN`. A variable of the exact name wins; otherwise the name is
 * upper-cased with `.`, `/`, `#` and `-` as `_` (`slack/bot-token` → `TESSERA_SECRET_SLACK_BOT_TOKEN`).
 *
 * @example
 * ```ts
 * // TESSERA_SECRET_SLACK_TOKEN=xoxb-… node server.js
 * const engine = createEngine({ secrets: envSecrets() })
 * ```
 */
export function envSecrets(options: EnvSecretsOptions = {}): SecretsProviderV1 {
  const prefix = options.prefix ?? 'TESSERA_SECRET_'
  const read = (): Record<string, string | undefined> =>
    options.env ??
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ??
    {}
  return {
    specificationVersion: 'v1',
    provider: 'env',
    get: async (name) => {
      const env = read()
      const exact = env[prefix + name]
      if (exact !== undefined) return exact
      const normalized = prefix + name.replace(/[./#-]/g, '_').toUpperCase()
      return Object.hasOwn(env, normalized) ? env[normalized] : undefined
    },
  }
}
