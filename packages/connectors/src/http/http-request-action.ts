import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import type { HttpConnectorConfig } from './http-connector-config'
import { headerRecordSchema } from './header-record-schema'

const queryValueSchema = z.union([z.string(), z.number(), z.boolean()])

/**
 * The input schema of the HTTP connector's `request` action. `path` is appended to the
 * configured base URL and cannot leave it; `query` values that are arrays repeat the key;
 * `body` is sent as is when it is a string or bytes, else as JSON.
 *
 * @example
 * ```ts
 * httpRequestInputSchema.parse({ method: 'GET', path: '/orders', query: { status: 'open', page: 2 } })
 * ```
 */
export const httpRequestInputSchema = z
  .object({
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
    path: z
      .string()
      .regex(
        /^\/[^?#]*$/,
        'a path that starts with "/" and has no "?" or "#" (put parameters in "query")',
      ),
    query: z.record(z.string(), z.union([queryValueSchema, z.array(queryValueSchema)])).optional(),
    headers: headerRecordSchema.optional(),
    body: z.unknown().optional(),
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
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.unknown(),
})

/** The input of the `request` action. */
export type HttpRequestInput = z.input<typeof httpRequestInputSchema>
/** The output of the `request` action. */
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
 * is returned.
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
  const fail = (reason: ConnectorError['reason'], message: string, cause?: unknown) =>
    new ConnectorError({
      connector: settings.connectorId,
      action: 'request',
      reason,
      message,
      cause,
    })

  return {
    description:
      'Sends an HTTP request relative to the base URL and returns the status, headers and body',
    input: httpRequestInputSchema,
    output: httpResponseOutputSchema,
    async run({ config, input, signal, idempotencyKey, logger }) {
      const url = requestUrl(config.baseUrl, input.path, input.query)
      if (url === undefined)
        throw fail(
          'invalid-request',
          `path ${JSON.stringify(input.path)} leaves the base URL ${config.baseUrl}`,
        )
      // Never put the query in messages or logs: it may carry credentials.
      const where = `${input.method} ${url.origin}${url.pathname}`

      const headers = new Headers(config.headers)
      headers.set('idempotency-key', idempotencyKey)
      for (const [name, value] of Object.entries(input.headers ?? {})) headers.set(name, value)
      const body = encodeBody(input.body, headers)

      const timeoutMs = config.timeoutMs ?? defaultHttpTimeoutMs
      const timeout = AbortSignal.timeout(timeoutMs)
      let status: number
      let responseHeaders: Headers
      let text: string
      try {
        const response = await settings.fetch()(url, {
          method: input.method,
          headers,
          body,
          signal: AbortSignal.any([signal, timeout]),
          redirect: 'follow',
        })
        status = response.status
        responseHeaders = response.headers
        text = await response.text()
      } catch (error) {
        if (signal.aborted)
          throw fail('aborted', `${where} was aborted by the caller`, signal.reason)
        if (timeout.aborted)
          throw fail('timeout', `${where} did not complete within ${timeoutMs} ms`)
        throw fail(
          'network',
          `${where} failed: ${error instanceof Error ? error.message : String(error)}`,
          error,
        )
      }
      logger.debug('http response', {
        method: input.method,
        url: `${url.origin}${url.pathname}`,
        status,
      })

      return {
        status,
        headers: headerRecord(responseHeaders),
        body: decodeBody(text, responseHeaders, (message, cause) =>
          fail('invalid-response', `${where}: ${message}`, cause),
        ),
      }
    },
  }
}

/** The URL of `path` under `baseUrl`, or undefined when it would escape it (`..`). */
function requestUrl(
  baseUrl: string,
  path: string,
  query: z.output<typeof httpRequestInputSchema>['query'],
): URL | undefined {
  const base = new URL(baseUrl)
  const basePath = base.pathname.replace(/\/+$/, '')
  const url = new URL(base.origin + basePath + path)
  if (
    url.origin !== base.origin ||
    !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))
  )
    return undefined
  base.searchParams.forEach((value, key) => url.searchParams.append(key, value))
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value])
      url.searchParams.append(key, String(item))
  }
  return url
}

function encodeBody(body: unknown, headers: Headers): BodyInit | undefined {
  if (body === undefined) return undefined
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer)
    return body as BodyInit
  if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  return JSON.stringify(body)
}

function decodeBody(
  text: string,
  headers: Headers,
  invalid: (message: string, cause: unknown) => ConnectorError,
): unknown {
  if (text === '') return null
  const type = headers.get('content-type') ?? ''
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) return text
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw invalid(`the response says ${JSON.stringify(type)} but its body is not valid JSON`, error)
  }
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => {
    record[name] = name in record ? `${record[name]}, ${value}` : value
  })
  return record
}
