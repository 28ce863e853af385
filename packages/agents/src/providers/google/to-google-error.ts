import { ModelCallError, TesseraError, type ModelCallFailure } from '@tessera/core'
import type { HeadersLike } from '../shared/header-value'
import { modelErrorFromHttp } from '../shared/model-error-from-http'
import { retryAfterMs } from '../shared/retry-after-ms'

/** What the error mapping needs to know about the call that failed. */
export interface GoogleErrorContext {
  provider: string
  modelId: string
  /** The caller's signal: when it aborted, the call fails with its reason. */
  signal?: AbortSignal
  /** The failed response's headers, when the provider's own fetch saw them. */
  headers?: Headers
}

/** Gemini's error body: `{ error: { code, message, status, details } }`. */
interface GeminiErrorBody {
  code?: number
  message?: string
  status?: string
  details?: { '@type'?: string; reason?: string; retryDelay?: string }[]
}

/**
 * Maps anything the `@google/genai` SDK threw to the error a {@link LanguageModelV1} call
 * rejects with: the signal's reason when the caller aborted; `ApiError`s by HTTP status and
 * Gemini's error body (429 rate-limited with the delay of `Retry-After` or `RetryInfo`; 404
 * {@link UnknownModelError}; `INVALID_ARGUMENT` "input token count exceeds the maximum"
 * {@link PromptTooLongError}; 401, 403 and 400 `API_KEY_INVALID` authentication; 408, 409 and
 * 5xx server-error; other 4xx bad-request); the SDK's own timeout; fetch failures (network);
 * bodies that are not Gemini's (malformed-response). `TesseraError`s pass through.
 *
 * @example
 * ```ts
 * try { await ai.models.generateContent(parameters) }
 * catch (error) { throw toGoogleError(error, { provider: 'google', modelId }) }
 * ```
 */
export function toGoogleError(error: unknown, context: GoogleErrorContext): unknown {
  if (context.signal?.aborted) return context.signal.reason
  if (TesseraError.isInstance(error)) return error
  const fail = (
    failure: ModelCallFailure,
    message: string,
    extra: { statusCode?: number; retryAfterMs?: number; retryable?: boolean } = {},
  ) =>
    new ModelCallError({
      provider: context.provider,
      modelId: context.modelId,
      failure,
      message,
      cause: error,
      ...extra,
    })

  if (isApiError(error)) return fromApiError(error, context, fail)

  // DOMExceptions (AbortError, TimeoutError) are read by shape.
  const name = String((error as { name?: unknown } | undefined)?.name ?? '')
  const message = String((error as { message?: unknown } | undefined)?.message ?? error)
  const code = causeCode(error)
  if (name === 'AbortError' || name === 'TimeoutError' || /TIMEOUT/.test(code ?? '')) {
    return fail('timeout', `the request timed out (${message})`)
  }
  if (
    error instanceof SyntaxError ||
    /^(Incomplete JSON segment|exception parsing stream chunk|Response body is empty)/.test(message)
  ) {
    return fail('malformed-response', `the answer is not Gemini's JSON format: ${message}`)
  }
  if (
    (error instanceof TypeError && /fetch failed|terminated|network/i.test(message)) ||
    code !== undefined
  ) {
    return fail('network', `the request failed: ${message}${code ? ` (${code})` : ''}`)
  }
  return fail('other', message, { retryable: false })
}

type Fail = (
  failure: ModelCallFailure,
  message: string,
  extra?: { statusCode?: number; retryAfterMs?: number; retryable?: boolean },
) => ModelCallError

function fromApiError(
  error: { status: number; message: string },
  context: GoogleErrorContext,
  fail: Fail,
): unknown {
  const status = error.status
  const body = parseErrorBody(error.message)
  const text = body?.message ?? error.message
  const message = body?.status ? `${body.status}: ${text}` : text
  const reasons = (body?.details ?? []).map((detail) => detail.reason)
  // Gemini answers a bad API key with 400 INVALID_ARGUMENT and the reason API_KEY_INVALID.
  if (
    status === 400 &&
    (reasons.includes('API_KEY_INVALID') || /API key (not valid|expired)/i.test(text))
  ) {
    return fail('authentication', message, { statusCode: status })
  }
  const tooLong =
    /input token count \((\d+)\) exceeds the maximum number of tokens allowed \((\d+)\)/i.exec(text)
  return modelErrorFromHttp({
    provider: context.provider,
    modelId: context.modelId,
    status,
    headers: retryHeaders(context.headers, body),
    message,
    cause: error,
    promptTooLong:
      status === 400 && tooLong
        ? { tokens: Number(tooLong[1]), limit: Number(tooLong[2]) }
        : status === 400 && /exceeds the maximum number of tokens/i.test(text),
  })
}

/** The SDK's `ApiError` (by shape: a user's own client may come from another copy of the SDK). */
function isApiError(error: unknown): error is { status: number; message: string } {
  return (
    error instanceof Error &&
    error.name === 'ApiError' &&
    typeof (error as { status?: unknown }).status === 'number'
  )
}

/**
 * The SDK puts the response body in the message: the JSON itself, or after `got status: …` for an
 * error sent inside a stream.
 */
function parseErrorBody(message: string): GeminiErrorBody | undefined {
  const start = message.indexOf('{')
  if (start < 0) return undefined
  try {
    const parsed = JSON.parse(message.slice(start)) as { error?: GeminiErrorBody }
    return typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : undefined
  } catch {
    return undefined
  }
}

/**
 * The headers that say how long to wait: the response's own `Retry-After`, else the delay of
 * Gemini's `google.rpc.RetryInfo` detail (a protobuf Duration such as `"37s"` or `"1.5s"`), which
 * is also all a caller's own client lets us see.
 */
function retryHeaders(
  headers: Headers | undefined,
  body: GeminiErrorBody | undefined,
): HeadersLike {
  if (retryAfterMs(headers) !== undefined) return headers
  const retryInfo = body?.details?.find(
    (detail) => detail['@type'] === 'type.googleapis.com/google.rpc.RetryInfo',
  )
  const delay = /^(\d+(?:\.\d+)?)s$/.exec(retryInfo?.retryDelay ?? '')
  return delay ? { 'retry-after-ms': String(Math.round(Number(delay[1]) * 1000)) } : headers
}

/** The error code of a fetch failure (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`, …), if any. */
function causeCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}
