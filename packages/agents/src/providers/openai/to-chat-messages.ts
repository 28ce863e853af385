import { InvalidArgumentError, type ContentPart, type ModelMessage } from '@tessera/core'
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPartText,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions'

/** How {@link toChatMessages} renders the conversation. */
export interface ChatMessagesOptions {
  /** The role of system messages: `developer` for OpenAI's reasoning models. */
  systemMessageRole: 'system' | 'developer'
  /** Named in errors, e.g. `openai`. */
  provider: string
}

/**
 * The port's messages as Chat Completions messages: system messages keep their place (as
 * `system` or `developer`), user text parts become text content parts (one part is sent as a
 * plain string), an assistant's text and tool calls become one message with `tool_calls` (the
 * input as JSON arguments), and each tool result becomes a `role: 'tool'` message answering its
 * `tool_call_id` (a non-string output as JSON). Tool results inside a user message are sent as
 * tool messages ahead of it. A part that has no place (a tool call from the user, a tool result
 * from the assistant) is an `InvalidArgumentError` naming the message.
 *
 * @example
 * ```ts
 * toChatMessages([{ role: 'user', content: 'Hi' }], { systemMessageRole: 'system', provider: 'openai' })
 * // [{ role: 'user', content: 'Hi' }]
 * ```
 */
export function toChatMessages(
  messages: readonly ModelMessage[],
  options: ChatMessagesOptions,
): ChatCompletionMessageParam[] {
  if (!Array.isArray(messages)) {
    throw new InvalidArgumentError({
      fn: `${options.provider} model`,
      argument: 'request.messages',
      expected: 'an array of messages',
      received: messages,
    })
  }
  const out: ChatCompletionMessageParam[] = []
  messages.forEach((message, index) => {
    const where = `request.messages[${index}]`
    switch (message?.role) {
      case 'system':
        out.push({ role: options.systemMessageRole, content: message.content })
        return
      case 'user': {
        if (typeof message.content === 'string') {
          out.push({ role: 'user', content: message.content })
          return
        }
        const texts: ChatCompletionContentPartText[] = []
        partsOf(message.content, where, options).forEach((part, partIndex) => {
          if (part.type === 'text') texts.push({ type: 'text', text: part.text })
          else if (part.type === 'tool-result') out.push(toolMessage(part))
          else throw misplaced(options, `${where}.content[${partIndex}]`, part, 'a user message')
        })
        if (texts.length > 0) {
          out.push({ role: 'user', content: texts.length === 1 ? texts[0]!.text : texts })
        }
        return
      }
      case 'assistant': {
        if (typeof message.content === 'string') {
          out.push({ role: 'assistant', content: message.content })
          return
        }
        let text = ''
        const toolCalls: NonNullable<ChatCompletionAssistantMessageParam['tool_calls']> = []
        partsOf(message.content, where, options).forEach((part, partIndex) => {
          if (part.type === 'text') text += part.text
          else if (part.type === 'tool-call') {
            toolCalls.push({
              id: part.toolCallId,
              type: 'function',
              function: { name: part.toolName, arguments: JSON.stringify(part.input ?? {}) },
            })
          } else {
            throw misplaced(options, `${where}.content[${partIndex}]`, part, 'an assistant message')
          }
        })
        out.push({
          role: 'assistant',
          content: text === '' && toolCalls.length > 0 ? null : text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        })
        return
      }
      case 'tool':
        partsOf(message.content, where, options).forEach((part, partIndex) => {
          if (part.type !== 'tool-result') {
            throw misplaced(options, `${where}.content[${partIndex}]`, part, 'a tool message')
          }
          out.push(toolMessage(part))
        })
        return
      default:
        throw new InvalidArgumentError({
          fn: `${options.provider} model`,
          argument: `${where}.role`,
          expected: '"system", "user", "assistant" or "tool"',
          received: (message as { role?: unknown } | undefined)?.role,
        })
    }
  })
  return out
}

function toolMessage(
  part: Extract<ContentPart, { type: 'tool-result' }>,
): ChatCompletionMessageParam {
  return {
    role: 'tool',
    tool_call_id: part.toolCallId,
    content:
      typeof part.output === 'string' ? part.output : (JSON.stringify(part.output) ?? 'null'),
  }
}

function partsOf(
  content: unknown,
  where: string,
  options: ChatMessagesOptions,
): readonly ContentPart[] {
  if (!Array.isArray(content)) {
    throw new InvalidArgumentError({
      fn: `${options.provider} model`,
      argument: `${where}.content`,
      expected: 'a string or an array of content parts',
      received: content,
    })
  }
  return content as ContentPart[]
}

function misplaced(
  options: ChatMessagesOptions,
  argument: string,
  part: ContentPart,
  place: string,
): InvalidArgumentError {
  return new InvalidArgumentError({
    fn: `${options.provider} model`,
    argument,
    expected: `a part that ${place} can hold (not "${String(part?.type)}")`,
    received: part,
  })
}
