import { TesseraError } from './tessera-error'

/**
 * An authenticator could not decide, through no fault of the caller: the identity provider's
 * keys (a JWKS endpoint) could not be fetched or read. The HTTP handler answers 503, so a client
 * retries instead of dropping its credentials as it would on a 401, and logs the cause.
 *
 * @example
 * ```ts
 * throw new AuthUnavailableError({ authenticator: 'jwt', reason: 'the JWKS at https://login.example.com/jwks.json timed out' })
 * ```
 */
export class AuthUnavailableError extends TesseraError {
  /** The authenticator that could not decide, such as `jwt`. */
  readonly authenticator: string
  constructor(options: { authenticator: string; reason: string; cause?: unknown }) {
    super(
      'auth_unavailable',
      `${options.authenticator}: credentials cannot be checked now: ${options.reason}`,
      { cause: options.cause, retryable: true },
    )
    this.name = 'AuthUnavailableError'
    this.authenticator = options.authenticator
  }
  /** True for an {@link AuthUnavailableError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is AuthUnavailableError {
    return TesseraError.isInstance(value) && value.code === 'auth_unavailable'
  }
  override details() {
    return { authenticator: this.authenticator }
  }
}
