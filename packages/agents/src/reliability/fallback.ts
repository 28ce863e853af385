import {
  FallbackExhaustedError,
  InvalidArgumentError,
  PromptTooLongError,
  TesseraError,
  serializeError,
  type FallbackAttempt,
  type LanguageModelV1,
  type ModelCapabilities,
  type ModelFallbackSwitch,
  type ModelRequest,
  type ModelResponse,
  type ModelStreamPart,
  type SerializedError,
} from '@tessera/core'
import { defaultPriceTable, type PriceTable } from '../pricing/create-price-table'
import { assertLanguageModel } from './assert-language-model'
import { resumeStream, startStream } from './start-stream'

/** What {@link fallback} reports when it moves on from a model. */
export interface FallbackEvent {
  /** The model that failed, or was skipped. */
  from: LanguageModelV1
  /** The model tried next. */
  to: LanguageModelV1
  /** The switch as recorded in the answer's `fallbacks`. */
  switch: ModelFallbackSwitch
  /** The error, or undefined for a model skipped before any call. */
  error: unknown
}

/** Options of {@link fallback}. */
export interface FallbackOptions {
  /**
   * Whether an error moves on to the next model. Default: {@link isFallbackWorthy}. Never asked
   * after the caller's signal aborted: an abort ends the chain.
   */
  shouldFallback?: (error: unknown, model: LanguageModelV1) => boolean
  /** Called at each switch, e.g. to log it. */
  onFallback?: (event: FallbackEvent) => void
  /**
   * Context windows, to skip models too small for a prompt that was already too long. Default:
   * the default price table.
   */
  prices?: PriceTable
}

/**
 * The default rule of {@link fallback}: move on after a retryable error (rate limit, server
 * error, timeout, network failure, malformed answer, or a nested chain that failed that way), an
 * unknown model, a prompt too long for the model (to one with a larger window) or a schema the
 * vendor cannot express (another vendor may). Not after authentication errors, bad requests or
 * content filters: those would fail the same way elsewhere, or hide a mistake to fix.
 *
 * @example
 * ```ts
 * fallback(models, { shouldFallback: (error) => isFallbackWorthy(error) || isAuthError(error) })
 * ```
 */
export function isFallbackWorthy(error: unknown): boolean {
  if (!TesseraError.isInstance(error)) return false
  return (
    error.retryable ||
    error.code === 'unknown_model' ||
    error.code === 'prompt_too_long' ||
    error.code === 'unsupported_schema'
  )
}

/**
 * A model that asks each of `models` in turn until one answers: on a fallback-worthy error (see
 * {@link isFallbackWorthy}) it moves on to the next. The answer's `provider` and `modelId` are
 * those of the model that answered, and `fallbacks` lists every switch before it with its
 * reason (`[]` when the first model answered). When every model fails, the chain throws a
 * `FallbackExhaustedError` listing each attempt; an error that is not fallback-worthy is thrown
 * as it came, and so is the caller's abort.
 *
 * Capabilities are per request: the chain declares what any of its models can do, and a request
 * that needs tools, structured output or streaming skips the models without it (recorded as a
 * switch with code `capability_missing`). A model also gets skipped when a previous one found the
 * prompt too long and the price table knows this one's window is no larger.
 *
 * A stream falls back only when it failed before its first part; after that the caller has
 * seen output, and an error ends the stream.
 *
 * @example
 * ```ts
 * const model = fallback([anthropic('claude-sonnet-4-5'), openai('gpt-4o'), llamaCpp('qwen')])
 * const answer = await model.generate({ messages })
 * answer.fallbacks // [{ provider: 'anthropic', modelId: 'claude-sonnet-4-5', reason: { code: 'model_call_failed', … } }]
 * ```
 */
export function fallback(
  models: readonly LanguageModelV1[],
  options: FallbackOptions = {},
): LanguageModelV1 {
  if (!Array.isArray(models) || models.length === 0) {
    throw new InvalidArgumentError({
      fn: 'fallback',
      argument: 'models',
      expected: 'a non-empty array of language models',
      received: models,
    })
  }
  models.forEach((model, index) => assertLanguageModel(model, 'fallback', `models[${index}]`))
  const chain = [...models]
  const shouldFallback = options.shouldFallback ?? isFallbackWorthy
  const prices = options.prices ?? defaultPriceTable
  const windowOf = (model: LanguageModelV1) => {
    const price = prices.priceOf(model.provider, model.modelId)
    return price?.maxInputTokens ?? price?.contextWindow
  }

  /** Tries the models in order; `call` is one attempt. */
  const run = async <T>(
    request: ModelRequest,
    needs: (keyof ModelCapabilities)[],
    call: (model: LanguageModelV1) => Promise<T>,
  ): Promise<{ value: T; model: LanguageModelV1; switches: ModelFallbackSwitch[] }> => {
    const switches: ModelFallbackSwitch[] = []
    const attempts: FallbackAttempt[] = []
    let lastError: unknown
    /** A prompt known not to fit this many tokens. */
    let tooLongFor: number | undefined
    const moveOn = (index: number, error: unknown, serialized: SerializedError) => {
      const model = chain[index]!
      const entry: ModelFallbackSwitch = {
        provider: model.provider,
        modelId: model.modelId,
        reason: {
          code: serialized.code,
          message: serialized.message,
          retryable: serialized.retryable,
          ...(serialized.details ? { details: serialized.details } : {}),
        },
      }
      switches.push(entry)
      attempts.push({ provider: model.provider, modelId: model.modelId, error: serialized })
      const next = chain[index + 1]
      if (next) options.onFallback?.({ from: model, to: next, switch: entry, error })
    }
    for (let index = 0; index < chain.length; index++) {
      const model = chain[index]!
      const missing = needs.find((capability) => !model.capabilities[capability])
      if (missing !== undefined) {
        moveOn(index, undefined, capabilityMissing(model, missing))
        continue
      }
      const window = windowOf(model)
      if (tooLongFor !== undefined && window !== undefined && window <= tooLongFor) {
        const error = new PromptTooLongError({
          provider: model.provider,
          modelId: model.modelId,
          tokens: tooLongFor,
          limit: window,
          estimated: true,
        })
        moveOn(index, error, error.toJSON())
        continue
      }
      try {
        return { value: await call(model), model, switches }
      } catch (error) {
        if (request.signal?.aborted || !shouldFallback(error, model)) throw error
        if (PromptTooLongError.isInstance(error)) {
          const size = error.tokens ?? error.limit ?? window
          if (size !== undefined) tooLongFor = Math.max(tooLongFor ?? 0, size)
        }
        lastError = error
        moveOn(index, error, serializeError(error))
      }
    }
    throw new FallbackExhaustedError({ attempts, cause: lastError })
  }

  const answered = (
    response: ModelResponse,
    model: LanguageModelV1,
    switches: ModelFallbackSwitch[],
  ): ModelResponse => ({
    ...response,
    provider: response.provider ?? model.provider,
    fallbacks: [...switches, ...(response.fallbacks ?? [])],
  })

  return {
    specificationVersion: 'v1',
    provider: 'fallback',
    modelId: chain.map((model) => `${model.provider}:${model.modelId}`).join(','),
    capabilities: {
      tools: chain.some((model) => model.capabilities.tools),
      structuredOutput: chain.some((model) => model.capabilities.structuredOutput),
      streaming: chain.some((model) => model.capabilities.streaming),
    },
    async generate(request) {
      const { value, model, switches } = await run(request, needsOf(request), (candidate) =>
        candidate.generate(request),
      )
      return answered(value, model, switches)
    },
    stream(request) {
      return (async function* (): AsyncGenerator<ModelStreamPart> {
        const { value, model, switches } = await run(
          request,
          [...needsOf(request), 'streaming'],
          (candidate) => startStream(candidate, request),
        )
        yield* resumeStream(value, (part) =>
          part.type === 'finish'
            ? { type: 'finish', response: answered(part.response, model, switches) }
            : part,
        )
      })()
    },
  }
}

/** The capabilities a request needs from the model that answers it. */
function needsOf(request: ModelRequest): (keyof ModelCapabilities)[] {
  const needs: (keyof ModelCapabilities)[] = []
  if ((request.tools?.length ?? 0) > 0 && request.toolChoice !== 'none') needs.push('tools')
  if (request.responseFormat !== undefined) needs.push('structuredOutput')
  return needs
}

function capabilityMissing(
  model: LanguageModelV1,
  capability: keyof ModelCapabilities,
): SerializedError {
  const what = { tools: 'tools', structuredOutput: 'structured output', streaming: 'streaming' }
  return {
    name: 'CapabilityMissing',
    code: 'capability_missing',
    message: `${model.provider} model "${model.modelId}" does not support ${what[capability]}, which the request needs; skipped`,
    retryable: false,
    details: { provider: model.provider, modelId: model.modelId, capability },
  }
}
