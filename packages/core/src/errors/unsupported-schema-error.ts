import { TesseraError } from './tessera-error'

/**
 * A schema (structured output or a tool's input) that a provider cannot express: a zod type
 * with no JSON Schema form (a transform, a function, a date), or a construct the vendor's
 * schema dialect lacks. `path` points into the schema; `reason` says what is not supported.
 *
 * @example
 * ```ts
 * defineAgent({ output: z.object({ at: z.date() }), model }) // the first call throws UnsupportedSchemaError at "at"
 * ```
 */
export class UnsupportedSchemaError extends TesseraError {
  readonly provider: string
  /** Where in the schema (a JSON pointer such as `/properties/at`), when known. */
  readonly path: string | undefined
  readonly reason: string
  constructor(options: { provider: string; reason: string; path?: string; cause?: unknown }) {
    super(
      'unsupported_schema',
      `${options.provider} cannot use this schema${options.path ? ` at "${options.path}"` : ''}: ${options.reason}`,
      { retryable: false, cause: options.cause },
    )
    this.name = 'UnsupportedSchemaError'
    this.provider = options.provider
    this.path = options.path
    this.reason = options.reason
  }
  static override isInstance(value: unknown): value is UnsupportedSchemaError {
    return TesseraError.isInstance(value) && value.code === 'unsupported_schema'
  }
  override details() {
    return {
      provider: this.provider,
      reason: this.reason,
      ...(this.path === undefined ? {} : { path: this.path }),
    }
  }
}
