import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import type { HttpConnectorConfig } from './http-connector-config'
import { headerRecordSchema } from './header-record-schema'
import { httpStatusError } from './http-status-error'
import { prepareHttpRequest } from './prepare-http-request'
import { headerRecord, sendHttpRequest, urlUnderBase } from './send-http-request'

const queryValueSchema = z.union([z.string(), z.number(), z.boolean()])

/**
 * The input schema of the HTTP connector's `request` action. `path` is appended to the
 * configured base URL and cannot leave it; `query` values that are arrays repeat the key;
 * `body` is sent as is when it is a string or bytes, form-encoded when it is an object and the
 * request's `content-type` is `application/x-www-form-urlencoded`, else as JSON.
 *
 * @example
 * ```ts
 * httpRequestInputSchema.parse({ method: 'GET', path: '/orders', query: { status: 'open', page: 2 } })
 * ```
 */
export const httpRequestInputSchema = z
  .object({
    method: z
      .enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
      .describe('The HTTP method'),
    path: z
      .string()
      .regex(
        /^\/[^?#]*$/,
        'a path that starts with "/" and has no "?" or "#" (put parameters in "query")',
      )
      .describe('The path under the base URL, such as "/orders/42"'),
    query: z
      .record(z.string(), z.union([queryValueSchema, z.array(queryValueSchema)]))
      .optional()
      .describe('Query parameters; an array repeats the key'),
    headers: headerRecordSchema.optional().describe('Headers of this request (override config)'),
    body: z
      .unknown()
      .optional()
      .describe(
        'A string or bytes are sent as is; an object with a form content-type is form-encoded; anything else as JSON',
      ),
  })
  .strict()
  .refine(
    (input) => input.body === undefined || (input.method !== 'GET' && input.method !== 'HEAD'),
    {
      message: 'GET and HEAD requests cannot have a body',
      path: ['body'],
    },
  )

/**
 * The output schema of the `request` action: the status (any status: a 404 or a 500 is an
 * answer, not a failure), the response headers (lower-case names), and the body, parsed when
 * the content type is JSON, else text (`null` when empty).
 *
 * @example
 * ```ts
 * const { status, body } = httpResponseOutputSchema.parse(output)
 * ```
 */
export const httpResponseOutputSchema = z.object({
  status: z.number().int().describe('The HTTP status'),
  headers: z.record(z.string(), z.string()).describe('Response headers, lower-case names'),
  body: z.unknown().describe('Parsed JSON, or text, or null when empty'),
})

/**
 * The input of the `request` action.
 *
 * @example
 * ```ts
 * const input: HttpRequestInput = { method: 'GET', path: '/orders', query: { page: 2 } }
 * ```
 */
export type HttpRequestInput = z.input<typeof httpRequestInputSchema>
/**
 * The output of the `request` action.
 *
 * @example
 * ```ts
 * const output: HttpResponseOutput = { status: 200, headers: {}, body: { ok: true } }
 * ```
 */
export type HttpResponseOutput = z.output<typeof httpResponseOutputSchema>

/** The default per-request timeout, in milliseconds.
 *
 * @example
 * ```ts
 * createHttpConnector() // requests time out after defaultHttpTimeoutMs unless config.timeoutMs says otherwise
 * ```
 */
export const defaultHttpTimeoutMs = 30_000

/**
 * Builds the `request` action around a fetch function (injected so tests and hosts can
 * replace it). Network failures and timeouts throw a {@link ConnectorError}; every HTTP status
 * is returned, unless `config.errors` is `'throw'` (see {@link httpStatusError}).
 *
 * @example
 * ```ts
 * const request = createHttpRequestAction({ connectorId: 'http', fetch: () => globalThis.fetch })
 * ```
 */
export function createHttpRequestAction(settings: {
  connectorId: string
  /** Called for every request, so a replaced `globalThis.fetch` is seen. */
  fetch: () => typeof globalThis.fetch
}): ConnectorAction<
  HttpConnectorConfig,
  z.output<typeof httpRequestInputSchema>,
  HttpResponseOutput
> {
  return {
    title: 'Send an HTTP request',
    description:
      'Sends an HTTP request relative to the base URL and returns the status, headers and body',
    examples: [
      {
        title: 'List open orders',
        input: { method: 'GET', path: '/orders', query: { status: 'open' } },
      },
      {
        title: 'Create an order',
        input: { method: 'POST', path: '/orders', body: { sku: 'A-1', quantity: 2 } },
      },
    ],
    input: httpRequestInputSchema,
    output: httpResponseOutputSchema,
    async run({ config, input, signal, idempotencyKey, logger }) {
      const url = urlUnderBase(config.baseUrl, input.path, input.query)
      if (url === undefined)
        throw new ConnectorError({
          connector: settings.connectorId,
          action: 'request',
          reason: 'invalid-request',
          message: `path ${JSON.stringify(input.path)} leaves the base URL ${config.baseUrl}`,
        })
      const headers = prepareHttpRequest({
        connector: settings.connectorId,
        action: 'request',
        url,
        configHeaders: config.headers,
        auth: config.auth,
        idempotencyKey,
        ...(input.headers ? { headers: input.headers } : {}),
      })
      const response = await sendHttpRequest({
        connector: settings.connectorId,
        action: 'request',
        fetch: settings.fetch(),
        method: input.method,
        url,
        headers,
        body: input.body,
        signal,
        timeoutMs: config.timeoutMs ?? defaultHttpTimeoutMs,
        logger,
      })
      if (config.errors === 'throw') {
        const error = httpStatusError({
          connector: settings.connectorId,
          action: 'request',
          where: response.where,
          status: response.status,
          headers: response.headers,
          body: response.body,
        })
        if (error) throw error
      }
      return {
        status: response.status,
        headers: headerRecord(response.headers),
        body: response.body,
      }
    },
  }
}
