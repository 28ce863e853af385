import { StoreError, TesseraError } from '@tessera/core'

export const provider = 'sqlite'

/** SQLite result codes worth another try: another connection holds a lock. */
const retryableCodes = /^SQLITE_(BUSY|LOCKED)/

/**
 * Runs `fn`, turning a driver error into a `StoreError` (retryable for a held lock) that says
 * what could not be done. Tessera errors (not found, invalid argument, corrupt row) pass as
 * they are.
 */
export function guard<T>(operation: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw toStoreError(operation, error)
  }
}

export function toStoreError(operation: string, error: unknown): unknown {
  if (TesseraError.isInstance(error)) return error
  const code = (error as { code?: unknown } | null)?.code
  return new StoreError(
    provider,
    `Could not ${operation}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error, retryable: typeof code === 'string' && retryableCodes.test(code) },
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
