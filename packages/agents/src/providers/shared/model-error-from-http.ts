import { ModelCallError, PromptTooLongError, UnknownModelError } from '@tessera/core'
import { failureOfStatus } from './failure-of-status'
import type { HeadersLike } from './header-value'
import { retryAfterMs } from './retry-after-ms'

/** An HTTP error answer of a vendor, as its SDK reported it. */
export interface HttpModelFailure {
  provider: string
  modelId: string
  status: number
  headers?: HeadersLike
  /** The vendor's error message. */
  message: string
  /** The SDK's error, kept as the `cause`. */
  cause?: unknown
  /**
   * The vendor said the prompt does not fit the model's context window (its error code or
   * message); with the sizes when the vendor gave them.
   */
  promptTooLong?: boolean | { tokens?: number; limit?: number }
  /** The vendor said the model does not exist (a 404 counts as that too). */
  modelNotFound?: boolean
  /** The vendor refused the request for its content policy. */
  contentFiltered?: boolean
  /** Overrides the failure's default retryability (e.g. a 429 for an exhausted quota). */
  retryable?: boolean
}

/**
 * Core's typed error for a vendor's HTTP error answer: `UnknownModelError` for a 404 or a
 * "model not found", `PromptTooLongError` for a context-length error, otherwise a
 * `ModelCallError` whose failure follows the status ({@link failureOfStatus}, or
 * `content-filter`), with `retryAfterMs` from the `Retry-After` headers.
 *
 * @example
 * ```ts
 * throw modelErrorFromHttp({ provider: 'openai', modelId, status: 429, headers, message, cause })
 * ```
 */
export function modelErrorFromHttp(
  failure: HttpModelFailure,
): ModelCallError | UnknownModelError | PromptTooLongError {
  const { provider, modelId, cause } = failure
  if (failure.promptTooLong) {
    const sizes = typeof failure.promptTooLong === 'object' ? failure.promptTooLong : {}
    return new PromptTooLongError({ provider, modelId, ...sizes, cause })
  }
  if (failure.modelNotFound || failure.status === 404) {
    return new UnknownModelError({ provider, modelId, cause })
  }
  const wait = retryAfterMs(failure.headers)
  return new ModelCallError({
    provider,
    modelId,
    failure: failure.contentFiltered ? 'content-filter' : failureOfStatus(failure.status),
    message: failure.message,
    statusCode: failure.status,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
    ...(failure.retryable === undefined ? {} : { retryable: failure.retryable }),
    cause,
  })
}
