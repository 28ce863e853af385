import { ConnectorError } from '@tessera/core'
import {
  driverErrorCode,
  driverFailure,
  unreachableErrorCodes,
  type DriverFailure,
} from '../driver-failure'

const networkCodes = new Set([
  ...unreachableErrorCodes,
  'PROTOCOL_CONNECTION_LOST',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
])
const unauthorizedCodes = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_COLUMNACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
])
const notFoundCodes = new Set(['ER_NO_SUCH_TABLE', 'ER_SP_DOES_NOT_EXIST', 'ER_BAD_TABLE_ERROR'])
const invalidRequestCodes = new Set([
  'ER_PARSE_ERROR',
  'ER_BAD_FIELD_ERROR',
  'ER_WRONG_VALUE_COUNT_ON_ROW',
  'ER_WRONG_ARGUMENTS',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_DATA_TOO_LONG',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_NON_UNIQ_ERROR',
  'ER_UNSUPPORTED_PS',
  'ER_WRONG_ARGUMENTS',
])
const retryableCodes = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_WAIT_TIMEOUT'])

/**
 * Maps an error of the `mysql2` driver to a {@link ConnectorError}: connection failures →
 * `network`; ER_ACCESS_DENIED_ERROR and the other access errors → `unauthorized`;
 * ER_NO_SUCH_TABLE → `not-found`; ER_BAD_DB_ERROR → `invalid-config`; parse and value errors →
 * `invalid-request`; deadlocks and lock wait timeouts → `remote`, retryable; anything else →
 * `remote` with `status` the driver's code (ER_DUP_ENTRY: not retryable).
 *
 * @example
 * ```ts
 * throw mysqlFailure({ connector: 'mysql', action: 'query', error, signal })
 * ```
 */
export function mysqlFailure(options: DriverFailure): ConnectorError {
  const { error } = options
  if (ConnectorError.isInstance(error)) return error
  const fail = driverFailure(options)
  if (options.signal?.aborted === true)
    return fail('aborted', 'the statement was killed because the caller aborted')
  const code = driverErrorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  if (code === undefined) return fail('remote', message)
  const status = code
  if (networkCodes.has(code))
    return fail('network', `cannot reach the MySQL server (${code})`, { status })
  if (code === 'ETIMEDOUT')
    return fail('timeout', 'no connection within connectTimeoutMs', { status })
  if (unauthorizedCodes.has(code)) return fail('unauthorized', message, { status })
  if (notFoundCodes.has(code)) return fail('not-found', message, { status })
  if (code === 'ER_BAD_DB_ERROR') return fail('invalid-config', message, { status })
  if (invalidRequestCodes.has(code)) return fail('invalid-request', message, { status })
  if (code === 'STATEMENT_TIMEOUT') return fail('timeout', message)
  if (code === 'ER_QUERY_INTERRUPTED') return fail('aborted', message, { status })
  if (retryableCodes.has(code)) return fail('remote', message, { status, retryable: true })
  return fail('remote', message, { status })
}
