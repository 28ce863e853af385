import { InvalidArgumentError, type LanguageModelV1, type ModelCapabilities } from '@tessera/core'
import OpenAI from 'openai'
import { createChatCompletionsModel } from '../openai/create-chat-completions-model'
import { providerLimits, type ProviderLimits } from '../../reliability/provider-limits'

/** Settings of {@link createOpenAICompatible}. */
export interface OpenAICompatibleSettings {
  /** The provider's name: on models and responses (`provider`), in errors, in `providerOptions`. */
  name: string
  /** The server's OpenAI-style base URL, e.g. `http://localhost:11434/v1` for Ollama. */
  baseURL: string
  /** Sent as `Authorization: Bearer …` when given; no key, no header. */
  apiKey?: string
  /** Headers sent with every request. */
  headers?: Record<string, string>
  /** Your own `openai` client pointed at the server (baseURL and apiKey are then its own). */
  client?: OpenAI
  /** What the server's models can do. Default: everything. */
  capabilities?: Partial<ModelCapabilities>
  /**
   * How structured output is asked for: `json-schema` (`response_format: { type: 'json_schema' }`,
   * the default: vLLM, llama.cpp server, LM Studio, recent Ollama) or `json-object`
   * (`{ type: 'json_object' }` with the schema stated in the system prompt, for servers without
   * JSON-schema support).
   */
  structuredOutputs?: 'json-schema' | 'json-object'
  /**
   * Converts schemas to OpenAI's strict dialect and sends `strict: true` (for servers that
   * enforce it as OpenAI does, e.g. Azure OpenAI). Default false: schemas are sent as they are.
   */
  strictJsonSchema?: boolean
  /** The body field for `maxOutputTokens`. Default `max_tokens` (every server knows it). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens'
  /** Per-request timeout in ms. */
  timeout?: number
  /** A `fetch` implementation for the SDK. */
  fetch?: typeof globalThis.fetch
  /**
   * Rate limits shared by every model of this provider instance (one limiter, made here):
   * `{ concurrency: 2 }` for a local server, or a `createRateLimiter()` shared more widely.
   */
  limits?: ProviderLimits
}

/** Settings of one model of an OpenAI-compatible server. */
export interface OpenAICompatibleModelSettings {
  /** The role of system messages. Default `system`. */
  systemMessageRole?: 'system' | 'developer'
  /** Sends tools with `strict: true`, their schemas converted to the strict dialect. */
  strictTools?: boolean
}

/** Creates models of one OpenAI-compatible server by id. */
export type OpenAICompatibleProvider = (
  modelId: string,
  settings?: OpenAICompatibleModelSettings,
) => LanguageModelV1

/**
 * A provider for any server that speaks OpenAI's Chat Completions API: Ollama, vLLM, the
 * llama.cpp server, LM Studio, and hosted gateways. Same mapping as `@tessera/agents/openai`;
 * `provider` is the given `name`, no key is required, `maxOutputTokens` is sent as `max_tokens`,
 * and structured output can fall back to JSON mode (`structuredOutputs: 'json-object'`).
 *
 * @example
 * ```ts
 * import { createOpenAICompatible } from '@tessera/agents/openai-compatible'
 * const ollama = createOpenAICompatible({ name: 'ollama', baseURL: 'http://localhost:11434/v1' })
 * const answer = await ollama('llama3.2').generate({ messages: [{ role: 'user', content: 'Hi' }] })
 * ```
 */
export function createOpenAICompatible(
  settings: OpenAICompatibleSettings,
): OpenAICompatibleProvider {
  if (typeof settings?.name !== 'string' || settings.name.trim() === '') {
    throw new InvalidArgumentError({
      fn: 'createOpenAICompatible',
      argument: 'settings.name',
      expected: 'a non-empty provider name such as "ollama"',
      received: settings?.name,
    })
  }
  if (
    !settings.client &&
    (typeof settings.baseURL !== 'string' || !/^https?:\/\//.test(settings.baseURL))
  ) {
    throw new InvalidArgumentError({
      fn: 'createOpenAICompatible',
      argument: 'settings.baseURL',
      expected: 'an http(s) URL such as "http://localhost:11434/v1"',
      received: settings.baseURL,
    })
  }
  const { name } = settings
  let client: OpenAI | undefined = settings.client
  const clientOf = (): OpenAI => {
    client ??= new OpenAI({
      baseURL: settings.baseURL,
      maxRetries: 0,
      // The SDK insists on a key; without one, the Authorization header is left out.
      apiKey: settings.apiKey ?? 'no-key',
      defaultHeaders: {
        ...(settings.apiKey === undefined ? { Authorization: null } : {}),
        ...settings.headers,
      },
      ...(settings.timeout === undefined ? {} : { timeout: settings.timeout }),
      ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    })
    return client
  }

  const limit = providerLimits(settings.limits)
  return (modelId, modelSettings = {}) => {
    if (typeof modelId !== 'string' || modelId.trim() === '') {
      throw new InvalidArgumentError({
        fn: name,
        argument: 'modelId',
        expected: 'a non-empty model id',
        received: modelId,
      })
    }
    const model = createChatCompletionsModel({
      modelId,
      client: clientOf,
      capabilities: {
        tools: true,
        structuredOutput: true,
        streaming: true,
        ...settings.capabilities,
      },
      dialect: {
        provider: name,
        systemMessageRole: modelSettings.systemMessageRole ?? 'system',
        maxTokensField: settings.maxTokensField ?? 'max_tokens',
        structuredOutputs: settings.structuredOutputs ?? 'json-schema',
        strictJsonSchema: settings.strictJsonSchema ?? false,
        strictTools: modelSettings.strictTools ?? false,
        providerOptionsKey: name,
      },
      ...(settings.client && settings.headers ? { headers: settings.headers } : {}),
      ...(settings.client && settings.timeout !== undefined ? { timeout: settings.timeout } : {}),
    })
    return limit(model)
  }
}
