import { ModelCallError, TesseraError } from '@tessera/core'
import { modelErrorFromHttp } from '../shared/model-error-from-http'

/** The call an error came from. */
export interface ModelErrorContext {
  provider: string
  modelId: string
  signal?: AbortSignal
}

/** Context-length errors as OpenAI and the common compatible servers word them. */
const contextLengthPattern =
  /maximum context length|context length|context size|context window|too many tokens|prompt is too long/i

/**
 * Maps whatever an `openai` SDK call threw to what the port promises: the signal's reason when
 * the caller aborted; a `TesseraError` as it is; the SDK's HTTP errors through
 * `modelErrorFromHttp` (OpenAI's `context_length_exceeded`, llama.cpp's
 * `exceed_context_size_error` and the usual context-length wording → `PromptTooLongError` with the
 * sizes when the message or body gives them; 404 or `model_not_found` → `UnknownModelError`;
 * `content_filter` → `content-filter`; a 429 for an exhausted quota is not retryable); timeouts
 * → `timeout`; connection failures → `network`; a body that does not parse → `malformed-response`;
 * an error event inside a stream → `server-error`; anything else → `other`. Works with errors of
 * another copy of the SDK (it reads their shape, not their class).
 *
 * @example
 * ```ts
 * try { return await client.chat.completions.create(body) } catch (error) { throw toModelError(error, context) }
 * ```
 */
export function toModelError(error: unknown, context: ModelErrorContext): unknown {
  if (context.signal?.aborted) return context.signal.reason
  if (TesseraError.isInstance(error)) return error
  const { provider, modelId } = context
  const name = (error as { constructor?: { name?: string } } | null)?.constructor?.name ?? ''
  const sdk = error as {
    status?: unknown
    headers?: unknown
    error?: Record<string, unknown> | null
    code?: unknown
    type?: unknown
    message?: unknown
  }
  const body = sdk?.error && typeof sdk.error === 'object' ? sdk.error : undefined
  const message =
    typeof body?.message === 'string'
      ? body.message
      : error instanceof Error
        ? error.message
        : String(error)
  const code = String(sdk?.code ?? body?.code ?? '')
  const type = String(sdk?.type ?? body?.type ?? '')

  if (typeof sdk?.status === 'number') {
    const status = sdk.status
    const promptTooLong =
      code === 'context_length_exceeded' ||
      type === 'exceed_context_size_error' ||
      (status === 400 && contextLengthPattern.test(message))
    return modelErrorFromHttp({
      provider,
      modelId,
      status,
      headers: sdk.headers as Headers | undefined,
      message,
      cause: error,
      promptTooLong: promptTooLong ? contextSizes(message, body) : false,
      modelNotFound: code === 'model_not_found',
      contentFiltered: code === 'content_filter' || code === 'content_policy_violation',
      ...(status === 429 && code === 'insufficient_quota' ? { retryable: false } : {}),
    })
  }
  if (name === 'APIConnectionTimeoutError') {
    return new ModelCallError({ provider, modelId, failure: 'timeout', message, cause: error })
  }
  if (name === 'APIConnectionError') {
    return new ModelCallError({ provider, modelId, failure: 'network', message, cause: error })
  }
  if (name === 'APIUserAbortError') {
    return new ModelCallError({ provider, modelId, failure: 'other', message, cause: error })
  }
  if (error instanceof SyntaxError) {
    return new ModelCallError({
      provider,
      modelId,
      failure: 'malformed-response',
      message: `the answer is not valid JSON: ${message}`,
      cause: error,
    })
  }
  if (name === 'APIError' && body) {
    // An error event inside a stream (`data: {"error": …}`): no HTTP status of its own.
    if (code === 'context_length_exceeded' || contextLengthPattern.test(message)) {
      return modelErrorFromHttp({
        provider,
        modelId,
        status: 400,
        message,
        cause: error,
        promptTooLong: contextSizes(message, body),
      })
    }
    return new ModelCallError({
      provider,
      modelId,
      failure: 'server-error',
      message: `the stream reported an error: ${message}`,
      cause: error,
    })
  }
  return new ModelCallError({ provider, modelId, failure: 'other', message, cause: error })
}

/** The prompt's size and the limit, from OpenAI's or vLLM's wording, or llama.cpp's body. */
function contextSizes(
  message: string,
  body: Record<string, unknown> | undefined,
): { tokens?: number; limit?: number } {
  if (typeof body?.n_prompt_tokens === 'number' && typeof body.n_ctx === 'number') {
    return { tokens: body.n_prompt_tokens, limit: body.n_ctx }
  }
  const limit = /maximum context length is (\d+)/i.exec(message)?.[1]
  const tokens = /(?:resulted in|you requested) (\d+) tokens/i.exec(message)?.[1]
  return {
    ...(limit ? { limit: Number(limit) } : {}),
    ...(tokens ? { tokens: Number(tokens) } : {}),
  }
}
