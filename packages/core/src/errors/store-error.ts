import { TesseraError, type TesseraErrorOptions } from './tessera-error'

/**
 * A storage or queue backend failed: a lost connection, a driver error, a corrupt row. Driver
 * errors are wrapped in it (the original is the `cause`); `retryable` says whether the
 * operation may be tried again.
 *
 * @example
 * ```ts
 * throw new StoreError('memory', 'Run "r1" is corrupt: status "bogus" is not a run status')
 * ```
 */
export class StoreError extends TesseraError {
  readonly provider: string
  constructor(provider: string, message: string, options: TesseraErrorOptions = {}) {
    super('store_error', `[${provider}] ${message}`, options)
    this.name = 'StoreError'
    this.provider = provider
  }
  static override isInstance(value: unknown): value is StoreError {
    return TesseraError.isInstance(value) && value.code === 'store_error'
  }
  override details() {
    return { provider: this.provider }
  }
}
