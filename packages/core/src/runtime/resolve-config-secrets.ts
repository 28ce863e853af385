import { ConnectorError } from '../errors/connector-error'
import type { Logger } from '../ports/logger'
import type { SecretsProviderV1, WithSecretsResolved } from '../ports/secrets-provider-v1'
import { configPath, findSecretRefs, secretLookup, withSecrets } from './secret-refs'

/**
 * Masks resolved secret values (as `[secret:NAME]`) in what leaves a connector action: its
 * errors, its log lines, and any value (an output headed for a language model, say).
 *
 * @example
 * ```ts
 * const { redact } = await resolveConfigSecrets(config, { secrets, connector: 'http', action: 'request' })
 * redact.text('Bearer s3cr3t-token') // 'Bearer [secret:API_TOKEN]'
 * ```
 */
export interface SecretRedaction {
  /** `text` with every resolved value replaced by `[secret:NAME]`. */
  text(text: string): string
  /** A copy of a JSON-like value with every string redacted (the value itself when unchanged). */
  value<T>(value: T): T
  /** The same error with its message, stack, details and causes redacted. */
  error(error: unknown): unknown
  /** A logger whose messages and fields are redacted before they reach `logger`. */
  logger(logger: Logger): Logger
}

/**
 * What {@link resolveConfigSecrets} returns.
 *
 * @example
 * ```ts
 * const { config, names } = await resolveConfigSecrets({ token: { $secret: 'SLACK_TOKEN' } }, options)
 * config.token // the value; names // ['SLACK_TOKEN']
 * ```
 */
export interface ResolvedConfigSecrets<TConfig> {
  /** A copy of the config with each `{ $secret }` replaced by its value (the config itself when it has none). */
  config: WithSecretsResolved<TConfig>
  /** The names of the secrets the config refers to, in document order. */
  names: string[]
  redact: SecretRedaction
}

/**
 * What {@link resolveConfigSecrets} takes besides the config.
 *
 * @example
 * ```ts
 * const options: ResolveConfigSecretsOptions = { secrets: envSecrets(), connector: 'slack', action: 'send-message', where: 'tool "notify"' }
 * ```
 */
export interface ResolveConfigSecretsOptions {
  /** Asked in order; the first that has a name wins. */
  secrets: SecretsProviderV1 | readonly SecretsProviderV1[] | undefined
  /** For the error when a secret is missing: the connector's id. */
  connector: string
  /** For the error when a secret is missing: the action's name. */
  action: string
  /** Where the config is used, for the error (e.g. `tool "slack_send-message"`). */
  where?: string
  signal?: AbortSignal
}

const nothingToRedact: SecretRedaction = {
  text: (text) => text,
  value: (value) => value,
  error: (error) => error,
  logger: (logger) => logger,
}

/**
 * Resolves the secret references (`{ $secret: 'NAME' }`) in a parsed connector config through
 * `secrets`, the way the engine does for an action step, for code that runs a connector action
 * outside a workflow step (agent tools, say). A name no provider has fails with a non-retryable
 * `ConnectorError` (reason `invalid-config`) naming the config path and the secret, never a value.
 * The returned `redact` masks the resolved values; use it on whatever leaves the action.
 *
 * @example
 * ```ts
 * import { mapSecrets, resolveConfigSecrets } from '@tessera/core'
 *
 * const { config, redact } = await resolveConfigSecrets(
 *   { url: 'https://api.example.com', auth: { type: 'bearer', token: { $secret: 'API_TOKEN' } } },
 *   { secrets: mapSecrets({ API_TOKEN: process.env.API_TOKEN! }), connector: 'http', action: 'request' },
 * )
 * try {
 *   return redact.value(await http.actions.request.run({ config, input, signal, idempotencyKey, logger: redact.logger(logger) }))
 * } catch (error) {
 *   throw redact.error(error)
 * }
 * ```
 */
export async function resolveConfigSecrets<TConfig>(
  config: TConfig,
  options: ResolveConfigSecretsOptions,
): Promise<ResolvedConfigSecrets<TConfig>> {
  const refs = findSecretRefs(config)
  if (refs.length === 0)
    return { config: config as WithSecretsResolved<TConfig>, names: [], redact: nothingToRedact }
  const lookup = secretLookup(options.secrets)
  // Redaction loads with the first config that has secrets, as for action steps.
  const { createRedactor } = await import('./secret-redaction')
  const values: string[] = []
  for (const ref of refs) {
    const value = lookup === undefined ? undefined : await lookup(ref.name, options.signal)
    if (typeof value !== 'string') {
      throw new ConnectorError({
        connector: options.connector,
        action: options.action,
        reason: 'invalid-config',
        retryable: false,
        message: `${options.where === undefined ? '' : `${options.where}: `}${configPath(ref.path)} refers to secret "${ref.name}", ${
          lookup === undefined
            ? 'but no secrets provider was given'
            : 'which no secrets provider has'
        }`,
      })
    }
    values.push(value)
  }
  const redactor = createRedactor(
    refs.map((ref, index) => ({ name: ref.name, value: values[index]! })),
  )
  return {
    config: withSecrets(config, refs, values) as WithSecretsResolved<TConfig>,
    names: refs.map((ref) => ref.name),
    redact: {
      text: redactor.text,
      value: <T>(value: T) => redactor.value(value) as T,
      error: redactor.error,
      logger: redactor.logger,
    },
  }
}
