import { z } from 'zod'

/**
 * The secrets port, version 1: resolves a secret by name at run time so that definitions, logs
 * and events only ever hold the name. `envSecrets()` reads environment variables under a
 * prefix; `@tessera/core/node` has an encrypted-file provider and `@tessera/connectors/vault`
 * reads HashiCorp Vault.
 *
 * @example
 * ```ts
 * const secrets: SecretsProviderV1 = { specificationVersion: 'v1', provider: 'static', get: async (name) => table[name] }
 * ```
 */
export interface SecretsProviderV1 {
  readonly specificationVersion: 'v1'
  readonly provider: string
  /**
   * The secret's value, or undefined when there is none by that name. Throws (a
   * `TesseraError`) only when the provider itself cannot answer (Vault unreachable, a file that
   * does not decrypt): a missing secret is `undefined`, never an error.
   */
  get(name: string, options?: { signal?: AbortSignal }): Promise<string | undefined>
}

/**
 * A reference to a secret in a connector's configuration: `{ $secret: 'SLACK_TOKEN' }`. Only the
 * name is stored in definitions; the engine resolves it through its `secrets` provider right
 * before an action runs, and the action sees the value as a plain string.
 *
 * @example
 * ```ts
 * const config = { token: { $secret: 'SLACK_TOKEN' } } satisfies { token: SecretRef }
 * ```
 */
export interface SecretRef {
  readonly $secret: string
}

/** The JSON Schema keyword that marks a secret field (a {@link secretRef} schema). */
export const secretSchemaKeyword = 'x-tessera-secret'

// `#` separates a path from a field for providers with structured secrets (Vault: `slack#token`).
const secretNamePattern = /^[A-Za-z0-9_][A-Za-z0-9_./#-]{0,199}$/

/**
 * The zod schema of a secret field in a connector's configuration. It accepts only a
 * reference (`{ $secret: 'NAME' }`), never the credential itself, so credentials cannot end up
 * in a stored definition; its JSON Schema carries `x-tessera-secret: true` and `writeOnly`, which
 * the designer and the HTTP API read. In the action's `config` the field is the resolved string.
 *
 * @example
 * ```ts
 * const config = z.object({
 *   token: secretRef({ description: 'Bot token (xoxb-…)' }),
 *   channel: z.string().describe('Default channel'),
 * })
 * config.parse({ token: { $secret: 'SLACK_BOT_TOKEN' }, channel: '#ops' })
 * ```
 */
export function secretRef(options: { title?: string; description?: string } = {}) {
  return z
    .object(
      {
        $secret: z
          .string({
            error: 'the name of a secret, such as "SLACK_TOKEN"',
          })
          .regex(
            secretNamePattern,
            'a secret name: letters, digits, "_", ".", "/", "#" or "-", at most 200 characters',
          ),
      },
      {
        error: (issue) =>
          issue.input === undefined
            ? undefined
            : typeof issue.input === 'string'
              ? 'a secret reference such as { "$secret": "NAME" }, not the credential itself (credentials never go into definitions)'
              : 'a secret reference such as { "$secret": "NAME" }',
      },
    )
    .strict()
    .meta({
      ...(options.title !== undefined ? { title: options.title } : {}),
      description: options.description ?? 'A reference to a secret: { "$secret": "NAME" }',
      [secretSchemaKeyword]: true,
      writeOnly: true,
    }) as z.ZodType<SecretRef, SecretRef>
}

/**
 * True when `value` is a secret reference (`{ $secret: string }` and nothing else).
 *
 * @example
 * ```ts
 * isSecretRef({ $secret: 'SLACK_TOKEN' }) // true
 * ```
 */
export function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const keys = Object.keys(value)
  return (
    keys.length === 1 && keys[0] === '$secret' && typeof (value as SecretRef).$secret === 'string'
  )
}

/**
 * A configuration type with every {@link SecretRef} replaced by the secret's value: what a
 * connector action receives as `config`.
 *
 * @example
 * ```ts
 * type Seen = WithSecretsResolved<{ token: SecretRef; channel: string }> // { token: string; channel: string }
 * ```
 */
export type WithSecretsResolved<T> = T extends SecretRef
  ? string
  : T extends readonly (infer E)[]
    ? WithSecretsResolved<E>[]
    : T extends object
      ? { [K in keyof T]: WithSecretsResolved<T[K]> }
      : T

/**
 * The payload codec port, version 1: transforms inputs and outputs on their way into and out
 * of the store, e.g. to encrypt them at rest (AES-256-GCM).
 *
 * @example
 * ```ts
 * const codec: PayloadCodecV1 = { specificationVersion: 'v1', name: 'identity', encode: async (v) => v, decode: async (v) => v }
 * ```
 */
export interface PayloadCodecV1 {
  readonly specificationVersion: 'v1'
  readonly name: string
  encode(value: unknown): Promise<unknown>
  decode(value: unknown): Promise<unknown>
}
