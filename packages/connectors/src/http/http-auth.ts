import { z } from 'zod'
import { isSecretRef, secretRef, type WithSecretsResolved } from '@tessera/core'
import { ConnectorError } from '../connector-error'

const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name')
  .describe('The header or query parameter name')

/**
 * How the HTTP connector (and the OpenAPI and GraphQL connectors) authenticate: a bearer token,
 * HTTP basic credentials, or an API key in a header or the query string. Every credential is a
 * secret reference (`{ "$secret": "NAME" }`), never the value itself.
 *
 * @example
 * ```ts
 * httpAuthSchema.parse({ type: 'bearer', token: { $secret: 'GITHUB_TOKEN' } })
 * httpAuthSchema.parse({ type: 'api-key', in: 'header', name: 'x-api-key', value: { $secret: 'API_KEY' } })
 * ```
 */
export const httpAuthSchema = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z.literal('bearer').describe('Sends `Authorization: Bearer <token>`'),
        token: secretRef({ description: 'The bearer token' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('basic').describe('Sends `Authorization: Basic base64(username:password)`'),
        username: z.string().min(1).describe('The user name (not a secret)'),
        password: secretRef({ description: 'The password' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('api-key').describe('Sends an API key in a header or a query parameter'),
        in: z.enum(['header', 'query']).describe('Where the key goes'),
        name: headerName,
        value: secretRef({ description: 'The API key' }),
      })
      .strict(),
  ])
  .describe('How requests authenticate; every credential is a secret reference')

/**
 * The `auth` configuration, as stored (credentials are secret references).
 *
 * @example
 * ```ts
 * const auth: HttpAuth = { type: 'basic', username: 'ann', password: { $secret: 'API_PASSWORD' } }
 * ```
 */
export type HttpAuth = z.output<typeof httpAuthSchema>
/**
 * The `auth` configuration as an action sees it (credentials resolved to strings).
 *
 * @example
 * ```ts
 * const seen: ResolvedHttpAuth = { type: 'bearer', token: 'resolved-token' }
 * ```
 */
export type ResolvedHttpAuth = WithSecretsResolved<HttpAuth>

/**
 * A resolved secret value, or a typed `invalid-config` error when the engine handed over a
 * reference it did not resolve (no secrets provider). Never echoes a value.
 *
 * @example
 * ```ts
 * const token = secretValue(config.auth.token, { connector: 'http', action: 'request', field: 'auth.token' })
 * ```
 */
export function secretValue(
  value: unknown,
  where: { connector: string; action: string; field: string },
): string {
  if (typeof value === 'string') return value
  throw new ConnectorError({
    connector: where.connector,
    action: where.action,
    reason: 'invalid-config',
    message: isSecretRef(value)
      ? `${where.field}: the secret reference ${JSON.stringify(value.$secret)} was not resolved (give the engine a secrets provider that knows it)`
      : `${where.field}: expected a resolved secret (a string), got ${value === null ? 'null' : typeof value}`,
  })
}

const sensitiveHeaders = new WeakMap<Headers, Set<string>>()

/**
 * Marks a header of an outgoing request as carrying a credential (an auth header, a header
 * from the configuration): {@link sendHttpRequest} drops it when a redirect leads to another
 * origin. `authorization`, `proxy-authorization` and `cookie` are always dropped there.
 *
 * @example
 * ```ts
 * headers.set('x-api-key', key)
 * markCredentialHeader(headers, 'x-api-key')
 * ```
 */
export function markCredentialHeader(headers: Headers, name: string): void {
  let names = sensitiveHeaders.get(headers)
  if (!names) sensitiveHeaders.set(headers, (names = new Set()))
  names.add(name.toLowerCase())
}

/**
 * The headers not to send to another origin: those marked by {@link markCredentialHeader},
 * plus `authorization`, `proxy-authorization` and `cookie`.
 *
 * @example
 * ```ts
 * for (const name of credentialHeaderNames(headers)) headers.delete(name)
 * ```
 */
export function credentialHeaderNames(headers: Headers): string[] {
  return [
    'authorization',
    'proxy-authorization',
    'cookie',
    ...(sensitiveHeaders.get(headers) ?? []),
  ]
}

function base64Utf8(text: string): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * Applies resolved credentials to an outgoing request: sets the `authorization` header or the
 * API key header, or sets the API key query parameter on `url`.
 *
 * @example
 * ```ts
 * const headers = new Headers()
 * applyHttpAuth({ type: 'bearer', token: 'abc' }, { url, headers, connector: 'http', action: 'request' })
 * headers.get('authorization') // 'Bearer abc'
 * ```
 */
export function applyHttpAuth(
  auth: ResolvedHttpAuth | undefined,
  target: { url: URL; headers: Headers; connector: string; action: string },
): void {
  if (auth === undefined) return
  const where = (field: string) => ({ connector: target.connector, action: target.action, field })
  switch (auth.type) {
    case 'bearer':
      target.headers.set('authorization', `Bearer ${secretValue(auth.token, where('auth.token'))}`)
      return
    case 'basic': {
      const password = secretValue(auth.password, where('auth.password'))
      target.headers.set('authorization', `Basic ${base64Utf8(`${auth.username}:${password}`)}`)
      return
    }
    case 'api-key': {
      const value = secretValue(auth.value, where('auth.value'))
      if (auth.in === 'header') {
        target.headers.set(auth.name, value)
        markCredentialHeader(target.headers, auth.name)
      } else target.url.searchParams.set(auth.name, value)
      return
    }
  }
}
