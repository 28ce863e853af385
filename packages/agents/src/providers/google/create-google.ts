import { GoogleGenAI } from '@google/genai'
import { InvalidArgumentError, ModelCallError, type LanguageModelV1 } from '@tessera/core'
import {
  createGoogleLanguageModel,
  type GoogleConnection,
  type GoogleModelSettings,
} from './google-language-model'
import { providerLimits, type ProviderLimits } from '../../reliability/provider-limits'
import type { FetchFunction } from './header-capturing-fetch'
import { createThoughtSignatures } from './thought-signatures'

/** Settings of {@link createGoogle}. */
export interface GoogleProviderSettings {
  /** The Gemini API key. Default: the `GOOGLE_API_KEY` or `GEMINI_API_KEY` environment variable. */
  apiKey?: string
  /**
   * The API's address: the host (`https://generativelanguage.googleapis.com`, the default) or the
   * host with the API version (`https://proxy.example.com/v1beta`).
   */
  baseURL?: string
  /** The API version, when `baseURL` does not end with it. Default: the SDK's (`v1beta`). */
  apiVersion?: string
  /**
   * Your own `GoogleGenAI` client, used as it is: not allowed with `apiKey`, `baseURL`,
   * `apiVersion` or `fetch` (configure the client instead). `headers` and `timeout` still apply
   * to each call.
   */
  client?: GoogleGenAI
  /** HTTP headers sent with every call (a call's `request.headers` add to them). */
  headers?: Record<string, string>
  /** Time allowed for each call, in ms (the SDK aborts it then). Default: none. */
  timeout?: number
  /** The fetch the SDK calls. Default: Node's. */
  fetch?: FetchFunction
  /**
   * Rate limits shared by every model of this provider instance (one limiter, made here):
   * `{ concurrency: 4, requestsPerMinute: 150 }`, or a `createRateLimiter()` shared more widely.
   */
  limits?: ProviderLimits
}

/** Makes Gemini models: `google('gemini-2.5-flash')`. */
export interface GoogleProvider {
  (modelId: string, modelSettings?: GoogleModelSettings): LanguageModelV1
}

const provider = 'google'

/**
 * The Google provider: Gemini models through the Gemini Developer API and the official
 * `@google/genai` SDK (an optional peer dependency). Each model is a `LanguageModelV1` with
 * tools, structured output (Gemini's JSON Schema mode) and streaming. The SDK's retries,
 * automatic function calling and automatic continuation are off: retries, rate limits and
 * fallback are layers of `@tessera/agents`. The API key is read at the first call, not here.
 *
 * @example
 * ```ts
 * import { createGoogle } from '@tessera/agents/google'
 * const google = createGoogle({ apiKey: process.env.GEMINI_API_KEY })
 * const model = google('gemini-2.5-flash', { thinkingConfig: { thinkingBudget: 0 } })
 * const answer = await model.generate({ messages: [{ role: 'user', content: 'Hello' }] })
 * ```
 */
export function createGoogle(settings: GoogleProviderSettings = {}): GoogleProvider {
  if (typeof settings !== 'object' || settings === null) {
    throw new InvalidArgumentError({
      fn: 'createGoogle',
      argument: 'settings',
      expected: 'an object',
      received: settings,
    })
  }
  if (settings.timeout !== undefined && !(settings.timeout > 0)) {
    throw new InvalidArgumentError({
      fn: 'createGoogle',
      argument: 'settings.timeout',
      expected: 'a positive number of milliseconds',
      received: settings.timeout,
    })
  }
  if (settings.client !== undefined) {
    const clash = (['apiKey', 'baseURL', 'apiVersion', 'fetch'] as const).find(
      (key) => settings[key] !== undefined,
    )
    if (clash) {
      throw new InvalidArgumentError({
        fn: 'createGoogle',
        argument: `settings.${clash}`,
        expected: 'left out when settings.client is given (configure your client instead)',
        received: settings[clash],
      })
    }
  }
  const thoughtSignatures = createThoughtSignatures()
  let connection: GoogleConnection | undefined

  const connect = (modelId: string): GoogleConnection => {
    if (connection) return connection
    if (settings.client) {
      connection = { client: settings.client, owned: false }
      return connection
    }
    const apiKey = settings.apiKey ?? environment('GOOGLE_API_KEY') ?? environment('GEMINI_API_KEY')
    if (!apiKey) {
      throw new ModelCallError({
        provider,
        modelId,
        failure: 'authentication',
        message:
          'no API key: expected settings.apiKey in createGoogle() or the GOOGLE_API_KEY or GEMINI_API_KEY environment variable',
      })
    }
    const address = splitBaseURL(settings.baseURL)
    const apiVersion = settings.apiVersion ?? address.apiVersion
    const client = new GoogleGenAI({
      apiKey,
      vertexai: false,
      ...(apiVersion === undefined ? {} : { apiVersion }),
      httpOptions: {
        ...(address.baseUrl === undefined ? {} : { baseUrl: address.baseUrl }),
        ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
      },
    })
    connection = { client, owned: true, fetch: settings.fetch }
    return connection
  }

  const limit = providerLimits(settings.limits)
  return (modelId, modelSettings = {}) => {
    if (typeof modelId !== 'string' || modelId.trim() === '') {
      throw new InvalidArgumentError({
        fn: 'google',
        argument: 'modelId',
        expected: 'a Gemini model id such as "gemini-2.5-flash"',
        received: modelId,
      })
    }
    if (typeof modelSettings !== 'object' || modelSettings === null) {
      throw new InvalidArgumentError({
        fn: `google("${modelId}")`,
        argument: 'modelSettings',
        expected: 'an object of Gemini options ({ thinkingConfig, safetySettings, … })',
        received: modelSettings,
      })
    }
    const model = createGoogleLanguageModel({
      provider,
      modelId,
      modelSettings,
      headers: settings.headers,
      timeout: settings.timeout,
      connect,
      thoughtSignatures,
    })
    return limit(model)
  }
}

/**
 * The default Google provider. It reads `GOOGLE_API_KEY` (or `GEMINI_API_KEY`) at its first call,
 * so importing it never throws.
 *
 * @example
 * ```ts
 * import { google } from '@tessera/agents/google'
 * const answer = await google('gemini-2.5-flash').generate({ messages: [{ role: 'user', content: 'Hi' }] })
 * ```
 */
export const google: GoogleProvider = createGoogle()

/** `https://host/v1beta` → the host and the version, as the SDK takes them apart. */
function splitBaseURL(baseURL: string | undefined): { baseUrl?: string; apiVersion?: string } {
  if (baseURL === undefined) return {}
  const match = /^(.*?)\/(v\d+(?:alpha|beta)?\d*)\/*$/.exec(baseURL)
  return match ? { baseUrl: match[1], apiVersion: match[2] } : { baseUrl: baseURL }
}

function environment(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env?.[name]
  return value?.trim() || undefined
}
