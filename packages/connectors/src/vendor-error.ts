// What the SaaS connectors' error mappings (Slack, SendGrid, GitHub, HubSpot, Jira) share: one
// way to build the ConnectorError of a failed call, and the status ladder of the vendors whose
// HTTP errors map alike. Each vendor's body parsing and rate-limit headers stay its own.
import { ConnectorError, type ConnectorFailureReason } from '@tessera/core'

/**
 * The optional fields of a failure: the HTTP status (or the vendor's error code), when to retry,
 * and a `retryable` override.
 *
 * @example
 * ```ts
 * const extra: FailureExtra = { status: 429, retryAfterMs: 12_000 }
 * ```
 */
export interface FailureExtra {
  status?: number | string
  retryAfterMs?: number
  retryable?: boolean
}

/**
 * Builds the `ConnectorError`s of one failed call: `where` names the connector and action,
 * `cause` is what the SDK threw (kept as the error's cause, never copied into the message).
 *
 * @example
 * ```ts
 * const fail = failureOf({ connector: 'slack', action: 'send-message' }, error)
 * if (signal.aborted) return fail('aborted', 'the call was aborted by the caller')
 * ```
 */
export function failureOf(
  where: { connector: string; action: string },
  cause: unknown,
): (reason: ConnectorFailureReason, message: string, extra?: FailureExtra) => ConnectorError {
  return (reason, message, extra = {}) =>
    new ConnectorError({
      connector: where.connector,
      action: where.action,
      reason,
      message,
      cause,
      ...extra,
    })
}

/**
 * Maps an HTTP error status of a vendor API by class: 429 `rate-limited` (with
 * `retryAfterMs` when known), 401/403 `unauthorized`, 404 `not-found`, other 4xx
 * `invalid-request`, anything else `remote` (retryable from 500 on; `retryAfterMs` too when
 * `remoteRetryAfter` is set). `detail` is the vendor's error text; `refused` names what 401/403
 * refused (`the token`, `the credentials`).
 *
 * @example
 * ```ts
 * return vendorStatusError(fail, { vendor: 'Jira', refused: 'the credentials', status: 404, detail: 'Issue does not exist' })
 * ```
 */
export function vendorStatusError(
  fail: ReturnType<typeof failureOf>,
  options: {
    vendor: string
    refused: string
    status: number
    detail: string
    retryAfterMs?: number | undefined
    remoteRetryAfter?: boolean
  },
): ConnectorError {
  const { vendor, status, detail } = options
  const retryAfter =
    options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }
  if (status === 429)
    return fail('rate-limited', `${vendor} rate limit: ${detail}`, { status, ...retryAfter })
  if (status === 401 || status === 403)
    return fail(
      'unauthorized',
      `${vendor} refused ${options.refused} (HTTP ${status}): ${detail}`,
      {
        status,
      },
    )
  if (status === 404) return fail('not-found', `${vendor}: ${detail}`, { status })
  if (status >= 400 && status < 500)
    return fail('invalid-request', `${vendor} refused the request: ${detail}`, { status })
  return fail('remote', `${vendor} answered HTTP ${status}: ${detail}`, {
    status,
    retryable: status >= 500,
    ...(options.remoteRetryAfter === true ? retryAfter : {}),
  })
}
