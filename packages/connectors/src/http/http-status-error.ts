import { ConnectorError } from '../connector-error'

/**
 * The delay a `Retry-After` header asks for, in milliseconds: delta seconds or an HTTP date
 * (RFC 9110 §10.2.3). Undefined when absent or unreadable; never negative.
 *
 * @example
 * ```ts
 * parseRetryAfter('120') // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')) // 60000
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/** A short, credential-free summary of an error body for a message. */
function bodySummary(body: unknown): string {
  if (body === null || body === undefined || body === '') return ''
  let text: string
  if (typeof body === 'string') text = body
  else if (typeof body === 'object') {
    const record = body as Record<string, unknown>
    const parts = ['title', 'message', 'error', 'detail', 'error_description']
      .map((key) => record[key])
      .filter((value): value is string => typeof value === 'string')
    text = parts.length > 0 ? parts.join(': ') : JSON.stringify(body)
  } else text = String(body)
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`
}

/**
 * Maps a non-2xx HTTP answer to a {@link ConnectorError} as every Tessera connector does: 401
 * and 403 → `unauthorized`; 404 and 410 → `not-found`; 429 → `rate-limited` (retryable, with
 * `retryAfterMs` from `Retry-After`); 5xx → `remote`, retryable, with `retryAfterMs` when a 503
 * says when; 408 → `timeout`; any other status → `remote`, not retryable. Returns undefined for
 * 1xx–3xx and 2xx statuses. The message names the method, origin and path (never the query)
 * and the start of the error body.
 *
 * @example
 * ```ts
 * const error = httpStatusError({ connector: 'http', action: 'request', where: 'GET https://api.example.com/x', status: 429, headers: response.headers, body })
 * if (error) throw error
 * ```
 */
export function httpStatusError(options: {
  connector: string
  action: string
  /** `METHOD origin/path`, without the query string. */
  where: string
  status: number
  headers: Headers
  body: unknown
  nowMs?: number
}): ConnectorError | undefined {
  const { status } = options
  if (status < 400) return undefined
  const retryAfterMs = parseRetryAfter(options.headers.get('retry-after'), options.nowMs)
  const make = (
    reason: ConnectorError['reason'],
    extra: { retryable?: boolean; retryAfterMs?: number } = {},
  ) =>
    new ConnectorError({
      connector: options.connector,
      action: options.action,
      reason,
      status,
      message: `${options.where} answered ${status}${bodySummary(options.body)}`,
      ...extra,
    })
  const retryAfter = retryAfterMs === undefined ? {} : { retryAfterMs }
  if (status === 401 || status === 403) return make('unauthorized')
  if (status === 404 || status === 410) return make('not-found')
  if (status === 408) return make('timeout')
  if (status === 429) return make('rate-limited', retryAfter)
  if (status >= 500) return make('remote', { retryable: status !== 501, ...retryAfter })
  return make('remote', { retryable: false })
}
