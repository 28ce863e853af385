import { TesseraError } from './tessera-error'

/** Why a secrets provider could not answer. */
export type SecretsFailureReason =
  /** The encryption key is missing or malformed (not 32 bytes in base64). */
  | 'invalid-key'
  /** The key is not the one the file was written with. */
  | 'wrong-key'
  /** The file was changed by something other than Tessera (an entry does not authenticate). */
  | 'tampered'
  /** The file cannot be read or is not a secrets file. */
  | 'unreadable'

/**
 * A secrets provider could not answer: an encrypted secrets file with the wrong key, a tampered
 * or unreadable file, a malformed key. Never carries a key or a secret value.
 *
 * @example
 * ```ts
 * try {
 *   await secrets.get('SLACK_TOKEN')
 * } catch (error) {
 *   if (SecretsError.isInstance(error) && error.reason === 'wrong-key') console.error(error.message)
 * }
 * ```
 */
export class SecretsError extends TesseraError {
  /** The provider, such as `encrypted-file`. */
  readonly provider: string
  readonly reason: SecretsFailureReason
  constructor(options: {
    provider: string
    reason: SecretsFailureReason
    message: string
    cause?: unknown
  }) {
    super('secrets_unavailable', `${options.provider}: ${options.message}`, {
      cause: options.cause,
      retryable: false,
    })
    this.name = 'SecretsError'
    this.provider = options.provider
    this.reason = options.reason
  }
  /** True for a {@link SecretsError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is SecretsError {
    return TesseraError.isInstance(value) && value.code === 'secrets_unavailable'
  }
  override details() {
    return { provider: this.provider, reason: this.reason }
  }
}
