import { z } from 'zod'
import { secretRef, type WithSecretsResolved } from '@tessera/core'
import { httpAuthSchema } from './http-auth'

const headerNameSchema = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name')
const headerValueSchema = z.string().regex(/^[^\r\n\0]*$/, 'a header value without line breaks')

/**
 * Headers of a connector configuration: each value is a plain string or a secret reference
 * (`{ "$secret": "NAME" }`) for values that are credentials.
 *
 * @example
 * ```ts
 * configHeadersSchema.parse({ 'x-team': 'payments', 'x-api-key': { $secret: 'PARTNER_KEY' } })
 * ```
 */
export const configHeadersSchema = z
  .record(
    headerNameSchema,
    z.union([headerValueSchema, secretRef({ description: 'A header value kept as a secret' })]),
  )
  .describe('Headers sent with every request; use a secret reference for credentials')

/**
 * The configuration schema of the HTTP connector: the base URL every request path is appended
 * to (http or https), `auth` (bearer, basic or API key, credentials as secret references),
 * headers sent with every request, a per-request timeout in milliseconds (default 30 000),
 * `errors` (`output`, the default: every status is the action's output; `throw`: 401/403, 404,
 * 429, 5xx and other 4xx throw a `ConnectorError`), and `healthPath` for `check`.
 *
 * @example
 * ```ts
 * const config = httpConnectorConfigSchema.parse({
 *   baseUrl: 'https://api.example.com/v1',
 *   auth: { type: 'bearer', token: { $secret: 'API_TOKEN' } },
 *   errors: 'throw',
 *   timeoutMs: 5_000,
 * })
 * ```
 */
export const httpConnectorConfigSchema = z
  .object({
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'an http or https URL' })
      .describe('The URL every request path is appended to'),
    auth: httpAuthSchema.optional(),
    headers: configHeadersSchema.optional(),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(3_600_000)
      .optional()
      .describe('Per-request timeout in milliseconds (default 30000)'),
    errors: z
      .enum(['output', 'throw'])
      .optional()
      .describe(
        '"output" (default): any status is returned; "throw": a 4xx/5xx throws a ConnectorError (429/5xx retryable, with Retry-After)',
      ),
    healthPath: z
      .string()
      .regex(/^\/[^?#]*$/, 'a path that starts with "/"')
      .optional()
      .describe('A path that check() GETs and expects a 2xx from (default: HEAD the base URL)'),
  })
  .strict()

/**
 * The configuration of the HTTP connector, as stored (secrets are references).
 *
 * @example
 * ```ts
 * const config: HttpConnectorConfig = { baseUrl: 'https://api.example.com', errors: 'throw' }
 * ```
 */
export type HttpConnectorConfig = z.output<typeof httpConnectorConfigSchema>
/**
 * The configuration of the HTTP connector as an action sees it (secrets resolved).
 *
 * @example
 * ```ts
 * const seen: ResolvedHttpConnectorConfig = { baseUrl: 'https://api.example.com', auth: { type: 'bearer', token: 'resolved-token' } }
 * ```
 */
export type ResolvedHttpConnectorConfig = WithSecretsResolved<HttpConnectorConfig>
