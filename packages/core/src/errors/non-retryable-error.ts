import { TesseraError, type TesseraErrorOptions } from './tessera-error'

/**
 * Throw it from a step to fail at once, whatever the retry policy says: for errors that another
 * attempt cannot fix (a 400 from an API, a missing record).
 *
 * @example
 * ```ts
 * run: async ({ input }) => {
 *   const user = await db.find(input.userId)
 *   if (!user) throw new NonRetryableError(`No user ${input.userId}`)
 *   return user
 * }
 * ```
 */
export class NonRetryableError extends TesseraError {
  constructor(message: string, options: Omit<TesseraErrorOptions, 'retryable'> = {}) {
    super('non_retryable', message, { ...options, retryable: false })
    this.name = 'NonRetryableError'
  }
  static override isInstance(value: unknown): value is NonRetryableError {
    return TesseraError.isInstance(value) && value.code === 'non_retryable'
  }
}
