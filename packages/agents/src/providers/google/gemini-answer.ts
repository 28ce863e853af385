import type { GenerateContentResponse } from '@google/genai'
import {
  ModelCallError,
  type ContentPart,
  type ModelResponse,
  type ModelStreamPart,
  type TokenUsage,
} from '@tessera/core'
import { synthesiseCallId } from './synthesised-call-id'
import type { ThoughtSignatures } from './thought-signatures'

/** Builds one answer from Gemini's response, or from the chunks of its stream, in order. */
export interface GeminiAnswer {
  /** Takes a response (or a streamed chunk) and returns the deltas it carried. */
  add(chunk: GenerateContentResponse): ModelStreamPart[]
  /** The whole answer; throws a malformed-response `ModelCallError` if Gemini sent none. */
  finish(): ModelResponse
}

const contentFilterReasons = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
])

/** Gemini's finish reasons that mean the model produced a call it should not have. */
const toolErrorReasons = new Set([
  'MALFORMED_FUNCTION_CALL',
  'UNEXPECTED_TOOL_CALL',
  'TOO_MANY_TOOL_CALLS',
])

/**
 * Collects a Gemini answer: text parts (thought summaries left out) joined into text parts,
 * `functionCall` parts as tool calls (their `id`, or a synthesised one, and their thought
 * signature remembered), the last finish reason and usage, the response id and model version.
 * `generate()` adds the one response, `stream()` each chunk; both finish the same way.
 *
 * @example
 * ```ts
 * const answer = createGeminiAnswer({ provider: 'google', modelId, thoughtSignatures })
 * for await (const chunk of stream) for (const part of answer.add(chunk)) yield part
 * yield { type: 'finish', response: answer.finish() }
 * ```
 */
export function createGeminiAnswer(options: {
  provider: string
  modelId: string
  thoughtSignatures: ThoughtSignatures
}): GeminiAnswer {
  const content: ContentPart[] = []
  let responseId: string | undefined
  let modelVersion: string | undefined
  let finishReason: string | undefined
  let blockReason: string | undefined
  let usage: GenerateContentResponse['usageMetadata']
  let sawAnswer = false
  let callCount = 0
  // Names synthesised call ids when the first chunk carries no response id.
  const fallbackKey = globalThis.crypto.randomUUID()

  const malformed = (message: string) =>
    new ModelCallError({
      provider: options.provider,
      modelId: options.modelId,
      failure: 'malformed-response',
      message: `the answer is not Gemini's format: ${message}`,
    })

  return {
    add(chunk) {
      if (typeof chunk !== 'object' || chunk === null) {
        throw malformed(`expected a GenerateContentResponse object, got ${typeof chunk}`)
      }
      responseId ??= chunk.responseId || undefined
      modelVersion = chunk.modelVersion ?? modelVersion
      usage = chunk.usageMetadata ?? usage
      blockReason = chunk.promptFeedback?.blockReason ?? blockReason
      const candidates = chunk.candidates
      if (candidates !== undefined && !Array.isArray(candidates)) {
        throw malformed('"candidates" is not an array')
      }
      const candidate = candidates?.[0]
      if (candidate === undefined) return []
      sawAnswer = true
      finishReason = candidate.finishReason ?? finishReason
      const deltas: ModelStreamPart[] = []
      for (const part of candidate.content?.parts ?? []) {
        if (part.thought === true) continue
        if (typeof part.text === 'string') {
          if (part.text === '') continue
          const last = content.at(-1)
          if (last?.type === 'text') last.text += part.text
          else content.push({ type: 'text', text: part.text })
          deltas.push({ type: 'text-delta', delta: part.text })
        } else if (part.functionCall) {
          const { name, args, id } = part.functionCall
          if (typeof name !== 'string' || name === '') {
            throw malformed('a functionCall part has no name')
          }
          const input = args ?? {}
          if (typeof input !== 'object' || input === null || Array.isArray(input)) {
            throw malformed(`the arguments of function call "${name}" are not a JSON object`)
          }
          const toolCallId = id || synthesiseCallId(responseId ?? fallbackKey, callCount)
          callCount++
          if (part.thoughtSignature) {
            options.thoughtSignatures.remember(toolCallId, part.thoughtSignature)
          }
          content.push({ type: 'tool-call', toolCallId, toolName: name, input })
          deltas.push({
            type: 'tool-call-delta',
            toolCallId,
            toolName: name,
            inputDelta: JSON.stringify(input),
          })
        }
      }
      return deltas
    },
    finish() {
      if (!sawAnswer && blockReason === undefined) {
        throw malformed('the response has no candidates and no promptFeedback.blockReason')
      }
      const hasToolCalls = content.some((part) => part.type === 'tool-call')
      return {
        content,
        finishReason: toFinishReason(finishReason, blockReason, hasToolCalls),
        usage: toUsage(usage),
        modelId: modelVersion ?? options.modelId,
        provider: options.provider,
        ...(responseId === undefined ? {} : { responseId }),
      }
    },
  }
}

function toFinishReason(
  reason: string | undefined,
  blockReason: string | undefined,
  hasToolCalls: boolean,
): ModelResponse['finishReason'] {
  if (reason === undefined && blockReason !== undefined) return 'content-filter'
  if (reason === 'STOP' || (reason === undefined && hasToolCalls)) {
    return hasToolCalls ? 'tool-calls' : 'stop'
  }
  if (reason === 'MAX_TOKENS') return 'length'
  if (reason !== undefined && contentFilterReasons.has(reason)) return 'content-filter'
  if (reason !== undefined && toolErrorReasons.has(reason)) return 'error'
  return 'other'
}

/**
 * Gemini counts the prompt (cached part included) in `promptTokenCount`, the answer in
 * `candidatesTokenCount` and thinking apart in `thoughtsTokenCount`, billed as output.
 */
function toUsage(metadata: GenerateContentResponse['usageMetadata']): TokenUsage {
  return {
    inputTokens: metadata?.promptTokenCount ?? 0,
    outputTokens: (metadata?.candidatesTokenCount ?? 0) + (metadata?.thoughtsTokenCount ?? 0),
    ...(metadata?.cachedContentTokenCount === undefined
      ? {}
      : { cachedInputTokens: metadata.cachedContentTokenCount }),
  }
}
