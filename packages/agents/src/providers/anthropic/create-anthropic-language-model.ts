import type Anthropic from '@anthropic-ai/sdk'
import type { LanguageModelV1, ModelRequest, ModelResponse, ModelStreamPart } from '@tessera/core'
import { assertAnthropicMessage, fromAnthropicMessage } from './from-anthropic-message'
import { mapAnthropicError } from './map-anthropic-error'
import { readAnthropicStream } from './read-anthropic-stream'
import { toAnthropicRequest } from './to-anthropic-request'

/** What one Anthropic model needs: its id, a client, and the provider's request options. */
export interface AnthropicLanguageModelOptions {
  provider: string
  modelId: string
  /** The SDK client, made at the first call (so that a missing key never throws at import). */
  client: () => Anthropic
  /** `max_tokens` when a request gives no `maxOutputTokens`. */
  defaultMaxTokens: number
  /** Headers sent with every request (the request's own `headers` win). */
  headers?: Record<string, string> | undefined
  /** Per-request timeout in ms, for a client the caller brought. */
  timeout?: number | undefined
}

/**
 * A `LanguageModelV1` over the Anthropic Messages API (`client.messages.create`), raw: no
 * retries (the provider's clients have `maxRetries: 0`), every failure mapped to core's typed
 * errors by {@link mapAnthropicError}.
 *
 * @example
 * ```ts
 * const model = createAnthropicLanguageModel({ provider: 'anthropic', modelId: 'claude-sonnet-5-5', client: () => client, defaultMaxTokens: 16384 })
 * ```
 */
export function createAnthropicLanguageModel(
  options: AnthropicLanguageModelOptions,
): LanguageModelV1 {
  const { provider, modelId } = options

  const requestOptions = (request: ModelRequest): Anthropic.RequestOptions => {
    const headers = { ...options.headers, ...request.headers }
    return {
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    }
  }

  return {
    specificationVersion: 'v1',
    provider,
    modelId,
    capabilities: { tools: true, structuredOutput: true, streaming: true },

    async generate(request: ModelRequest): Promise<ModelResponse> {
      const signal = request?.signal
      signal?.throwIfAborted()
      const { body, outputTool } = toAnthropicRequest(request, modelId, options.defaultMaxTokens)
      const context = { provider, modelId, outputTool }
      try {
        const message: unknown = await options
          .client()
          .messages.create(body, requestOptions(request))
        assertAnthropicMessage(message, context)
        return fromAnthropicMessage(message, context)
      } catch (error) {
        throw mapAnthropicError(error, { provider, modelId, signal })
      }
    },

    async *stream(request: ModelRequest): AsyncGenerator<ModelStreamPart> {
      const signal = request?.signal
      signal?.throwIfAborted()
      const { body, outputTool } = toAnthropicRequest(request, modelId, options.defaultMaxTokens)
      const context = { provider, modelId, outputTool }
      try {
        const events = await options
          .client()
          .messages.create({ ...body, stream: true }, requestOptions(request))
        yield* readAnthropicStream(events, context)
      } catch (error) {
        throw mapAnthropicError(error, { provider, modelId, signal })
      }
    },
  }
}
