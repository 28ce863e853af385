import { ConnectorError, type ConnectorFailureReason } from '@tessera/core'

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
])

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
export function postgresFailure(options: {
  connector: string
  action: string
  error: unknown
  signal?: AbortSignal | undefined
  /** Where it happened, such as "statement 2". */
  where?: string | undefined
}): ConnectorError {
  const { error, signal } = options
  if (ConnectorError.isInstance(error)) return error
  const fail = (
    reason: ConnectorFailureReason,
    message: string,
    extra: { status?: string; retryable?: boolean } = {},
  ) =>
    new ConnectorError({
      connector: options.connector,
      action: options.action,
      reason,
      message: options.where === undefined ? message : `${options.where}: ${message}`,
      cause: error,
      ...extra,
    })
  if (signal?.aborted === true)
    return fail('aborted', 'the statement was cancelled because the caller aborted')
  const code = errorCode(error)
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

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') return code
  // Node's happy-eyeballs connect throws an AggregateError whose members carry the code.
  const errors = (error as { errors?: unknown }).errors
  if (Array.isArray(errors))
    for (const inner of errors) if (errorCode(inner)) return errorCode(inner)
  return undefined
}
