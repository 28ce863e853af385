import type {
  GenerateContentConfig,
  GenerateContentParameters,
  GenerateContentResponse,
  GoogleGenAI,
  HttpOptions,
} from '@google/genai'
import type { LanguageModelV1, ModelRequest, ModelResponse, ModelStreamPart } from '@tessera/core'
import { createGeminiAnswer } from './gemini-answer'
import { createHeaderCapturingFetch, type FetchFunction } from './header-capturing-fetch'
import type { ThoughtSignatures } from './thought-signatures'
import { toGeminiRequest } from './to-gemini-request'
import { toGoogleError, type GoogleErrorContext } from './to-google-error'

/**
 * Gemini options a model can be given once, at creation (`google('gemini-2.5-flash', { … })`),
 * or per call in `providerOptions.google`: the `@google/genai` `GenerateContentConfig` fields
 * that the port's request has no word for.
 */
export type GoogleModelSettings = Pick<
  GenerateContentConfig,
  | 'safetySettings'
  | 'thinkingConfig'
  | 'topK'
  | 'cachedContent'
  | 'presencePenalty'
  | 'frequencyPenalty'
  | 'serviceTier'
  | 'mediaResolution'
>

/** The SDK client a model calls, and whether the provider made it (and so owns its fetch). */
export interface GoogleConnection {
  client: GoogleGenAI
  /** For a client the provider made: the fetch it calls through (the caller's, or the global). */
  owned: boolean
  fetch?: FetchFunction
}

/** What {@link createGoogleLanguageModel} needs from its provider. */
export interface GoogleLanguageModelOptions {
  provider: string
  modelId: string
  modelSettings: GoogleModelSettings
  /** Per-call HTTP options of the provider's settings. */
  headers?: Record<string, string>
  timeout?: number
  /** The client, made at the first call (so a missing API key fails the call, not the import). */
  connect(modelId: string): GoogleConnection
  thoughtSignatures: ThoughtSignatures
}

/**
 * A {@link LanguageModelV1} over the Gemini API's `generateContent` and
 * `streamGenerateContent`, through the `@google/genai` SDK with its automatic function calling
 * and automatic continuation off: one call, one request. `createGoogle` makes them.
 *
 * @example
 * ```ts
 * const model = createGoogle({ apiKey })('gemini-2.5-flash')
 * const answer = await model.generate({ messages: [{ role: 'user', content: 'Hello' }] })
 * ```
 */
export function createGoogleLanguageModel(options: GoogleLanguageModelOptions): LanguageModelV1 {
  const { provider, modelId } = options

  /** The SDK call's parameters, and how to map its failures. */
  const prepare = (request: ModelRequest) => {
    const connection = options.connect(modelId)
    const { contents, config } = toGeminiRequest(request, {
      provider,
      modelId,
      thoughtSignatures: options.thoughtSignatures,
    })
    const errorContext: GoogleErrorContext = { provider, modelId, signal: request.signal }
    const headers = { ...options.headers, ...request.headers }
    const httpOptions: HttpOptions = {
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(connection.owned
        ? {
            fetch: createHeaderCapturingFetch(connection.fetch, (seen) => {
              errorContext.headers = seen
            }),
          }
        : {}),
    }
    const parameters: GenerateContentParameters = {
      model: modelId,
      contents,
      config: {
        ...options.modelSettings,
        ...(request.providerOptions?.[provider] as GoogleModelSettings | undefined),
        ...config,
        httpOptions,
        ...(request.signal ? { abortSignal: request.signal } : {}),
        automaticFunctionCalling: { disable: true },
        automaticContinuation: false,
      },
    }
    return { client: connection.client, parameters, errorContext }
  }

  const newAnswer = () =>
    createGeminiAnswer({ provider, modelId, thoughtSignatures: options.thoughtSignatures })

  return {
    specificationVersion: 'v1',
    provider,
    modelId,
    capabilities: { tools: true, structuredOutput: true, streaming: true },

    async generate(request: ModelRequest): Promise<ModelResponse> {
      request?.signal?.throwIfAborted()
      const { client, parameters, errorContext } = prepare(request)
      let response: GenerateContentResponse
      try {
        response = await client.models.generateContent(parameters)
      } catch (error) {
        throw toGoogleError(error, errorContext)
      }
      const answer = newAnswer()
      answer.add(response)
      return answer.finish()
    },

    stream(request: ModelRequest): AsyncIterable<ModelStreamPart> {
      return (async function* () {
        request?.signal?.throwIfAborted()
        const { client, parameters, errorContext } = prepare(request)
        let chunks: AsyncGenerator<GenerateContentResponse>
        try {
          chunks = await client.models.generateContentStream(parameters)
        } catch (error) {
          throw toGoogleError(error, errorContext)
        }
        const answer = newAnswer()
        let done = false
        try {
          while (true) {
            let next: IteratorResult<GenerateContentResponse>
            try {
              next = await chunks.next()
            } catch (error) {
              done = true
              throw toGoogleError(error, errorContext)
            }
            if (next.done) break
            for (const delta of answer.add(next.value)) yield delta
          }
          done = true
        } finally {
          // A reader that stopped early: let the SDK release the response body.
          if (!done) await chunks.return(undefined)
        }
        yield { type: 'finish', response: answer.finish() }
      })()
    },
  }
}
