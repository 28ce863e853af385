import { ModelCallError, type ContentPart, type ModelResponse } from '@tessera/core'
import { toFinishReason } from './anthropic-finish-reason'
import { toTokenUsage, type AnthropicUsage } from './anthropic-token-usage'
import type { AnthropicOutputTool } from './to-anthropic-request'

/**
 * The parts of an Anthropic message this provider reads. A streamed message is put together in
 * the same shape; its output-tool blocks also carry `jsonText`, the input as it was streamed, so
 * that the final text is exactly the streamed deltas joined.
 */
export interface AnthropicMessageLike {
  id?: string
  model?: string
  content: (
    | { type: 'text'; text: string }
    | { type: 'tool_use'; id: string; name: string; input: unknown; jsonText?: string }
    | { type: string }
  )[]
  stop_reason?: string | null
  usage?: AnthropicUsage | null
}

/** Where the message came from, and how to read structured output. */
export interface AnthropicMessageContext {
  provider: string
  modelId: string
  outputTool: AnthropicOutputTool | undefined
}

/** The JSON text of the output tool's input (its `value`, when the schema was wrapped). */
export function outputText(input: unknown, outputTool: AnthropicOutputTool): string {
  const answer =
    outputTool.wrapped && typeof input === 'object' && input !== null
      ? (input as { value?: unknown }).value
      : input
  return JSON.stringify(answer) ?? 'null'
}

const describe = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'string'
        ? `text (${value.length} characters, not JSON)`
        : typeof value === 'object'
          ? `an object with type ${JSON.stringify((value as { type?: unknown }).type)}`
          : typeof value

/** Checks that a value is a Messages API message; anything else is a malformed response. */
export function assertAnthropicMessage(
  value: unknown,
  context: AnthropicMessageContext,
): asserts value is AnthropicMessageLike {
  const message = value as Partial<AnthropicMessageLike> | null
  const valid =
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'message' &&
    Array.isArray(message.content)
  if (!valid) {
    throw new ModelCallError({
      provider: context.provider,
      modelId: context.modelId,
      failure: 'malformed-response',
      message: `expected a Messages API message (an object with type "message" and a content array), received ${describe(value)}`,
    })
  }
}

/**
 * The port's response for an Anthropic message: text blocks become text parts, `tool_use`
 * blocks tool-call parts; a call of the structured-output tool becomes the answer's JSON text
 * instead (other text is then left out, so that the text parses), with finish reason `stop`
 * unless the model also called tools of the request. Thinking and server-tool blocks are not
 * part of the port's content and are left out.
 *
 * @example
 * ```ts
 * fromAnthropicMessage(message, { provider: 'anthropic', modelId: 'claude-sonnet-5-5', outputTool: undefined })
 * ```
 */
export function fromAnthropicMessage(
  message: AnthropicMessageLike,
  context: AnthropicMessageContext,
): ModelResponse {
  const { outputTool } = context
  const parts: ContentPart[] = []
  let answer: string | undefined
  for (const block of message.content) {
    if (block.type === 'text' && 'text' in block) {
      parts.push({ type: 'text', text: block.text })
    } else if (block.type === 'tool_use' && 'name' in block) {
      if (outputTool !== undefined && block.name === outputTool.name) {
        answer = block.jsonText ?? outputText(block.input, outputTool)
      } else {
        parts.push({
          type: 'tool-call',
          toolCallId: block.id,
          toolName: block.name,
          input: block.input,
        })
      }
    }
  }
  const calls = parts.filter((part) => part.type === 'tool-call')
  const content: ContentPart[] =
    answer === undefined ? parts : [{ type: 'text', text: answer }, ...calls]
  let finishReason = toFinishReason(message.stop_reason)
  if (answer !== undefined && calls.length === 0 && finishReason === 'tool-calls') {
    finishReason = 'stop'
  }
  return {
    content,
    finishReason,
    usage: toTokenUsage(message.usage),
    modelId: typeof message.model === 'string' ? message.model : context.modelId,
    provider: context.provider,
    ...(typeof message.id === 'string' ? { responseId: message.id } : {}),
  }
}
