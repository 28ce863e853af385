import type { ModelResponse, TokenUsage } from '../ports/language-model-v1'

/**
 * One scripted answer of a local server that speaks a vendor's wire protocol (OpenAI chat
 * completions, Anthropic messages, Gemini generateContent). The language-model conformance suite
 * scripts replies in this vendor-neutral form; each vendor's test server renders them in the
 * vendor's own JSON or server-sent events (whichever the request asked for), from responses
 * recorded from that vendor's API.
 *
 * - `answer`: a successful reply. `text` and `toolCalls` become the vendor's content blocks;
 *   `json` (structured output) is sent as the text of the answer, serialised.
 * - `error`: an HTTP error status with the vendor's error body (`message` inside it), and
 *   `retryAfter` (seconds) as the `Retry-After` header. `errorType` names a failure in
 *   vendor-neutral words that each server renders in its vendor's own form (status, error type
 *   and code, message wording, as the vendor's API sends it):
 *   - `context_length_exceeded` (with `status: 400`): the vendor's "prompt too long" error
 *     (OpenAI `code: 'context_length_exceeded'`, Anthropic's `invalid_request_error` "prompt is
 *     too long", Gemini's `INVALID_ARGUMENT` token-count message);
 *   - `model_not_found` (with `status: 404`): the vendor's "no such model" error.
 *   Other values are passed through as the vendor's error type or code.
 * - `malformed`: status 200 with a body that is not the vendor's format (broken JSON, or a stream
 *   cut off mid-event).
 * - `hang`: the server accepts the request and never answers (timeouts, aborts).
 *
 * @example
 * ```ts
 * server.reply({ type: 'error', status: 429, retryAfter: 1 }, { type: 'answer', text: 'Hi' })
 * ```
 */
export type ModelWireReply =
  | {
      type: 'answer'
      text?: string
      toolCalls?: { id: string; name: string; input: unknown }[]
      json?: unknown
      finishReason?: ModelResponse['finishReason']
      usage?: TokenUsage
    }
  | { type: 'error'; status: number; message?: string; retryAfter?: number; errorType?: string }
  | { type: 'malformed' }
  | { type: 'hang' }

/** A request a vendor test server received, as the vendor's SDK sent it. */
export interface ModelWireRequest {
  method: string
  /** The URL path, e.g. `/v1/chat/completions`. */
  path: string
  headers: Record<string, string>
  /** The parsed JSON body. */
  body: any
}

/**
 * A local HTTP server speaking one vendor's wire protocol, for tests. Replies are served in the
 * order they were scripted; a request with nothing scripted gets a 500 whose message says so.
 */
export interface ModelWireServer {
  /** The base URL to give the vendor SDK (`http://127.0.0.1:<port>/v1` or as the vendor needs). */
  readonly url: string
  /** Scripts the next replies. */
  reply(...replies: ModelWireReply[]): void
  /** Every request received so far, oldest first. */
  readonly requests: readonly ModelWireRequest[]
  /** Forgets scripted replies and received requests. */
  reset(): void
  close(): Promise<void>
}
