import { ConnectorError, type ConnectorFailureReason } from '@tessera/core'

/** The default per-request timeout of the Teams connectors, in milliseconds. */
export const defaultTeamsTimeoutMs = 30_000

/** A Teams or Graph answer that the connector could read. */
export interface TeamsHttpAnswer {
  status: number
  headers: Headers
  text: string
}

/**
 * Sends one request for a Teams connector with the step's signal and a timeout, and maps
 * failures to `ConnectorError`s: no answer → `network`, `timeout` or `aborted`; 401/403 →
 * `unauthorized`; 404/410 → `not-found` (a deleted webhook answers 410); 429 → `rate-limited`
 * with `Retry-After`; 5xx → retryable `remote`; other 4xx → `invalid-request`. `where` names
 * the request in messages; it never holds the URL of a webhook (a credential).
 *
 * @example
 * ```ts
 * const answer = await teamsRequest({ connector: 'teams', action: 'send-message', where: 'the webhook', url, init, signal })
 * ```
 */
export async function teamsRequest(options: {
  connector: string
  action: string
  where: string
  url: string
  init: RequestInit
  signal: AbortSignal
  timeoutMs?: number | undefined
  fetch?: typeof globalThis.fetch | undefined
}): Promise<TeamsHttpAnswer> {
  const timeoutMs = options.timeoutMs ?? defaultTeamsTimeoutMs
  const timeout = AbortSignal.timeout(timeoutMs)
  const fail = (
    reason: ConnectorFailureReason,
    message: string,
    extra: {
      status?: number | string
      retryAfterMs?: number
      retryable?: boolean
      cause?: unknown
    } = {},
  ) =>
    new ConnectorError({
      connector: options.connector,
      action: options.action,
      reason,
      message: `${options.where}: ${message}`,
      ...extra,
    })
  let answer: TeamsHttpAnswer
  try {
    const response = await (options.fetch ?? globalThis.fetch)(options.url, {
      ...options.init,
      signal: AbortSignal.any([options.signal, timeout]),
      redirect: 'error',
    })
    answer = { status: response.status, headers: response.headers, text: await response.text() }
  } catch (error) {
    if (options.signal.aborted) throw fail('aborted', 'aborted by the caller', { cause: error })
    if (timeout.aborted) throw fail('timeout', `no answer within ${timeoutMs} ms`, { cause: error })
    // The cause may quote the URL (a webhook URL is a credential): keep only its message code.
    const code = (error as { cause?: { code?: unknown } })?.cause?.code
    throw fail('network', `the request failed${typeof code === 'string' ? ` (${code})` : ''}`)
  }
  const { status } = answer
  if (status < 400) return answer
  const detail = errorDetail(answer.text)
  const message = `answered ${status}${detail === undefined ? '' : `: ${detail}`}`
  const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'))
  const after = retryAfterMs === undefined ? {} : { retryAfterMs }
  if (status === 401 || status === 403) throw fail('unauthorized', message, { status })
  if (status === 404 || status === 410) throw fail('not-found', message, { status })
  if (status === 429) throw fail('rate-limited', message, { status, ...after })
  if (status === 408) throw fail('timeout', message, { status })
  if (status >= 500) throw fail('remote', message, { status, retryable: status !== 501, ...after })
  throw fail('invalid-request', message, { status })
}

/** Graph's `{ error: { code, message } }`, or the start of a text body. */
function errorDetail(text: string): string | undefined {
  if (text.trim() === '') return undefined
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }
    if (typeof body.error?.code === 'string')
      return `${body.error.code}${typeof body.error.message === 'string' ? ` (${body.error.message})` : ''}`
  } catch {
    // not JSON: a webhook answers text
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

/**
 * The delay a `Retry-After` header asks for, in milliseconds (delta seconds or an HTTP date).
 *
 * @example
 * ```ts
 * parseRetryAfter('30') // 30000
 * ```
 */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}
