import { ConnectorError } from '@tessera/core'
import {
  driverErrorCode,
  driverFailure,
  unreachableErrorCodes,
  type DriverFailure,
} from '../driver-failure'
import { parseRetryAfter } from '../http/http-status-error'

const networkCodes = new Set([...unreachableErrorCodes, 'ETIMEDOUT'])
const notFound = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'NoSuchVersion', 'NoSuchUpload'])
const unauthorized = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'Forbidden',
  'AllAccessDisabled',
])
const throttled = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
])

/**
 * Maps an error of `@aws-sdk/client-s3` to a {@link ConnectorError}: NoSuchKey, NoSuchBucket
 * and 404 → `not-found`; InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied and 401/403 →
 * `unauthorized`; SlowDown/Throttling and 429 → `rate-limited` (with `retryAfterMs` from a
 * Retry-After header); other 5xx → `remote`, retryable; other 4xx → `invalid-request`;
 * a 2xx answer the SDK cannot parse → `invalid-response`; connection failures → `network`; a missing credential chain → `invalid-config`. `status` is
 * the HTTP status, else the error name.
 *
 * @example
 * ```ts
 * throw s3Failure({ connector: 's3', action: 'get-object', error, signal })
 * ```
 */
export function s3Failure(options: DriverFailure): ConnectorError {
  const { error } = options
  if (ConnectorError.isInstance(error)) return error
  const fail = driverFailure(options)
  if (options.signal?.aborted === true) return fail('aborted', 'the caller aborted the request')
  const details = error as {
    name?: string
    code?: string
    message?: string
    $metadata?: { httpStatusCode?: number }
    $response?: { headers?: Record<string, string | undefined> }
  } | null
  const name = details?.name ?? ''
  const message = error instanceof Error ? error.message : String(error)
  const httpStatus = details?.$metadata?.httpStatusCode
  const text =
    message && message !== 'UnknownError' ? message : `${name} (HTTP ${httpStatus ?? '?'})`
  const status = httpStatus ?? (name || undefined)
  const extra = status === undefined ? {} : { status }
  if (name === 'CredentialsProviderError')
    return fail('invalid-config', `no credentials: ${message}`)
  const code = driverErrorCode(error)
  if (httpStatus === undefined && code !== undefined && networkCodes.has(code))
    return fail('network', `cannot reach the S3 endpoint (${code})`)
  if (notFound.has(name) || httpStatus === 404) return fail('not-found', text, extra)
  if (unauthorized.has(name) || httpStatus === 401 || httpStatus === 403)
    return fail('unauthorized', text, extra)
  if (throttled.has(name) || httpStatus === 429) {
    const retryAfterMs = parseRetryAfter(details?.$response?.headers?.['retry-after'])
    return fail('rate-limited', text, {
      ...extra,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    })
  }
  if (httpStatus !== undefined && httpStatus >= 500)
    return fail('remote', text, { ...extra, retryable: true })
  if (httpStatus !== undefined && httpStatus >= 400) return fail('invalid-request', text, extra)
  if (httpStatus !== undefined && httpStatus < 300)
    return fail('invalid-response', `the answer could not be read: ${text}`, extra)
  if (name === 'TimeoutError') return fail('timeout', text)
  if (httpStatus === undefined && /socket|ECONN|network|getaddrinfo/i.test(message))
    return fail('network', `cannot reach the S3 endpoint (${message})`)
  return fail('remote', text, extra)
}
