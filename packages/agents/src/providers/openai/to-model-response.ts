import type { ContentPart, ModelResponse, TokenUsage } from '@tessera/core'
import { parseToolInput } from '../shared/parse-tool-input'

/** Where an answer came from, and how to undo the strict schema conversion on it. */
export interface ChatResponseContext {
  provider: string
  /** The model id the request named (used when the answer names none). */
  modelId: string
  restoreOutput?: (value: unknown) => unknown
  restoreToolInput: ReadonlyMap<string, (value: unknown) => unknown>
}

/** A Chat Completions answer, gathered from one completion or from a stream's chunks. */
export interface ChatAnswer {
  id?: string
  model?: string
  text: string
  refusal: string
  toolCalls: { id: string; name: string; arguments: string }[]
  finishReason: string | null | undefined
  usage?: {
    prompt_tokens?: number
    completion_tokens?: number
    prompt_tokens_details?: { cached_tokens?: number } | null
  } | null
}

const finishReasons: Record<string, ModelResponse['finishReason']> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
}

/**
 * The port's response for a Chat Completions answer: the text (a structured answer with the
 * strict conversion's `null`s removed), a refusal as text with finish reason `content-filter`,
 * each tool call with its parsed input, the finish reason (`tool-calls` whenever there are tool
 * calls, as some compatible servers say `stop`), and the usage (`cachedInputTokens` from
 * `prompt_tokens_details.cached_tokens` when the server reports it).
 *
 * @example
 * ```ts
 * toModelResponse({ text: 'Hi', refusal: '', toolCalls: [], finishReason: 'stop' }, context)
 * ```
 */
export function toModelResponse(answer: ChatAnswer, context: ChatResponseContext): ModelResponse {
  const content: ContentPart[] = []
  let text = answer.text
  if (text !== '' && context.restoreOutput) text = restoreJsonText(text, context.restoreOutput)
  if (text !== '') content.push({ type: 'text', text })
  if (answer.refusal !== '') content.push({ type: 'text', text: answer.refusal })
  for (const call of answer.toolCalls) {
    const input = parseToolInput(call.arguments, {
      provider: context.provider,
      modelId: context.modelId,
      toolName: call.name,
      toolCallId: call.id,
    })
    const restore = context.restoreToolInput.get(call.name)
    content.push({
      type: 'tool-call',
      toolCallId: call.id,
      toolName: call.name,
      input: restore ? restore(input) : input,
    })
  }
  const finishReason: ModelResponse['finishReason'] =
    answer.refusal !== ''
      ? 'content-filter'
      : answer.toolCalls.length > 0
        ? 'tool-calls'
        : (finishReasons[answer.finishReason ?? ''] ?? 'other')
  return {
    content,
    finishReason,
    usage: usageOf(answer.usage),
    modelId: answer.model || context.modelId,
    provider: context.provider,
    ...(answer.id ? { responseId: answer.id } : {}),
  }
}

function usageOf(usage: ChatAnswer['usage']): TokenUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    ...(typeof cached === 'number' ? { cachedInputTokens: cached } : {}),
  }
}

/** The JSON text with `restore` applied; the text itself when it is not JSON or nothing changed. */
function restoreJsonText(text: string, restore: (value: unknown) => unknown): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return text
  }
  const restored = restore(parsed)
  return restored === parsed ? text : JSON.stringify(restored)
}
