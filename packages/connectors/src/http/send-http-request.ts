import type { Logger } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import { credentialHeaderNames } from './http-auth'

/**
 * What {@link sendHttpRequest} sends.
 *
 * @example
 * ```ts
 * const options: SendHttpRequestOptions = { connector: 'http', action: 'request', fetch, method: 'GET', url, headers: new Headers(), signal, timeoutMs: 5_000, logger }
 * ```
 */
export interface SendHttpRequestOptions {
  connector: string
  action: string
  fetch: typeof globalThis.fetch
  method: string
  url: URL
  headers: Headers
  /**
   * A string or bytes are sent as is; an object with a form `content-type` is form-encoded; any
   * other value is JSON (`content-type: application/json` when there is none).
   */
  body?: unknown
  signal: AbortSignal
  timeoutMs: number
  logger: Logger
}

/**
 * What {@link sendHttpRequest} returns: any status (the caller decides what fails).
 *
 * @example
 * ```ts
 * const { status, body, where } = await sendHttpRequest(options)
 * ```
 */
export interface SentHttpResponse {
  status: number
  headers: Headers
  /** Parsed JSON when the content type is JSON, else text; `null` when empty. */
  body: unknown
  /** `METHOD origin/path`, without the query (it may carry credentials): for messages. */
  where: string
}

/**
 * Sends one request with `fetch`, the caller's signal and a timeout, and reads the body. The
 * shared transport of the HTTP, OpenAPI, GraphQL and webhook connectors. Network failures,
 * timeouts, aborts and (below status 400) a JSON content type with a body that does not parse throw a
 * `ConnectorError` (`network`, `timeout`, `aborted`, `invalid-response`); every status is
 * returned. Redirects are followed (up to 10; 303, and 301/302 after a POST, become a GET), and
 * a redirect to another origin drops `authorization`, `cookie` and every header from the
 * configuration or `auth`. Never logs the query string or headers.
 *
 * @example
 * ```ts
 * const response = await sendHttpRequest({ connector: 'http', action: 'request', fetch, method: 'GET', url: new URL('https://api.example.com/x'), headers: new Headers(), signal, timeoutMs: 30_000, logger })
 * ```
 */
export async function sendHttpRequest(options: SendHttpRequestOptions): Promise<SentHttpResponse> {
  const { url, signal, timeoutMs } = options
  const where = `${options.method} ${url.origin}${url.pathname}`
  const fail = (reason: ConnectorError['reason'], message: string, cause?: unknown) =>
    new ConnectorError({
      connector: options.connector,
      action: options.action,
      reason,
      message,
      cause,
    })
  const timeout = AbortSignal.timeout(timeoutMs)
  const combined = AbortSignal.any([signal, timeout])
  let method = options.method
  let headers = options.headers
  let body = encodeBody(options.body, headers)
  let current = url
  let status: number
  let responseHeaders: Headers
  let text: string
  try {
    // Redirects are followed here (at most maxRedirects), not by fetch: fetch would send custom
    // credential headers (an API key) to whatever origin a Location names.
    for (let hop = 0; ; hop++) {
      const response = await options.fetch(current, {
        method,
        headers,
        body,
        signal: combined,
        redirect: 'manual',
      })
      const location = response.headers.get('location')
      if (!redirectStatuses.has(response.status) || location === null || hop >= maxRedirects) {
        status = response.status
        responseHeaders = response.headers
        text = await response.text()
        break
      }
      await response.body?.cancel()
      const next = new URL(location, current)
      if (next.origin !== current.origin) {
        headers = new Headers(headers)
        for (const name of credentialHeaderNames(options.headers)) headers.delete(name)
      }
      if (response.status === 303 || (response.status <= 302 && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET'
        body = undefined
        headers = new Headers(headers)
        headers.delete('content-type')
      }
      current = next
    }
  } catch (error) {
    if (signal.aborted) throw fail('aborted', `${where} was aborted by the caller`, signal.reason)
    if (timeout.aborted) throw fail('timeout', `${where} did not complete within ${timeoutMs} ms`)
    throw fail(
      'network',
      `${where} failed: ${error instanceof Error ? error.message : String(error)}`,
      error,
    )
  }
  options.logger.debug('http response', {
    method: options.method,
    url: `${url.origin}${url.pathname}`,
    status,
  })
  return {
    status,
    headers: responseHeaders,
    where,
    // An error status with a broken JSON body (a proxy's HTML page) keeps its text: the status
    // says more than the body.
    body: decodeBody(text, responseHeaders, status >= 400, (message, cause) =>
      fail('invalid-response', `${where}: ${message}`, cause),
    ),
  }
}

const redirectStatuses = new Set([301, 302, 303, 307, 308])
/** Redirects followed before the last answer is returned as it is. */
const maxRedirects = 10

function encodeBody(body: unknown, headers: Headers): BodyInit | undefined {
  if (body === undefined) return undefined
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer)
    return body as BodyInit
  const type = headers.get('content-type')
  if (type === null) headers.set('content-type', 'application/json')
  else if (/^application\/x-www-form-urlencoded\b/i.test(type) && typeof body === 'object' && body)
    return formBody(body as Record<string, unknown>)
  return JSON.stringify(body)
}

/** An object as `application/x-www-form-urlencoded`: arrays repeat the key, objects are JSON. */
function formBody(body: Record<string, unknown>): string {
  const form = new URLSearchParams()
  for (const [key, value] of Object.entries(body))
    for (const item of Array.isArray(value) ? value : [value])
      if (item !== undefined && item !== null)
        form.append(key, typeof item === 'object' ? JSON.stringify(item) : String(item))
  return form.toString()
}

function decodeBody(
  text: string,
  headers: Headers,
  lenient: boolean,
  invalid: (message: string, cause: unknown) => ConnectorError,
): unknown {
  if (text === '') return null
  const type = headers.get('content-type') ?? ''
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) return text
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    if (lenient) return text
    throw invalid(`the response says ${JSON.stringify(type)} but its body is not valid JSON`, error)
  }
}

/**
 * Response headers as a record with lower-case names; repeated headers joined with ", ".
 *
 * @example
 * ```ts
 * headerRecord(new Headers({ 'X-Total': '3' })) // { 'x-total': '3' }
 * ```
 */
export function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => {
    record[name] = name in record ? `${record[name]}, ${value}` : value
  })
  return record
}

/**
 * A query value: a scalar, or an array of them (the key repeats).
 *
 * @example
 * ```ts
 * const tags: QueryValue = ['a', 'b'] // ?tag=a&tag=b
 * ```
 */
export type QueryValue = string | number | boolean | readonly (string | number | boolean)[]

/**
 * The URL of `path` under `baseUrl`, with the base URL's own query and `query` appended, or
 * undefined when the path would escape the base URL (`..`).
 *
 * @example
 * ```ts
 * urlUnderBase('https://api.example.com/v1', '/orders', { page: 2 })?.href // 'https://api.example.com/v1/orders?page=2'
 * ```
 */
export function urlUnderBase(
  baseUrl: string,
  path: string,
  query?: Readonly<Record<string, QueryValue | undefined>>,
): URL | undefined {
  const base = new URL(baseUrl)
  const basePath = base.pathname.replace(/\/+$/, '')
  const url = new URL(base.origin + basePath + path)
  if (!isUnderBase(url, base)) return undefined
  base.searchParams.forEach((value, key) => url.searchParams.append(key, value))
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value])
      url.searchParams.append(key, String(item))
  }
  return url
}

/**
 * True when `url` has the origin of `base` and a path at or under its path: where a link
 * from a response may lead without carrying credentials to another host.
 *
 * @example
 * ```ts
 * isUnderBase(new URL('https://api.example.com/v1/x'), new URL('https://api.example.com/v1')) // true
 * ```
 */
export function isUnderBase(url: URL, base: URL): boolean {
  const basePath = base.pathname.replace(/\/+$/, '')
  return (
    url.origin === base.origin &&
    (url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))
  )
}
