import type { z } from 'zod'

/** A part of a message's content. */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'tool-call'; toolCallId: string; toolName: string; input: unknown }
  | {
      type: 'tool-result'
      toolCallId: string
      toolName: string
      output: unknown
      isError?: boolean
    }

/** One message of a conversation, the same for every provider. */
export type ModelMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ContentPart[] }
  | { role: 'assistant'; content: string | ContentPart[] }
  | { role: 'tool'; content: Extract<ContentPart, { type: 'tool-result' }>[] }

/** A tool the model may call, described by JSON Schema. */
export interface ModelTool {
  name: string
  description?: string
  inputSchema: Record<string, unknown>
}

/**
 * Which tools the model may call: `auto` (its choice, the default), `required` (at least one),
 * `none`, or one named tool.
 */
export type ModelToolChoice = 'auto' | 'required' | 'none' | { type: 'tool'; toolName: string }

/** Token counts of one call. */
export interface TokenUsage {
  inputTokens: number
  outputTokens: number
  /** Input tokens served from the provider's prompt cache, when it reports them. */
  cachedInputTokens?: number
}

/** A request to a language model. */
export interface ModelRequest {
  messages: ModelMessage[]
  tools?: ModelTool[]
  toolChoice?: ModelToolChoice
  /** Ask for JSON matching this schema (structured output). */
  responseFormat?: { type: 'json'; schema: Record<string, unknown>; name?: string }
  temperature?: number
  topP?: number
  maxOutputTokens?: number
  stopSequences?: string[]
  seed?: number
  /** Extra HTTP headers for providers that speak HTTP. */
  headers?: Record<string, string>
  /** Vendor-specific options, by provider name: `{ openai: { user: 'u1' } }`. */
  providerOptions?: Record<string, Record<string, unknown>>
  signal?: AbortSignal
}

/** One switch a fallback chain made, and why. */
export interface ModelFallbackSwitch {
  /** The model that failed. */
  provider: string
  modelId: string
  /** Its error, serialised (`code`, `message`, `retryable`, details). */
  reason: { code: string; message: string; retryable: boolean; details?: Record<string, unknown> }
}

/** A complete answer. */
export interface ModelResponse {
  content: ContentPart[]
  finishReason: 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other'
  usage: TokenUsage
  /** The provider's model id that answered, for cost accounting. */
  modelId: string
  /** The provider that answered (differs from the model's own under a fallback chain). */
  provider?: string
  /** The provider's id for the response, when it gives one. */
  responseId?: string
  /** Cost in US dollars, when a price table knows the model (see `@tessera/agents` pricing). */
  costUsd?: number
  /** Set by fallback chains: every model that failed before this one answered. */
  fallbacks?: ModelFallbackSwitch[]
  /** Set by response caches: the answer was served from the cache, not the provider. */
  cached?: boolean
}

/** A piece of a streamed answer. */
export type ModelStreamPart =
  | { type: 'text-delta'; delta: string }
  | { type: 'tool-call-delta'; toolCallId: string; toolName: string; inputDelta: string }
  | { type: 'finish'; response: ModelResponse }

/** What a model can do; callers check it instead of catching "not supported". */
export interface ModelCapabilities {
  tools: boolean
  structuredOutput: boolean
  streaming: boolean
}

/**
 * The language-model port, version 1. Providers in `@tessera/agents/*` implement it;
 * `createScriptedModel` in `@tessera/agents` is a scripted one for users' unit tests.
 *
 * Rules every implementation keeps (the conformance suite in `@tessera/core/testing` checks them):
 * - Failures are `TesseraError`s: `ModelCallError` for transport and HTTP failures (retryable for
 *   429, 5xx, timeouts, network errors and malformed answers, with `retryAfterMs` when the vendor
 *   sent `Retry-After`), `UnknownModelError`, `PromptTooLongError`, `UnsupportedSchemaError`.
 * - An aborted `signal` rejects the call (and ends a stream) with the signal's reason.
 * - `stream()` yields deltas, then exactly one `finish` part whose response holds the whole
 *   answer: the concatenated text, and each tool call with its parsed input.
 * - Providers do not retry on their own: retries, rate limits, fallback and caching are layers
 *   around any model (`@tessera/agents`), so they behave the same for every vendor.
 *
 * @example
 * ```ts
 * const answer = await model.generate({ messages: [{ role: 'user', content: 'Hello' }] })
 * ```
 */
export interface LanguageModelV1 {
  readonly specificationVersion: 'v1'
  /** `openai`, `anthropic`, `google`, `openai-compatible`, `llama-cpp`, … */
  readonly provider: string
  readonly modelId: string
  readonly capabilities: ModelCapabilities
  generate(request: ModelRequest): Promise<ModelResponse>
  stream(request: ModelRequest): AsyncIterable<ModelStreamPart>
}

/** A zod schema or a JSON Schema object. */
export type SchemaLike = z.ZodType | Record<string, unknown>
