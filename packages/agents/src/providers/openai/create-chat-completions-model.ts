import type {
  LanguageModelV1,
  ModelCapabilities,
  ModelRequest,
  ModelResponse,
  ModelStreamPart,
} from '@tessera/core'
import type OpenAI from 'openai'
import { fromChatCompletion } from './from-chat-completion'
import { streamChatCompletion } from './stream-chat-completion'
import { toChatRequest, type ChatCompletionsDialect } from './to-chat-request'
import { toModelError } from './to-model-error'
import type { ChatResponseContext } from './to-model-response'

/** What {@link createChatCompletionsModel} needs: a client, a model id and a dialect. */
export interface ChatCompletionsModelOptions {
  modelId: string
  /** Returns the SDK client (created at the first call, so that a missing key throws then). */
  client: () => OpenAI
  dialect: ChatCompletionsDialect
  capabilities: ModelCapabilities
  /** Headers sent with every request (before the request's own). */
  headers?: Record<string, string>
  /** Per-request timeout in ms. */
  timeout?: number
}

/**
 * A `LanguageModelV1` over the Chat Completions API of an `openai` SDK client: the shared engine
 * of `@tessera/agents/openai` and `@tessera/agents/openai-compatible`, which differ only in their
 * {@link ChatCompletionsDialect}. Every request is sent with `maxRetries: 0` (retries are a layer
 * of their own), streams ask for `stream_options: { include_usage: true }`, and failures become
 * core's typed errors ({@link toModelError}).
 *
 * @example
 * ```ts
 * const model = createChatCompletionsModel({ modelId: 'gpt-4o-mini', client: () => client, dialect, capabilities })
 * ```
 */
export function createChatCompletionsModel(options: ChatCompletionsModelOptions): LanguageModelV1 {
  const { modelId, dialect } = options
  const provider = dialect.provider

  const prepare = (request: ModelRequest) => {
    request.signal?.throwIfAborted()
    const chat = toChatRequest(request, modelId, dialect)
    const context: ChatResponseContext = {
      provider,
      modelId,
      restoreToolInput: chat.restoreToolInput,
      ...(chat.restoreOutput ? { restoreOutput: chat.restoreOutput } : {}),
    }
    const requestOptions = {
      maxRetries: 0,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.headers || request.headers
        ? { headers: { ...options.headers, ...request.headers } }
        : {}),
    }
    return { body: chat.body, context, requestOptions }
  }

  return {
    specificationVersion: 'v1',
    provider,
    modelId,
    capabilities: options.capabilities,
    async generate(request: ModelRequest): Promise<ModelResponse> {
      const { body, context, requestOptions } = prepare(request)
      try {
        const completion = await options
          .client()
          .chat.completions.create({ ...body, stream: false }, requestOptions)
        return fromChatCompletion(completion, context)
      } catch (error) {
        throw toModelError(error, { provider, modelId, signal: request.signal })
      }
    },
    async *stream(request: ModelRequest): AsyncGenerator<ModelStreamPart> {
      const { body, context, requestOptions } = prepare(request)
      try {
        const chunks = await options.client().chat.completions.create(
          {
            ...body,
            stream: true,
            stream_options: { include_usage: true, ...body.stream_options },
          },
          requestOptions,
        )
        for await (const part of streamChatCompletion(chunks, context)) {
          // The SDK ends an aborted stream quietly: the finish part must not pass for a whole answer.
          if (part.type === 'finish') request.signal?.throwIfAborted()
          yield part
        }
      } catch (error) {
        throw toModelError(error, { provider, modelId, signal: request.signal })
      }
    },
  }
}
