const marker = Symbol.for('tessera.error')

/** Options shared by every Tessera error constructor. */
export interface TesseraErrorOptions {
  /** The error that caused this one, kept for logs and `toJSON()`. */
  cause?: unknown
  /** Whether the engine may retry the failed operation. Defaults per error class. */
  retryable?: boolean
}

/** The JSON shape of a serialised {@link TesseraError}, as stored and sent over HTTP. */
export interface SerializedError {
  name: string
  code: string
  message: string
  retryable: boolean
  details?: Record<string, unknown>
  cause?: SerializedError | { name: string; message: string }
}

/**
 * The base of every error Tessera throws. Each subclass has a stable `code`; `isInstance`
 * recognises errors from another copy of the package (a `Symbol.for` marker, not `instanceof`).
 *
 * @example
 * ```ts
 * try {
 *   await run.result()
 * } catch (error) {
 *   if (TesseraError.isInstance(error) && error.code === 'step_timeout') retryLater()
 * }
 * ```
 */
export class TesseraError extends Error {
  /** A stable, machine-readable code such as `validation_failed`. */
  readonly code: string
  /** Whether the operation that failed may succeed when tried again. */
  readonly retryable: boolean
  private readonly [marker] = true

  constructor(code: string, message: string, options: TesseraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'TesseraError'
    this.code = code
    this.retryable = options.retryable ?? false
  }

  /** True for any Tessera error, even one thrown by another copy of the package. */
  static isInstance(value: unknown): value is TesseraError {
    return typeof value === 'object' && value !== null && marker in value
  }

  /** Extra structured fields; subclasses override it to expose theirs in `toJSON()`. */
  details(): Record<string, unknown> | undefined {
    return undefined
  }

  /** A plain, JSON-safe description of this error (and its causes). */
  toJSON(): SerializedError {
    const details = this.details()
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(details ? { details } : {}),
      ...(this.cause === undefined ? {} : { cause: serializeCause(this.cause) }),
    }
  }
}

function serializeCause(cause: unknown): SerializedError | { name: string; message: string } {
  if (TesseraError.isInstance(cause)) return cause.toJSON()
  if (cause instanceof Error) return { name: cause.name, message: cause.message }
  return { name: 'Unknown', message: String(cause) }
}
