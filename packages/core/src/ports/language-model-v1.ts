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

/** Token counts of one call. */
export interface TokenUsage {
  inputTokens: number
  outputTokens: number
}

/** A request to a language model. */
export interface ModelRequest {
  messages: ModelMessage[]
  tools?: ModelTool[]
  /** Ask for JSON matching this schema (structured output). */
  responseFormat?: { type: 'json'; schema: Record<string, unknown>; name?: string }
  temperature?: number
  maxOutputTokens?: number
  signal?: AbortSignal
}

/** A complete answer. */
export interface ModelResponse {
  content: ContentPart[]
  finishReason: 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other'
  usage: TokenUsage
  /** The provider's model id that answered, for cost accounting. */
  modelId: string
}

/** A piece of a streamed answer. */
export type ModelStreamPart =
  | { type: 'text-delta'; delta: string }
  | { type: 'tool-call-delta'; toolCallId: string; toolName: string; inputDelta: string }
  | { type: 'finish'; response: ModelResponse }

/**
 * The language-model port, version 1. Providers in `@tessera/agents/*` implement it;
 * `createScriptedModel` in `@tessera/agents` is a scripted one for users' unit tests.
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
  readonly capabilities: { tools: boolean; structuredOutput: boolean; streaming: boolean }
  generate(request: ModelRequest): Promise<ModelResponse>
  stream(request: ModelRequest): AsyncIterable<ModelStreamPart>
}

/** A zod schema or a JSON Schema object. */
export type SchemaLike = z.ZodType | Record<string, unknown>
