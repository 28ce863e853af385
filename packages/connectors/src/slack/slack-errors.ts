import { ConnectorError } from '@tessera/core'
import { failureOf } from '../vendor-error'

const notFound = new Set([
  'channel_not_found',
  'message_not_found',
  'thread_not_found',
  'user_not_found',
  'no_item_specified',
  'team_not_found',
])
const unauthorized = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'ekm_access_denied',
  'org_login_required',
  'team_access_not_granted',
])
const remote = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
])

/** The fields of the Slack SDK's errors that the mapping reads (see `@slack/web-api` errors). */
interface SlackSdkError {
  code?: unknown
  data?: { error?: unknown }
  retryAfter?: unknown
  statusCode?: unknown
  headers?: Record<string, string>
  original?: unknown
  message?: unknown
}

/**
 * Maps an error of `@slack/web-api` to a {@link ConnectorError}: `{ ok: false, error }` answers by
 * their error code (`channel_not_found` → `not-found`, `invalid_auth` → `unauthorized`, …), a
 * rate-limited call (HTTP 429) → `rate-limited` with `Retry-After`, other HTTP statuses by class,
 * and failed requests → `network` (`aborted` when `signal` ended them, `timeout` after
 * `timeoutMs`).
 *
 * @example
 * ```ts
 * try { await client.chat.postMessage(args) } catch (error) { throw slackError(error, { connector: 'slack', action: 'send-message', signal }) }
 * ```
 */
export function slackError(
  error: unknown,
  where: { connector: string; action: string; signal: AbortSignal; timeout?: AbortSignal },
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const make = failureOf(where, error)
  if (where.signal.aborted) return make('aborted', 'the call was aborted by the caller')
  if (where.timeout?.aborted) return make('timeout', 'Slack did not answer in time')
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SlackSdkError
  switch (sdk.code) {
    case 'slack_webapi_platform_error': {
      const code = typeof sdk.data?.error === 'string' ? sdk.data.error : 'unknown_error'
      const message = `Slack answered { ok: false, error: ${JSON.stringify(code)} }`
      if (notFound.has(code)) return make('not-found', message, { status: code })
      if (unauthorized.has(code)) return make('unauthorized', message, { status: code })
      if (code === 'ratelimited') return make('rate-limited', message, { status: code })
      if (remote.has(code)) return make('remote', message, { status: code, retryable: true })
      return make('invalid-request', message, { status: code })
    }
    case 'slack_webapi_rate_limited_error': {
      const seconds = typeof sdk.retryAfter === 'number' ? sdk.retryAfter : undefined
      return make(
        'rate-limited',
        `Slack rate-limited the call${seconds === undefined ? '' : ` (retry after ${seconds} s)`}`,
        { status: 429, ...(seconds === undefined ? {} : { retryAfterMs: seconds * 1000 }) },
      )
    }
    case 'slack_webapi_http_error': {
      const status = typeof sdk.statusCode === 'number' ? sdk.statusCode : 0
      const message = `Slack answered HTTP ${status}`
      if (status === 401 || status === 403) return make('unauthorized', message, { status })
      if (status === 404 || status === 410) return make('not-found', message, { status })
      if (status >= 500) return make('remote', message, { status, retryable: status !== 501 })
      return make('remote', message, { status })
    }
    case 'slack_webapi_request_error': {
      const original = sdk.original as { name?: unknown; message?: unknown } | undefined
      if (original?.name === 'TimeoutError') return make('timeout', 'Slack did not answer in time')
      if (original?.name === 'AbortError' && where.signal.aborted)
        return make('aborted', 'the call was aborted by the caller')
      return make(
        'network',
        `the request to Slack failed: ${typeof original?.message === 'string' ? original.message : 'unknown error'}`,
      )
    }
    default: {
      const message = error instanceof Error ? error.message : String(error)
      // The SDK rejects a 429 without a readable Retry-After with a plain Error.
      if (/rate limit|retry header/i.test(message))
        return make('rate-limited', `Slack rate-limited the call: ${message}`, { status: 429 })
      return make('remote', `the Slack call failed: ${message}`)
    }
  }
}
