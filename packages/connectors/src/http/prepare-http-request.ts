import type { WithSecretsResolved } from '@tessera/core'
import { applyHttpAuth, markCredentialHeader, secretValue, type HttpAuth } from './http-auth'
import type { HttpConnectorConfig } from './http-connector-config'

/**
 * The headers of an outgoing request: the configuration's headers (secret references must be
 * resolved), then `idempotency-key`, then the request's own headers, then the credentials of
 * `auth` (which may also set a query parameter on `url`). The configuration's headers and the
 * credentials are marked so that a redirect to another origin does not carry them.
 *
 * @example
 * ```ts
 * const headers = prepareHttpRequest({ connector: 'http', action: 'request', url, configHeaders: config.headers, auth: config.auth, idempotencyKey })
 * ```
 */
export function prepareHttpRequest(options: {
  connector: string
  action: string
  url: URL
  configHeaders?: WithSecretsResolved<HttpConnectorConfig['headers']>
  auth?: WithSecretsResolved<HttpAuth> | undefined
  idempotencyKey?: string
  headers?: Readonly<Record<string, string>>
}): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(options.configHeaders ?? {})) {
    headers.set(
      name,
      secretValue(value, {
        connector: options.connector,
        action: options.action,
        field: `headers.${name}`,
      }),
    )
    // Resolved secrets and plain values look alike here: none goes to another origin.
    markCredentialHeader(headers, name)
  }
  if (options.idempotencyKey !== undefined) headers.set('idempotency-key', options.idempotencyKey)
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value)
  applyHttpAuth(options.auth, {
    url: options.url,
    headers,
    connector: options.connector,
    action: options.action,
  })
  return headers
}
