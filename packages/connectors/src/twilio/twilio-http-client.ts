import { ConnectorError } from '@tessera/core'

/** What the Twilio SDK hands its HTTP client (see the SDK's RequestClient). */
export interface TwilioHttpRequest {
  method: string
  uri: string
  username?: string | undefined
  password?: string | undefined
  headers?: Record<string, string> | undefined
  params?: object | undefined
  data?: object | undefined
  timeout?: number | undefined
}

/** What the Twilio SDK expects back from its HTTP client. */
export interface TwilioHttpResponse {
  statusCode: number
  body: string
  headers: Record<string, string>
}

/**
 * A custom HTTP client for the Twilio SDK (its documented `httpClient` option: an object with a
 * `request(options)` method) that sends with `fetch`, so the step's signal ends a request, sends
 * to `baseUrl` instead of Twilio's hosts when one is configured, and remembers the
 * `Retry-After` of a 429 (the SDK's errors do not carry headers). One is made per call.
 *
 * @example
 * ```ts
 * const httpClient = new TwilioFetchClient({ connector: 'twilio', action: 'send-sms', signal, timeoutMs: 30_000 })
 * const client = twilio(accountSid, authToken, { httpClient })
 * ```
 */
export class TwilioFetchClient {
  /** The `Retry-After` of the last 429 answer, in milliseconds. */
  retryAfterMs: number | undefined

  constructor(
    private readonly settings: {
      connector: string
      action: string
      signal: AbortSignal
      timeoutMs: number
      baseUrl?: string | undefined
      fetch?: typeof globalThis.fetch | undefined
    },
  ) {}

  async request(options: TwilioHttpRequest): Promise<TwilioHttpResponse> {
    const url = this.url(options.uri)
    for (const [key, value] of pairs(options.params)) url.searchParams.append(key, value)
    const headers = new Headers(options.headers)
    if (options.username !== undefined && options.password !== undefined)
      headers.set(
        'authorization',
        `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`,
      )
    let body: string | undefined
    if (options.data !== undefined) {
      if (headers.get('content-type') === 'application/json') body = JSON.stringify(options.data)
      else {
        const form = new URLSearchParams()
        for (const [key, value] of pairs(options.data)) form.append(key, value)
        body = form.toString()
      }
    }
    const timeout = AbortSignal.timeout(this.settings.timeoutMs)
    const where = `${options.method.toUpperCase()} ${url.origin}${url.pathname}`
    try {
      const response = await (this.settings.fetch ?? globalThis.fetch)(url, {
        method: options.method.toUpperCase(),
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.any([this.settings.signal, timeout]),
        redirect: 'manual',
      })
      const text = await response.text()
      if (response.status === 429)
        this.retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
      const record: Record<string, string> = {}
      response.headers.forEach((value, name) => (record[name] = value))
      return { statusCode: response.status, body: text, headers: record }
    } catch (error) {
      const fail = (reason: ConnectorError['reason'], message: string) =>
        new ConnectorError({
          connector: this.settings.connector,
          action: this.settings.action,
          reason,
          message,
          cause: error,
        })
      if (this.settings.signal.aborted) throw fail('aborted', `${where} was aborted by the caller`)
      if (timeout.aborted)
        throw fail('timeout', `${where} did not complete within ${this.settings.timeoutMs} ms`)
      throw fail(
        'network',
        `${where} failed: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  }

  private url(uri: string): URL {
    const url = new URL(uri)
    if (this.settings.baseUrl === undefined) return url
    const base = new URL(this.settings.baseUrl)
    return new URL(base.origin + base.pathname.replace(/\/+$/, '') + url.pathname + url.search)
  }
}

function pairs(object: object | undefined): [string, string][] {
  if (object === undefined || object === null) return []
  return Object.entries(object).flatMap(([key, value]): [string, string][] =>
    value === undefined || value === null
      ? []
      : Array.isArray(value)
        ? value.map((item): [string, string] => [key, String(item)])
        : [[key, String(value)]],
  )
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}
