import type { ConnectorError, ConnectorFailureReason } from '@tessera/core'
import { failureOf, type FailureExtra } from './vendor-error'

// What the data connectors' error mappings (PostgreSQL, MySQL, Redis, S3) share: the socket
// and DNS codes that mean "the server cannot be reached", reading a driver's error code, and
// building the ConnectorError with the call's connector, action and place (failureOf, which
// the SaaS connectors use too, plus the place).

/**
 * Node's socket and DNS error codes that mean the server could not be reached (`ETIMEDOUT` is
 * not among them: a mapping decides whether it means `network` or `timeout`).
 *
 * @example
 * ```ts
 * const networkCodes = new Set([...unreachableErrorCodes, 'ETIMEDOUT'])
 * ```
 */
export const unreachableErrorCodes: readonly string[] = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]

/**
 * The string `code` of a driver error or, for the AggregateError of Node's happy-eyeballs
 * connect, the first code among its members; undefined when there is none.
 *
 * @example
 * ```ts
 * driverErrorCode(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })) // 'ECONNREFUSED'
 * ```
 */
export function driverErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') return code
  const errors = (error as { errors?: unknown }).errors
  if (Array.isArray(errors))
    for (const inner of errors) {
      const innerCode = driverErrorCode(inner)
      if (innerCode !== undefined) return innerCode
    }
  return undefined
}

/**
 * Where a driver error happened and what it was: the input of the data connectors' error
 * mappings (`postgresFailure`, `mysqlFailure`, `redisFailure`, `s3Failure`).
 *
 * @example
 * ```ts
 * const failure: DriverFailure = { connector: 'postgres', action: 'query', error, signal }
 * ```
 */
export interface DriverFailure {
  connector: string
  action: string
  error: unknown
  signal?: AbortSignal | undefined
  /** Where it happened, such as "statement 2"; it prefixes the message. */
  where?: string | undefined
}

/**
 * Returns `fail(reason, message, extra)`, which builds the {@link ConnectorError} of `failure`
 * (with {@link failureOf}): its connector and action, the message prefixed with `where`, the
 * driver error as `cause`.
 *
 * @example
 * ```ts
 * const fail = driverFailure(options)
 * if (code === '42501') return fail('unauthorized', message, { status: code })
 * ```
 */
export function driverFailure(
  failure: DriverFailure,
): (reason: ConnectorFailureReason, message: string, extra?: FailureExtra) => ConnectorError {
  const fail = failureOf(failure, failure.error)
  return (reason, message, extra) =>
    fail(reason, failure.where === undefined ? message : `${failure.where}: ${message}`, extra)
}
