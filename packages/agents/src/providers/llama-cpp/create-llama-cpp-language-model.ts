import {
  InvalidArgumentError,
  ModelCallError,
  PromptTooLongError,
  TesseraError,
  type LanguageModelV1,
  type ModelRequest,
  type ModelResponse,
  type ModelStreamPart,
} from '@tessera/core'
import type { LlamaContextSequence } from 'node-llama-cpp'
import { createAnswerAssembler } from './create-answer-assembler'
import type { LlamaCppRuntime, LoadedLlamaCpp } from './create-llama-cpp-runtime'
import { generateTokens, type TokenSampling } from './generate-tokens'
import { LlamaCppFailure } from './llama-cpp-failure'
import { planAnswer } from './plan-answer'
import { renderConversation } from './render-conversation'
import { renderPrompt } from './render-prompt'

/**
 * Sampling defaults, the same as llama.cpp's own (`llama-cli`, `llama-server`).
 *
 * @example
 * ```ts
 * llamaCppSamplingDefaults.temperature // 0.8
 * ```
 */
export const llamaCppSamplingDefaults = {
  temperature: 0.8,
  topP: 0.95,
  topK: 40,
  minP: 0.05,
} as const

/**
 * Options of one request for this provider, under `providerOptions['llama-cpp']`.
 *
 * @example
 * ```ts
 * await model.generate({ messages, providerOptions: { 'llama-cpp': { topK: 20, minP: 0.1 } } })
 * ```
 */
export interface LlamaCppRequestOptions {
  /** Sample among the k most likely tokens. Default 40. */
  topK?: number
  /** Drop tokens less likely than minP × the likeliest one's probability. Default 0.05. */
  minP?: number
}

/** What a model needs besides the shared runtime. */
export interface LlamaCppLanguageModelSettings {
  provider: string
  modelId: string
  maxOutputTokens: number
  generateId: () => string
}

/**
 * One `LanguageModelV1` over a provider's shared runtime: renders the conversation, checks that it
 * fits the context, constrains the answer with a grammar when it must be JSON or may be a tool
 * call, samples it token by token on a context sequence of its own, and streams it.
 *
 * @example
 * ```ts
 * const model = createLlamaCppLanguageModel(runtime, { provider: 'llama-cpp', modelId: 'qwen',
 *   maxOutputTokens: 256, generateId: () => crypto.randomUUID() })
 * ```
 */
export function createLlamaCppLanguageModel(
  runtime: LlamaCppRuntime,
  settings: LlamaCppLanguageModelSettings,
): LanguageModelV1 {
  const { provider, modelId } = settings

  async function* answer(request: ModelRequest): AsyncGenerator<ModelStreamPart, void, void> {
    checkRequest(request)
    request.signal?.throwIfAborted()
    const plan = planAnswer(request, provider)
    const call = runtime.begin()
    const signal = request.signal ? AbortSignal.any([request.signal, call.signal]) : call.signal
    let loaded: LoadedLlamaCpp | undefined
    let sequence: LlamaContextSequence | undefined
    let generation: ReturnType<typeof generateTokens> | undefined
    try {
      loaded = await runtime.load(signal)
      const prompt = renderPrompt(
        loaded.model,
        loaded.chatWrapper,
        renderConversation(request.messages, plan.instructions),
      )
      const contextSize = loaded.context.contextSize
      if (prompt.tokens.length >= contextSize) {
        throw new PromptTooLongError({
          provider,
          modelId,
          tokens: prompt.tokens.length,
          limit: contextSize,
        })
      }
      const grammar = await loaded.grammars.of(plan)
      sequence = await loaded.pool.acquire(signal, prompt.tokens)
      generation = generateTokens({
        sequence,
        tokens: prompt.tokens,
        maxTokens: Math.min(
          request.maxOutputTokens ?? settings.maxOutputTokens,
          contextSize - prompt.tokens.length,
        ),
        sampling: samplingOf(request),
        ...(grammar
          ? {
              grammar: {
                grammar: grammar.grammar,
                State: loaded.library.LlamaGrammarEvaluationState,
              },
            }
          : {}),
        stopSequences: [
          ...prompt.stopSequences,
          ...(grammar?.stopSequences ?? []),
          ...(request.stopSequences ?? []),
        ].filter((stop) => stop !== ''),
        stopTokens: prompt.stopTokens,
        signal,
      })
      const assembler = createAnswerAssembler({
        mode: plan.mode,
        toolNames: plan.toolNames,
        generateId: settings.generateId,
        provider,
        modelId,
      })
      let step = await generation.next()
      while (!step.done) {
        yield* assembler.push(step.value)
        step = await generation.next()
      }
      const { parts, content, finishReason } = assembler.finish(step.value.stopReason)
      yield* parts
      const response: ModelResponse = {
        content,
        finishReason,
        usage: {
          inputTokens: prompt.tokens.length,
          outputTokens: step.value.outputTokens,
          cachedInputTokens: step.value.cachedInputTokens,
        },
        modelId,
        provider,
        responseId: settings.generateId(),
      }
      yield { type: 'finish', response }
    } catch (error) {
      throw callError(error, request.signal, provider, modelId)
    } finally {
      // A reader that stopped early leaves the generation suspended: end it before the sequence
      // serves another call.
      await generation?.return(undefined as never).catch(() => undefined)
      if (sequence) loaded?.pool.release(sequence)
      call.end()
    }
  }

  return {
    specificationVersion: 'v1',
    provider,
    modelId,
    capabilities: { tools: true, structuredOutput: true, streaming: true },
    async generate(request) {
      for await (const part of answer(request)) {
        if (part.type === 'finish') return part.response
      }
      throw new ModelCallError({
        provider,
        modelId,
        failure: 'other',
        message: 'the answer ended without a finish part',
      })
    },
    stream(request) {
      return answer(request)
    },
  }
}

function samplingOf(request: ModelRequest): TokenSampling {
  const options = (request.providerOptions?.['llama-cpp'] ?? {}) as LlamaCppRequestOptions
  return {
    temperature: request.temperature ?? llamaCppSamplingDefaults.temperature,
    topP: request.topP ?? llamaCppSamplingDefaults.topP,
    topK: options.topK ?? llamaCppSamplingDefaults.topK,
    minP: options.minP ?? llamaCppSamplingDefaults.minP,
    // node-llama-cpp's default seed is the time in seconds: two calls in one second would sample
    // alike.
    seed: request.seed ?? Math.floor(Math.random() * 2 ** 32),
  }
}

/** The signal's reason when the caller aborted; Tessera's errors as they are; the rest wrapped. */
function callError(
  error: unknown,
  signal: AbortSignal | undefined,
  provider: string,
  modelId: string,
): unknown {
  if (signal?.aborted) return signal.reason
  if (TesseraError.isInstance(error)) return error
  if (error instanceof LlamaCppFailure) {
    return new ModelCallError({
      provider,
      modelId,
      failure: 'other',
      message: error.message,
      cause: error.cause,
    })
  }
  return new ModelCallError({
    provider,
    modelId,
    failure: 'other',
    message: `llama.cpp failed: ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  })
}

function checkRequest(request: ModelRequest): void {
  const fail = (argument: string, expected: string, received: unknown): never => {
    throw new InvalidArgumentError({ fn: 'generate', argument, expected, received })
  }
  if (!Array.isArray(request?.messages)) fail('messages', 'an array of messages', request?.messages)
  const { temperature, topP, maxOutputTokens, seed } = request
  if (temperature !== undefined && !(temperature >= 0)) {
    fail('temperature', 'a number ≥ 0', temperature)
  }
  if (topP !== undefined && !(topP > 0 && topP <= 1)) fail('topP', 'a number in (0, 1]', topP)
  if (
    maxOutputTokens !== undefined &&
    !(Number.isInteger(maxOutputTokens) && maxOutputTokens > 0)
  ) {
    fail('maxOutputTokens', 'a positive integer', maxOutputTokens)
  }
  if (seed !== undefined && !Number.isInteger(seed)) fail('seed', 'an integer', seed)
  const options = request.providerOptions?.['llama-cpp'] as LlamaCppRequestOptions | undefined
  if (options?.topK !== undefined && !(Number.isInteger(options.topK) && options.topK >= 0)) {
    fail("providerOptions['llama-cpp'].topK", 'a non-negative integer', options.topK)
  }
  if (options?.minP !== undefined && !(options.minP >= 0 && options.minP <= 1)) {
    fail("providerOptions['llama-cpp'].minP", 'a number in [0, 1]', options.minP)
  }
}
