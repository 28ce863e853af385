/**
 * The secrets port, version 1: resolves a secret by name at run time so that definitions, logs
 * and events only ever hold the name.
 *
 * @example
 * ```ts
 * const secrets: SecretsProviderV1 = { specificationVersion: 'v1', provider: 'env', get: async (name) => process.env[name] }
 * ```
 */
export interface SecretsProviderV1 {
  readonly specificationVersion: 'v1'
  readonly provider: string
  /** The secret's value, or undefined when there is none by that name. */
  get(name: string): Promise<string | undefined>
}

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
