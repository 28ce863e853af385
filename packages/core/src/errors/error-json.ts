import { TesseraError, type SerializedError } from './tessera-error'

/**
 * Every stable error code Tessera uses, with the HTTP status the HTTP handler maps it to.
 * The one table from codes to statuses.
 *
 * @example
 * ```ts
 * errorCodes.not_found // 404
 * ```
 */
export const errorCodes = {
  invalid_argument: 400,
  unauthenticated: 401,
  forbidden: 403,
  validation_failed: 422,
  invalid_definition: 422,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  step_failed: 500,
  step_timeout: 504,
  wait_timeout: 504,
  run_cancelled: 409,
  non_retryable: 500,
  control_flow: 500,
  store_error: 503,
  engine_closed: 503,
  connector_error: 502,
  connector_config_invalid: 400,
  secrets_unavailable: 503,
  auth_unavailable: 503,
  script_exhausted: 500,
  model_call_failed: 502,
  unknown_model: 400,
  prompt_too_long: 413,
  unsupported_schema: 422,
  structured_output_invalid: 502,
  fallback_exhausted: 502,
  max_steps_exceeded: 500,
  tool_approval_required: 409,
  decision_rule_failed: 500,
  template_placeholder_missing: 422,
  internal: 500,
} as const satisfies Record<string, number>

/** A stable error code. */
export type ErrorCode = keyof typeof errorCodes

/**
 * The HTTP status for an error code (500 for codes it does not know).
 *
 * @example
 * ```ts
 * httpStatusForError(new NotFoundError({ kind: 'run', id: 'x' })) // 404
 * ```
 */
export function httpStatusForError(error: unknown): number {
  if (!TesseraError.isInstance(error)) return 500
  return (errorCodes as Record<string, number>)[error.code] ?? 500
}

/**
 * Turns anything thrown into the JSON form that stores keep and HTTP responses carry.
 *
 * @example
 * ```ts
 * serializeError(new Error('boom')) // { name: 'Error', code: 'internal', message: 'boom', retryable: true }
 * ```
 */
export function serializeError(error: unknown): SerializedError {
  if (TesseraError.isInstance(error)) return error.toJSON()
  if (error instanceof Error) {
    return { name: error.name, code: 'internal', message: error.message, retryable: true }
  }
  return { name: 'Error', code: 'internal', message: String(error), retryable: true }
}

/** A {@link TesseraError} rebuilt from its JSON form, e.g. read back from a store.
 *
 * @example
 * ```ts
 * const error = deserializeError(run.error!) // a RevivedError
 * error.code // 'step_failed'
 * ```
 */
export class RevivedError extends TesseraError {
  readonly data: Record<string, unknown> | undefined
  constructor(json: SerializedError) {
    super(json.code, json.message, {
      retryable: json.retryable,
      cause: json.cause
        ? new RevivedError({ code: 'internal', retryable: false, ...json.cause })
        : undefined,
    })
    this.name = json.name
    this.data = json.details
  }
  override details() {
    return this.data
  }
}

/**
 * Rebuilds an error from {@link serializeError}'s output; `code`, `message` and details survive.
 *
 * @example
 * ```ts
 * const error = deserializeError(run.error!)
 * error.code // 'step_failed'
 * ```
 */
export function deserializeError(json: SerializedError): TesseraError {
  return new RevivedError(json)
}
