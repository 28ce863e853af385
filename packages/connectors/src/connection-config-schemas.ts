import { z } from 'zod'
import { secretRef } from '@tessera/core'

// Configuration fields that the server-backed data connectors (PostgreSQL, MySQL, Redis) share,
// each with its range and description, so that one field reads the same in every connector.

/**
 * The server port, 1 to 65535, optional; the description names the driver's default.
 *
 * @example
 * ```ts
 * z.object({ port: serverPortSchema(5432) })
 * ```
 */
export function serverPortSchema(defaultPort: number) {
  return z
    .number()
    .int()
    .min(1)
    .max(65_535)
    .optional()
    .describe(`The server port. Default ${defaultPort}`)
}

/**
 * How long to wait for a connection, in milliseconds (1 to 600000, default 10000).
 *
 * @example
 * ```ts
 * z.object({ connectTimeoutMs: connectTimeoutMsSchema })
 * ```
 */
export const connectTimeoutMsSchema = z
  .number()
  .int()
  .min(1)
  .max(600_000)
  .optional()
  .describe('How long to wait for a connection, in milliseconds. Default 10000')

/**
 * The most connections a configuration's pool opens (1 to 200, default 10).
 *
 * @example
 * ```ts
 * z.object({ poolMax: poolMaxSchema })
 * ```
 */
export const poolMaxSchema = z
  .number()
  .int()
  .min(1)
  .max(200)
  .optional()
  .describe('The most connections the pool of this configuration opens. Default 10')

/**
 * A statement timeout in milliseconds (1 ms to a day); `description` says how the driver
 * enforces it.
 *
 * @example
 * ```ts
 * z.object({ statementTimeoutMs: statementTimeoutMsSchema('Server-side statement_timeout in milliseconds') })
 * ```
 */
export function statementTimeoutMsSchema(description: string) {
  return z.number().int().min(1).max(86_400_000).optional().describe(description)
}

/**
 * The `password` field: a secret reference holding the password, optional.
 *
 * @example
 * ```ts
 * z.object({ password: passwordSecretSchema("A secret holding the user's password") })
 * ```
 */
export function passwordSecretSchema(description: string) {
  return secretRef({ title: 'Password', description }).optional()
}

const tlsTrustFields = {
  rejectUnauthorized: z
    .boolean()
    .optional()
    .describe("Verify the server's certificate. Default true"),
  ca: z.string().optional().describe('PEM certificate(s) of the authority to trust'),
}

/**
 * A TLS setting: `true`, or a strict object of options: whether to verify the server's
 * certificate (`rejectUnauthorized`), the authorities to trust (`ca`) and the driver's own
 * `fields`; optional, described by `description`.
 *
 * @example
 * ```ts
 * z.object({ tls: tlsSchema({ servername: z.string().optional() }, 'TLS: true, or TLS options') })
 * ```
 */
export function tlsSchema<Fields extends z.ZodRawShape>(fields: Fields, description: string) {
  return z
    .union([z.boolean(), z.object({ ...tlsTrustFields, ...fields }).strict()])
    .optional()
    .describe(description)
}

/**
 * The TLS client-certificate options of the SQL drivers for {@link tlsSchema}: a PEM
 * certificate and its private key as a secret reference.
 *
 * @example
 * ```ts
 * z.object({ ssl: tlsSchema(tlsClientCertificateFields, 'TLS: true, or TLS options') })
 * ```
 */
export const tlsClientCertificateFields = {
  cert: z.string().optional().describe('PEM client certificate'),
  key: secretRef({
    description: 'A secret holding the PEM private key of cert',
  }).optional(),
}

/**
 * The `idempotencyTable` field of the SQL connectors: a table name, optionally
 * schema-qualified, each part at most `maxPartLength` characters (the database's identifier
 * limit less one), quoted when used.
 *
 * @example
 * ```ts
 * z.object({ idempotencyTable: idempotencyTableSchema(63) })
 * ```
 */
export function idempotencyTableSchema(maxPartLength: number) {
  const part = `[A-Za-z_][A-Za-z0-9_]{0,${maxPartLength - 1}}`
  return z
    .string()
    .regex(
      new RegExp(`^${part}(?:\\.${part})?$`),
      'a table name such as "tessera_idempotency" or "ops.idempotency"',
    )
    .optional()
    .describe(
      'When set, execute and transaction record the step idempotency key and their result in this table (created if missing) in the same transaction, and a repeated key returns the recorded result without running the statements again',
    )
}

/**
 * The refinement of a configuration that takes either a connection URL field (`key`) or
 * `host`, exactly one of them; spread it into `.refine(…)`.
 *
 * @example
 * ```ts
 * z.object({ url: z.string().optional(), host: z.string().optional() }).refine(...urlOrHost('url'))
 * ```
 */
export function urlOrHost<Key extends string>(
  key: Key,
): [
  check: (config: { [K in Key | 'host']?: unknown }) => boolean,
  params: { message: string; path: PropertyKey[] },
] {
  return [
    (config) => (config[key] === undefined) !== (config.host === undefined),
    { message: `either ${key} or host (exactly one of them)`, path: ['host'] },
  ]
}

/**
 * The driver options of a TLS setting that {@link tlsSchema} parsed: the object without its
 * unset fields, `{}` (TLS with the defaults) for `true`, undefined for `false` or no setting.
 *
 * @example
 * ```ts
 * tlsOptions({ ca: pem, servername: undefined }) // { ca: pem }
 * ```
 */
export function tlsOptions(value: boolean | object | undefined): object | undefined {
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined))
  return value === true ? {} : undefined
}
