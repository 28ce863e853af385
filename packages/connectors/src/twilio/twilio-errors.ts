import { ConnectorError, type ConnectorFailureReason } from '@tessera/core'

// Twilio error codes (https://www.twilio.com/docs/api/errors) that say the request is wrong.
const invalidRequestCodes = new Set([
  21211, // invalid 'To' phone number
  21212, // invalid 'From' phone number
  21214, // 'To' phone number cannot be reached
  21408, // permission to send an SMS has not been enabled for the region
  21602, // message body is required
  21604, // 'To' phone number is required
  21606, // the 'From' number is not a valid message-capable number
  21608, // trial accounts can only send to verified numbers
  21610, // the recipient unsubscribed (STOP)
  21614, // 'To' number is not a valid mobile number
  21617, // the body exceeds 1600 characters
])
const unauthorizedCodes = new Set([20003, 20005, 20008])

/**
 * Maps an error of the Twilio SDK to a {@link ConnectorError}. Twilio answers errors with
 * `{ code, message, status, more_info }` (or an RFC 9457 problem with `code`): 20003 and other
 * 401/403 → `unauthorized`; 20404 and 404 → `not-found`; 20429 and 429 → `rate-limited` (with
 * `Retry-After` when the answer had one); 21211 (invalid To) and the other request errors →
 * `invalid-request`; 5xx → retryable `remote`. `status` is Twilio's error code.
 *
 * @example
 * ```ts
 * try { await client.messages.create(params) } catch (error) { throw twilioError(error, { connector: 'twilio', action: 'send-sms' }) }
 * ```
 */
export function twilioError(
  error: unknown,
  where: { connector: string; action: string; retryAfterMs?: number | undefined },
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown
    code?: unknown
    message?: unknown
    detail?: unknown
    moreInfo?: unknown
  }
  const httpStatus = typeof fields.status === 'number' ? fields.status : undefined
  const code = typeof fields.code === 'number' ? fields.code : undefined
  const text =
    typeof fields.detail === 'string'
      ? fields.detail
      : typeof fields.message === 'string'
        ? fields.message
        : String(error)
  const make = (
    reason: ConnectorFailureReason,
    extra: { retryable?: boolean; retryAfterMs?: number } = {},
  ) =>
    new ConnectorError({
      connector: where.connector,
      action: where.action,
      reason,
      message: `Twilio answered ${httpStatus ?? 'an error'}${code === undefined ? '' : ` (error ${code})`}: ${text}`,
      cause: error,
      ...(code !== undefined
        ? { status: code }
        : httpStatus !== undefined
          ? { status: httpStatus }
          : {}),
      ...extra,
    })
  if (httpStatus === undefined && code === undefined)
    return new ConnectorError({
      connector: where.connector,
      action: where.action,
      reason: 'invalid-response',
      message: `the Twilio SDK failed: ${text}`,
      cause: error,
    })
  if (code !== undefined && unauthorizedCodes.has(code)) return make('unauthorized')
  if (code === 20429 || httpStatus === 429)
    return make(
      'rate-limited',
      where.retryAfterMs === undefined ? {} : { retryAfterMs: where.retryAfterMs },
    )
  if (code === 20404 || httpStatus === 404) return make('not-found')
  if (code !== undefined && invalidRequestCodes.has(code)) return make('invalid-request')
  if (httpStatus === 401 || httpStatus === 403) return make('unauthorized')
  if (httpStatus !== undefined && httpStatus >= 500)
    return make('remote', { retryable: httpStatus !== 501 })
  return make('invalid-request')
}
