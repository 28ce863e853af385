import {
  ModelCallError,
  PromptTooLongError,
  TesseraError,
  UnknownModelError,
  type ModelCallFailure,
} from '@tessera/core'
import { modelErrorFromHttp } from '../shared/model-error-from-http'
import { retryAfterMs } from '../shared/retry-after-ms'

/** What the mapping needs to know about the call that failed. */
export interface AnthropicErrorContext {
  provider: string
  modelId: string
  signal?: AbortSignal | undefined
}

/**
 * The fields of the SDK's `APIError` this mapping reads. Read by shape, not `instanceof`, so that
 * a client from another copy of `@anthropic-ai/sdk` maps the same.
 */
interface SdkError {
  name?: string
  message?: string
  status?: number
  headers?: { get(name: string): string | null } | undefined
  type?: string | null
  apiMessage?: string | null
  errorCode?: string | null
  error?: { error?: { type?: string; message?: string } } | null
}

/** "prompt is too long: 208310 tokens > 200000 maximum" */
const promptTooLong = /prompt is too long(?::\s*(\d+)\s*tokens\s*>\s*(\d+)\s*maximum)?/i

/** The port's failure for a status-less error event in a stream, by Anthropic's error type. */
const failureOfType: Record<string, ModelCallFailure> = {
  rate_limit_error: 'rate-limited',
  overloaded_error: 'server-error',
  api_error: 'server-error',
  timeout_error: 'server-error',
  conflict_error: 'server-error',
  authentication_error: 'authentication',
  permission_error: 'authentication',
  invalid_request_error: 'bad-request',
  billing_error: 'bad-request',
  request_too_large: 'bad-request',
}

/**
 * Maps anything the Anthropic SDK threw (or a stream's `error` event) to core's typed errors:
 *
 * - an aborted `signal` → the signal's reason, whatever the SDK made of it;
 * - 404 or `not_found_error` → `UnknownModelError`;
 * - `invalid_request_error` "prompt is too long: N tokens > M maximum" → `PromptTooLongError`
 *   (with `tokens` and `limit`);
 * - 429 `rate_limit_error` → `rate-limited` with `retryAfterMs` from `retry-after-ms` or
 *   `retry-after` (not retryable when `error.details.error_code` is `enforced_spend_limit_reached`:
 *   the spend limit lasts until the month ends);
 * - 529 `overloaded_error`, 500 `api_error`, other 5xx, 408 and 409 → `server-error`;
 * - 401 `authentication_error`, 403 `permission_error`, and no credentials → `authentication`;
 * - other 4xx → `bad-request`; connection timeouts → `timeout`; connection failures → `network`;
 *   a body that is not JSON → `malformed-response`.
 *
 * Tessera errors pass through unchanged.
 *
 * @example
 * ```ts
 * try { await client.messages.create(body) } catch (error) { throw mapAnthropicError(error, { provider: 'anthropic', modelId }) }
 * ```
 */
export function mapAnthropicError(error: unknown, context: AnthropicErrorContext): unknown {
  if (context.signal?.aborted) return context.signal.reason
  if (TesseraError.isInstance(error)) return error
  const { provider, modelId } = context
  const failed = (
    failure: ModelCallFailure,
    message: string,
    extra: Partial<ConstructorParameters<typeof ModelCallError>[0]> = {},
  ) => new ModelCallError({ provider, modelId, failure, message, cause: error, ...extra })

  const sdkError = (typeof error === 'object' && error !== null ? error : {}) as SdkError
  const name = sdkError.name ?? ''
  const message =
    sdkError.apiMessage ?? sdkError.error?.error?.message ?? sdkError.message ?? String(error)

  if (name === 'APIUserAbortError') return failed('other', 'the request was aborted')
  if (name === 'APIConnectionTimeoutError') return failed('timeout', 'the request timed out')
  if (name === 'APIConnectionError') {
    const cause = (error as { cause?: { message?: string } }).cause?.message
    return failed('network', `could not reach the API${cause ? `: ${cause}` : ''}`)
  }
  if (error instanceof SyntaxError) {
    return failed(
      'malformed-response',
      `the response is not the Messages API's JSON: ${error.message}`,
    )
  }

  const status = typeof sdkError.status === 'number' ? sdkError.status : undefined
  const type = sdkError.type ?? sdkError.error?.error?.type ?? undefined
  const isApiError = status !== undefined || type !== undefined

  if (isApiError) {
    const tooLong = promptTooLong.exec(message)
    const promptTooLongSizes =
      tooLong && (type === 'invalid_request_error' || status === 400 || status === 413)
        ? {
            ...(tooLong[1] === undefined ? {} : { tokens: Number(tooLong[1]) }),
            ...(tooLong[2] === undefined ? {} : { limit: Number(tooLong[2]) }),
          }
        : undefined
    const spendLimit = sdkError.errorCode === 'enforced_spend_limit_reached'
    if (status !== undefined) {
      return modelErrorFromHttp({
        provider,
        modelId,
        status,
        headers: sdkError.headers as Headers | undefined,
        message: `${type ?? 'error'}: ${message}`,
        cause: error,
        ...(promptTooLongSizes ? { promptTooLong: promptTooLongSizes } : {}),
        modelNotFound: type === 'not_found_error',
        ...(spendLimit ? { retryable: false } : {}),
      })
    }
    // An `error` event in a stream: no status, only Anthropic's error type.
    if (promptTooLongSizes) {
      return new PromptTooLongError({ provider, modelId, ...promptTooLongSizes, cause: error })
    }
    if (type === 'not_found_error')
      return new UnknownModelError({ provider, modelId, cause: error })
    const wait = retryAfterMs(sdkError.headers as Headers | undefined)
    return failed(
      failureOfType[type ?? ''] ?? 'other',
      `${type}: ${message} (an error event in the stream)`,
      {
        ...(wait === undefined ? {} : { retryAfterMs: wait }),
      },
    )
  }

  if (/Could not resolve authentication method|apiKey|credential/i.test(message)) {
    return failed(
      'authentication',
      `no credentials: give createAnthropic an apiKey or set ANTHROPIC_API_KEY (${message})`,
    )
  }
  if (/Streaming is required/i.test(message)) {
    return failed(
      'bad-request',
      `the SDK refuses a non-streaming call this large (max_tokens): use stream(), a smaller maxOutputTokens, or set a timeout (${message})`,
    )
  }
  return failed('other', message)
}
