import { StoreError, TesseraError } from '@tessera/core'

export const provider = 'mysql'

/** Server errors that end a transaction because of another one: worth trying it again. */
const lockConflicts = new Set([
  1205, // ER_LOCK_WAIT_TIMEOUT
  1213, // ER_LOCK_DEADLOCK
  1020, // ER_CHECKREAD: MariaDB's "record has changed since last read" (snapshot isolation)
])

/** Server errors that say the server or the connection is (momentarily) unavailable. */
const unavailable = new Set([
  1040, // ER_CON_COUNT_ERROR: too many connections
  1053, // ER_SERVER_SHUTDOWN
  1077, // ER_NORMAL_SHUTDOWN
  1079, // ER_SHUTDOWN_COMPLETE
  1129, // ER_HOST_IS_BLOCKED
  1317, // ER_QUERY_INTERRUPTED
  1927, // ER_CONNECTION_KILLED (MariaDB)
  2002, // CR_CONNECTION_ERROR
  2003, // CR_CONN_HOST_ERROR
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST
  3169, // ER_SESSION_WAS_KILLED (MySQL)
  4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL)
])

/** Node and mysql2 error codes of a lost or refused connection. */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_PACKETS_OUT_OF_ORDER',
])

interface DriverError {
  code?: unknown
  errno?: unknown
  fatal?: unknown
}

const driverError = (error: unknown): DriverError =>
  typeof error === 'object' && error !== null ? (error as DriverError) : {}

/** A deadlock or lock wait timeout: the store retries the whole transaction a few times. */
export function isLockConflict(error: unknown): boolean {
  const { errno } = driverError(error)
  return typeof errno === 'number' && lockConflicts.has(errno)
}

/** Whether an operation that failed with this driver error may succeed when tried again. */
export function isRetryable(error: unknown): boolean {
  const { code, errno, fatal } = driverError(error)
  if (typeof errno === 'number' && (lockConflicts.has(errno) || unavailable.has(errno))) {
    return true
  }
  if (typeof code === 'string' && connectionCodes.has(code)) return true
  return fatal === true
}

/** Whether the connection that gave this error can no longer be used (destroy, not release). */
export function isFatal(error: unknown): boolean {
  const { code, fatal } = driverError(error)
  return fatal === true || (typeof code === 'string' && connectionCodes.has(code))
}

/** The server's error number, if the error came from the server. */
export function errnoOf(error: unknown): number | undefined {
  const { errno } = driverError(error)
  return typeof errno === 'number' ? errno : undefined
}

/**
 * Turns a driver error into a `StoreError` that says what could not be done (retryable for
 * lock conflicts and lost connections). Tessera errors (not found, invalid argument, corrupt
 * row) pass as they are.
 */
export function toStoreError(operation: string, error: unknown, note = ''): unknown {
  if (TesseraError.isInstance(error)) return error
  return new StoreError(
    provider,
    `Could not ${operation}${note}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error, retryable: isRetryable(error) },
  )
}

/** A row that cannot be read back: names the table and the row. */
export function corruptRow(
  table: string,
  id: string,
  problem: string,
  cause?: unknown,
): StoreError {
  return new StoreError(
    provider,
    `Corrupt row "${id}" in table ${table}: ${problem}`,
    cause === undefined ? {} : { cause },
  )
}
