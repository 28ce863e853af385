import { ConnectorError, type ConnectorFailureReason } from '@tessera/core'

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
])
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
export function s3Failure(options: {
  connector: string
  action: string
  error: unknown
  signal?: AbortSignal | undefined
  where?: string | undefined
}): ConnectorError {
  const { error } = options
  if (ConnectorError.isInstance(error)) return error
  const fail = (
    reason: ConnectorFailureReason,
    message: string,
    extra: { status?: number | string; retryable?: boolean; retryAfterMs?: number } = {},
  ) =>
    new ConnectorError({
      connector: options.connector,
      action: options.action,
      reason,
      message: options.where === undefined ? message : `${options.where}: ${message}`,
      cause: error,
      ...extra,
    })
  if (options.signal?.aborted === true) return fail('aborted', 'the caller aborted the request')
  const details = error as {
    name?: string
    code?: string
    message?: string
    $metadata?: { httpStatusCode?: number }
    $response?: { headers?: Record<string, string | undefined> }
    errors?: unknown[]
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
  const code = details?.code ?? nestedCode(details?.errors)
  if (httpStatus === undefined && code !== undefined && networkCodes.has(code))
    return fail('network', `cannot reach the S3 endpoint (${code})`)
  if (notFound.has(name) || httpStatus === 404) return fail('not-found', text, extra)
  if (unauthorized.has(name) || httpStatus === 401 || httpStatus === 403)
    return fail('unauthorized', text, extra)
  if (throttled.has(name) || httpStatus === 429) {
    const retryAfterMs = retryAfter(details?.$response?.headers?.['retry-after'])
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

function nestedCode(errors: unknown[] | undefined): string | undefined {
  for (const inner of errors ?? []) {
    const code = (inner as { code?: unknown } | null)?.code
    if (typeof code === 'string') return code
  }
  return undefined
}

/** Milliseconds from a Retry-After header: delay-seconds or an HTTP date. */
function retryAfter(header: string | undefined): number | undefined {
  if (header === undefined) return undefined
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}
