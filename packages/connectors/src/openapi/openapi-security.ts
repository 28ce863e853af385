import { z } from 'zod'
import { secretRef } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import { applyHttpAuth, secretValue } from '../http/http-auth'

/**
 * An OpenAPI Security Scheme Object (the fields the connector reads).
 *
 * @example
 * ```ts
 * const scheme: OpenApiSecurityScheme = { type: 'apiKey', in: 'header', name: 'X-API-Key' }
 * ```
 */
export interface OpenApiSecurityScheme {
  type: string
  scheme?: string
  in?: string
  name?: string
  description?: string
}

/**
 * A security requirement: scheme names (the scopes are not checked).
 *
 * @example
 * ```ts
 * const requirement: OpenApiSecurityRequirement = { api_key: [] }
 * ```
 */
export type OpenApiSecurityRequirement = Record<string, readonly string[]>

/**
 * The `credentials` part of a generated connector's configuration: one optional field per
 * security scheme of the document, named like the scheme. API keys, bearer tokens and OAuth 2 /
 * OpenID Connect access tokens are secret references; HTTP basic takes `{ username, password }`
 * with the password a secret reference. Schemes of other kinds are left out.
 *
 * @example
 * ```ts
 * const schema = openApiCredentialsSchema({ api_key: { type: 'apiKey', in: 'header', name: 'x-api-key' } })
 * schema.parse({ api_key: { $secret: 'PETS_API_KEY' } })
 * ```
 */
export function openApiCredentialsSchema(schemes: Readonly<Record<string, OpenApiSecurityScheme>>) {
  const shape: Record<string, z.ZodType> = {}
  for (const [name, scheme] of Object.entries(schemes)) {
    const what = scheme.description ? ` (${scheme.description})` : ''
    if (
      scheme.type === 'apiKey' &&
      scheme.name &&
      ['header', 'query', 'cookie'].includes(scheme.in ?? '')
    )
      shape[name] = secretRef({
        description: `API key sent in the ${scheme.in} "${scheme.name}"${what}`,
      }).optional()
    else if (scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer')
      shape[name] = secretRef({ description: `Bearer token${what}` }).optional()
    else if (scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'basic')
      shape[name] = z
        .object({
          username: z.string().min(1).describe('The user name'),
          password: secretRef({ description: `The password${what}` }),
        })
        .strict()
        .optional()
        .describe(`HTTP basic credentials${what}`)
    else if (scheme.type === 'oauth2' || scheme.type === 'openIdConnect')
      shape[name] = secretRef({
        description: `An OAuth 2 access token, sent as a bearer token${what}`,
      }).optional()
  }
  return z
    .object(shape)
    .strict()
    .describe('Credentials per security scheme of the document (secret references)')
}

/**
 * Applies the credentials an operation needs: the first of its security requirements (else
 * the document's) whose schemes all have credentials configured. Throws `invalid-config`
 * naming the schemes when none can be met; an operation without requirements, or with an empty
 * one (`{}`: anonymous allowed), is sent as is.
 *
 * @example
 * ```ts
 * applyOpenApiSecurity({ connector: 'pets', action: 'list-pets', requirements: [{ api_key: [] }], schemes, credentials: { api_key: 'k' }, url, headers })
 * ```
 */
export function applyOpenApiSecurity(options: {
  connector: string
  action: string
  requirements: readonly OpenApiSecurityRequirement[]
  schemes: Readonly<Record<string, OpenApiSecurityScheme>>
  credentials: Readonly<Record<string, unknown>> | undefined
  url: URL
  headers: Headers
}): void {
  const { requirements, schemes, connector, action, url, headers } = options
  if (requirements.length === 0) return
  const credentials = options.credentials ?? {}
  const usable = requirements.find((requirement) =>
    Object.keys(requirement).every((name) => credentials[name] !== undefined && schemes[name]),
  )
  if (usable === undefined)
    throw new ConnectorError({
      connector,
      action,
      reason: 'invalid-config',
      message: `the operation needs credentials for ${requirements
        .map((requirement) => Object.keys(requirement).join(' + '))
        .join(' or ')} in config.credentials`,
    })
  for (const name of Object.keys(usable)) {
    const scheme = schemes[name]!
    const value = credentials[name]
    const field = `credentials.${name}`
    const target = { url, headers, connector, action }
    if (scheme.type === 'apiKey' && scheme.in === 'cookie') {
      const cookie = `${scheme.name}=${encodeURIComponent(secretValue(value, { connector, action, field }))}`
      const existing = headers.get('cookie')
      headers.set('cookie', existing ? `${existing}; ${cookie}` : cookie)
    } else if (scheme.type === 'apiKey')
      applyHttpAuth(
        {
          type: 'api-key',
          in: scheme.in === 'query' ? 'query' : 'header',
          name: scheme.name!,
          value: secretValue(value, { connector, action, field }),
        },
        target,
      )
    else if (scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'basic') {
      const basic = value as { username: string; password: unknown }
      applyHttpAuth(
        {
          type: 'basic',
          username: basic.username,
          password: secretValue(basic.password, { connector, action, field: `${field}.password` }),
        },
        target,
      )
    } else
      applyHttpAuth(
        { type: 'bearer', token: secretValue(value, { connector, action, field }) },
        target,
      )
  }
}
