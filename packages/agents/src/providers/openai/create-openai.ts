import { InvalidArgumentError, ModelCallError, type LanguageModelV1 } from '@tessera/core'
import OpenAI from 'openai'
import { providerLimits, type ProviderLimits } from '../../reliability/provider-limits'
import { createChatCompletionsModel } from './create-chat-completions-model'

/** Settings of {@link createOpenAI}. */
export interface OpenAIProviderSettings {
  /** Default: the `OPENAI_API_KEY` environment variable, read at the first call. */
  apiKey?: string
  /** Default `https://api.openai.com/v1` (or `OPENAI_BASE_URL`). */
  baseURL?: string
  /** Sent as `OpenAI-Organization` (default `OPENAI_ORG_ID`). */
  organization?: string
  /** Sent as `OpenAI-Project` (default `OPENAI_PROJECT_ID`). */
  project?: string
  /** Your own `openai` client: used as it is (apiKey, baseURL, fetch … are its own). */
  client?: OpenAI
  /** Headers sent with every request. */
  headers?: Record<string, string>
  /** Per-request timeout in ms (the SDK's default is 10 minutes). */
  timeout?: number
  /** A `fetch` implementation for the SDK. */
  fetch?: typeof globalThis.fetch
  /**
   * Rate limits shared by every model of this provider instance (one limiter, made here):
   * `{ concurrency: 4, requestsPerMinute: 500 }`, or a `createRateLimiter()` shared more widely.
   */
  limits?: ProviderLimits
}

/** Settings of one OpenAI model. */
export interface OpenAIModelSettings {
  /**
   * The role of system messages. Default `developer` for reasoning models (ids starting `o1`,
   * `o3`, `o4`, `gpt-5`), `system` otherwise.
   */
  systemMessageRole?: 'system' | 'developer'
  /**
   * Sends tools with `strict: true` (their schemas converted to the strict dialect, see
   * `toStrictJsonSchema`), so the arguments always match. Default false.
   */
  strictTools?: boolean
}

/** Creates OpenAI models by id: `openai('gpt-4o-mini')`. */
export type OpenAIProvider = (modelId: string, settings?: OpenAIModelSettings) => LanguageModelV1

/**
 * The OpenAI provider, over the official `openai` SDK's Chat Completions API. Models answer,
 * stream, call tools and give structured output (`response_format: json_schema` in strict mode:
 * optional properties are sent as required-and-nullable and the `null`s are removed from the
 * answer). The SDK's retries are off; errors are core's typed errors. The client is created at
 * the first call, so a missing key fails then (a `ModelCallError` with failure `authentication`),
 * never at import.
 *
 * @example
 * ```ts
 * import { createOpenAI } from '@tessera/agents/openai'
 * const openai = createOpenAI({ apiKey: process.env.OPENAI_API_KEY })
 * const answer = await openai('gpt-4o-mini').generate({ messages: [{ role: 'user', content: 'Hi' }] })
 * ```
 */
export function createOpenAI(settings: OpenAIProviderSettings = {}): OpenAIProvider {
  const limit = providerLimits(settings.limits)
  let client: OpenAI | undefined = settings.client
  const clientFor = (modelId: string): OpenAI => {
    if (client) return client
    const apiKey = settings.apiKey ?? environment('OPENAI_API_KEY')
    if (!apiKey) {
      throw new ModelCallError({
        provider: 'openai',
        modelId,
        failure: 'authentication',
        message:
          'no API key: pass apiKey to createOpenAI, or set the OPENAI_API_KEY environment variable',
        retryable: false,
      })
    }
    client = new OpenAI({
      apiKey,
      maxRetries: 0,
      ...(settings.baseURL === undefined ? {} : { baseURL: settings.baseURL }),
      ...(settings.organization === undefined ? {} : { organization: settings.organization }),
      ...(settings.project === undefined ? {} : { project: settings.project }),
      ...(settings.headers === undefined ? {} : { defaultHeaders: settings.headers }),
      ...(settings.timeout === undefined ? {} : { timeout: settings.timeout }),
      ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    })
    return client
  }

  return (modelId, modelSettings = {}) => {
    if (typeof modelId !== 'string' || modelId.trim() === '') {
      throw new InvalidArgumentError({
        fn: 'openai',
        argument: 'modelId',
        expected: 'a non-empty model id such as "gpt-4o-mini"',
        received: modelId,
      })
    }
    const reasoning = /^(o\d|gpt-5)/.test(modelId)
    const model = createChatCompletionsModel({
      modelId,
      client: () => clientFor(modelId),
      capabilities: { tools: true, structuredOutput: true, streaming: true },
      dialect: {
        provider: 'openai',
        systemMessageRole: modelSettings.systemMessageRole ?? (reasoning ? 'developer' : 'system'),
        maxTokensField: 'max_completion_tokens',
        structuredOutputs: 'json-schema',
        strictJsonSchema: true,
        strictTools: modelSettings.strictTools ?? false,
        providerOptionsKey: 'openai',
      },
      // Our own client already sends the settings' headers; a client brought along does not.
      ...(settings.client && settings.headers ? { headers: settings.headers } : {}),
      ...(settings.client && settings.timeout !== undefined ? { timeout: settings.timeout } : {}),
    })
    return limit(model)
  }
}

/**
 * The default OpenAI provider: its key is `OPENAI_API_KEY`, read at the first call.
 *
 * @example
 * ```ts
 * import { openai } from '@tessera/agents/openai'
 * const model = openai('gpt-4o-mini')
 * ```
 */
export const openai: OpenAIProvider = createOpenAI()

function environment(name: string): string | undefined {
  const host = globalThis as { process?: { env?: Record<string, string | undefined> } }
  return host.process?.env?.[name]
}
