import { TesseraError } from './tessera-error'

/**
 * The request carries no credentials, or credentials that are wrong (unknown, malformed,
 * expired, revoked, badly signed). The HTTP handler answers 401 with `wwwAuthenticate` as the
 * `WWW-Authenticate` header, so a client knows which scheme to use.
 *
 * @example
 * ```ts
 * throw new UnauthenticatedError({ reason: 'API key "3f9a0c1d2e4b5a67" was revoked', error: 'invalid_token' })
 * // error.wwwAuthenticate: 'Bearer realm="tessera", error="invalid_token"'
 * ```
 */
export class UnauthenticatedError extends TesseraError {
  /** The `WWW-Authenticate` challenge to send with the 401 (RFC 9110 §11.6.1, RFC 6750 §3). */
  readonly wwwAuthenticate: string
  constructor(options: {
    /** What was wrong, shown to the client: no secret, no stack, no token. */
    reason: string
    /** RFC 6750 error code: `invalid_token` when credentials came but were refused. */
    error?: 'invalid_request' | 'invalid_token'
    /** A full challenge, replacing the default `Bearer realm="tessera"…`. */
    challenge?: string
    realm?: string
    cause?: unknown
  }) {
    super('unauthenticated', `Authentication failed: ${options.reason}`, { cause: options.cause })
    this.name = 'UnauthenticatedError'
    const realm = (options.realm ?? 'tessera').replace(/["\\]/g, '')
    this.wwwAuthenticate =
      options.challenge ??
      `Bearer realm="${realm}"${options.error ? `, error="${options.error}"` : ''}`
  }
  static override isInstance(value: unknown): value is UnauthenticatedError {
    return TesseraError.isInstance(value) && value.code === 'unauthenticated'
  }
  override details() {
    return { wwwAuthenticate: this.wwwAuthenticate }
  }
}
