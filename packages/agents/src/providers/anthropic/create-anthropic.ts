import Anthropic from '@anthropic-ai/sdk'
import { InvalidArgumentError, type LanguageModelV1 } from '@tessera/core'
import { providerLimits, type ProviderLimits } from '../../reliability/provider-limits'
import { anthropicDefaultMaxTokens } from './anthropic-default-max-tokens'
import { createAnthropicLanguageModel } from './create-anthropic-language-model'

/** Settings of {@link createAnthropic}. */
export interface AnthropicProviderSettings {
  /**
   * The API key. Default: what the SDK finds, `ANTHROPIC_API_KEY` first (read at the first call,
   * so that importing never throws).
   */
  apiKey?: string
  /** The API's base URL, without `/v1`. Default: `ANTHROPIC_BASE_URL`, else `https://api.anthropic.com`. */
  baseURL?: string
  /**
   * Your own `Anthropic` client, used as it is (its own retries included: create it with
   * `maxRetries: 0` to keep the provider raw). Excludes `apiKey`, `baseURL` and `fetch`.
   */
  client?: Anthropic
  /** Headers sent with every request (a request's own `headers` win). */
  headers?: Record<string, string>
  /** Timeout of each request in ms. Default: the SDK's (10 minutes). */
  timeout?: number
  /** A Fetch implementation for the SDK to use. */
  fetch?: typeof globalThis.fetch
  /**
   * Rate limits shared by every model of this provider instance (one limiter, made here):
   * `{ concurrency: 4, requestsPerMinute: 50 }`, or a `createRateLimiter()` shared more widely.
   */
  limits?: ProviderLimits
}

/** Settings of one model of an {@link AnthropicProvider}. */
export interface AnthropicModelSettings {
  /**
   * `max_tokens` for requests without `maxOutputTokens` (Anthropic requires one). Default: per
   * model, see `anthropicDefaultMaxTokens` (16,384 for current models).
   */
  maxOutputTokens?: number
}

/** Makes Anthropic models by id: `anthropic('claude-sonnet-5-5')`. */
export interface AnthropicProvider {
  (modelId: string, settings?: AnthropicModelSettings): LanguageModelV1
}

const fn = 'createAnthropic'

function checkSettings(settings: AnthropicProviderSettings): void {
  if (typeof settings !== 'object' || settings === null) {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings',
      expected: 'an object',
      received: settings,
    })
  }
  if (settings.client !== undefined) {
    if (typeof settings.client?.messages?.create !== 'function') {
      throw new InvalidArgumentError({
        fn,
        argument: 'settings.client',
        expected: 'an Anthropic client from @anthropic-ai/sdk (new Anthropic(...))',
        received: settings.client,
      })
    }
    for (const name of ['apiKey', 'baseURL', 'fetch'] as const) {
      if (settings[name] !== undefined) {
        throw new InvalidArgumentError({
          fn,
          argument: `settings.${name}`,
          expected: 'absent when settings.client is given (configure your client instead)',
          received: settings[name],
        })
      }
    }
  }
  if (
    settings.timeout !== undefined &&
    !(Number.isFinite(settings.timeout) && settings.timeout > 0)
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings.timeout',
      expected: 'a positive number of milliseconds',
      received: settings.timeout,
    })
  }
}

/**
 * The Anthropic provider: Claude models through the Messages API and the official
 * `@anthropic-ai/sdk` (a peer dependency), raw (the SDK's own retries off; retries, rate limits
 * and fallback are layers of `@tessera/agents`). The client is made at the first call.
 *
 * System messages go to the top-level `system` parameter, tool results to `tool_result` blocks
 * of a user turn, structured output is a forced call of an output tool; see
 * `docs/providers/anthropic.md` for the whole mapping and the errors.
 *
 * @example
 * ```ts
 * import { createAnthropic } from '@tessera/agents/anthropic'
 *
 * const anthropic = createAnthropic({ apiKey: process.env.MY_ANTHROPIC_KEY })
 * const model = anthropic('claude-sonnet-5-5')
 * const answer = await model.generate({ messages: [{ role: 'user', content: 'Hello' }] })
 * ```
 */
export function createAnthropic(settings: AnthropicProviderSettings = {}): AnthropicProvider {
  checkSettings(settings)
  const limit = providerLimits(settings.limits)
  let client: Anthropic | undefined = settings.client
  const getClient = (): Anthropic =>
    (client ??= new Anthropic({
      maxRetries: 0,
      ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
      ...(settings.baseURL === undefined ? {} : { baseURL: settings.baseURL }),
      ...(settings.timeout === undefined ? {} : { timeout: settings.timeout }),
      ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    }))

  return (modelId: string, modelSettings: AnthropicModelSettings = {}): LanguageModelV1 => {
    if (typeof modelId !== 'string' || modelId === '') {
      throw new InvalidArgumentError({
        fn: 'anthropic',
        argument: 'modelId',
        expected: 'a non-empty model id such as "claude-sonnet-5-5"',
        received: modelId,
      })
    }
    const maxOutputTokens = modelSettings?.maxOutputTokens
    if (
      maxOutputTokens !== undefined &&
      !(Number.isInteger(maxOutputTokens) && maxOutputTokens > 0)
    ) {
      throw new InvalidArgumentError({
        fn: 'anthropic',
        argument: 'settings.maxOutputTokens',
        expected: 'a positive integer',
        received: maxOutputTokens,
      })
    }
    const model = createAnthropicLanguageModel({
      provider: 'anthropic',
      modelId,
      client: getClient,
      defaultMaxTokens: maxOutputTokens ?? anthropicDefaultMaxTokens(modelId),
      headers: settings.headers,
      // A client of ours has the timeout already; one the caller brought gets it per request.
      timeout: settings.client === undefined ? undefined : settings.timeout,
    })
    return limit(model)
  }
}
