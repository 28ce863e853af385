import { ConnectorError } from '@tessera/core'
import {
  driverErrorCode,
  driverFailure,
  unreachableErrorCodes,
  type DriverFailure,
} from '../driver-failure'

const networkCodes = new Set([...unreachableErrorCodes, 'ETIMEDOUT'])

/**
 * Maps an error of the `pg` driver to a {@link ConnectorError}: connection failures →
 * `network`; SQLSTATE 28xxx → `unauthorized`; 42P01 (undefined table) and 42883 (undefined
 * function) → `not-found`; 42501 → `unauthorized`; other 42xxx and 22xxx → `invalid-request`;
 * 57014 → `aborted` when the caller aborted, else `timeout`; 40001/40P01, 53xxx, 57P01–03 and
 * 08xxx → retryable; everything else with a SQLSTATE → `remote` with `status` set to it
 * (23505 unique violation: `remote`, status '23505', not retryable). Never includes
 * configuration values in the message.
 *
 * @example
 * ```ts
 * throw postgresFailure({ connector: 'postgres', action: 'query', error, signal })
 * ```
 */
export function postgresFailure(options: DriverFailure): ConnectorError {
  const { error, signal } = options
  if (ConnectorError.isInstance(error)) return error
  const fail = driverFailure(options)
  if (signal?.aborted === true)
    return fail('aborted', 'the statement was cancelled because the caller aborted')
  const code = driverErrorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    const status = code
    if (code === '57014')
      return /statement timeout/i.test(message)
        ? fail('timeout', `the statement exceeded statementTimeoutMs (${message})`, { status })
        : fail('aborted', `the statement was cancelled (${message})`, { status })
    if (code.startsWith('28') || code === '42501') return fail('unauthorized', message, { status })
    if (code === '42P01' || code === '42883' || code === '3F000')
      return fail('not-found', message, { status })
    if (code === '3D000') return fail('invalid-config', message, { status })
    if (code.startsWith('42') || code.startsWith('22') || code === '0A000')
      return fail('invalid-request', message, { status })
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')
      return fail('network', message, { status })
    if (code === '40001' || code === '40P01' || code.startsWith('53'))
      return fail('remote', message, { status, retryable: true })
    return fail('remote', message, { status })
  }
  if (code !== undefined && networkCodes.has(code))
    return fail('network', `cannot reach the PostgreSQL server (${code})`)
  if (/timeout exceeded when trying to connect/i.test(message))
    return fail('timeout', 'no connection within connectTimeoutMs')
  if (/Connection terminated|connection.*(?:closed|ended)|ECONNRESET/i.test(message))
    return fail('network', message)
  if (/self[- ]signed|certificate|SSL|TLS/i.test(message)) return fail('network', message)
  return fail('remote', message)
}
