import type Anthropic from '@anthropic-ai/sdk'
import { InvalidArgumentError, type ContentPart, type ModelMessage } from '@tessera/core'

/** A conversation in the Messages API's form: the top-level `system` and the turns. */
export interface AnthropicConversation {
  system: string | undefined
  messages: Anthropic.MessageParam[]
}

type Block = Anthropic.ContentBlockParam
type ToolResult = Extract<ContentPart, { type: 'tool-result' }>

const where = (index: number) => `request.messages[${index}]`

/** A tool result as Anthropic's `tool_result` block: text as it is, anything else as JSON. */
function toToolResultBlock(part: ToolResult): Anthropic.ToolResultBlockParam {
  const content = typeof part.output === 'string' ? part.output : JSON.stringify(part.output)
  return {
    type: 'tool_result',
    tool_use_id: part.toolCallId,
    ...(content === undefined ? {} : { content }),
    ...(part.isError ? { is_error: true } : {}),
  }
}

/** The content blocks of a user message (text and tool results). */
function userBlocks(content: string | ContentPart[], index: number): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }]
  return content.map((part, partIndex): Block => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text }
      case 'tool-result':
        return toToolResultBlock(part)
      default:
        throw new InvalidArgumentError({
          fn: 'anthropic',
          argument: `${where(index)}.content[${partIndex}]`,
          expected:
            'a text or tool-result part in a user message (tool calls belong to assistant messages)',
          received: part.type,
        })
    }
  })
}

/** The content blocks of an assistant message (text and tool calls; empty text is dropped). */
function assistantBlocks(content: string | ContentPart[], index: number): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }]
  const blocks: Block[] = []
  content.forEach((part, partIndex) => {
    switch (part.type) {
      case 'text':
        // Anthropic rejects empty text blocks.
        if (part.text !== '') blocks.push({ type: 'text', text: part.text })
        return
      case 'tool-call':
        blocks.push({
          type: 'tool_use',
          id: part.toolCallId,
          name: part.toolName,
          input: part.input ?? {},
        })
        return
      default:
        throw new InvalidArgumentError({
          fn: 'anthropic',
          argument: `${where(index)}.content[${partIndex}]`,
          expected:
            'a text or tool-call part in an assistant message (tool results belong to tool messages)',
          received: part.type,
        })
    }
  })
  return blocks
}

/**
 * Converts the port's messages to the Messages API's: every system message goes to the top-level
 * `system` parameter (several are joined by a blank line, wherever they stood); tool messages
 * become `tool_result` blocks in a user turn; consecutive messages that land on the same role
 * (a run of tool messages, tool results followed by the user's text) are merged into one turn,
 * as Anthropic expects turns to alternate. A lone user message with string content stays a
 * string.
 *
 * @example
 * ```ts
 * toAnthropicMessages([
 *   { role: 'system', content: 'Be brief.' },
 *   { role: 'user', content: 'Hi' },
 * ])
 * // { system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] }
 * ```
 */
export function toAnthropicMessages(messages: readonly ModelMessage[]): AnthropicConversation {
  if (!Array.isArray(messages)) {
    throw new InvalidArgumentError({
      fn: 'anthropic',
      argument: 'request.messages',
      expected: 'an array of messages',
      received: messages,
    })
  }
  const system: string[] = []
  const turns: { role: 'user' | 'assistant'; content: string | Block[] }[] = []

  const append = (role: 'user' | 'assistant', content: string | Block[]) => {
    const last = turns.at(-1)
    if (last?.role !== role) {
      turns.push({ role, content })
      return
    }
    const blocks = (value: string | Block[]): Block[] =>
      typeof value === 'string' ? [{ type: 'text', text: value }] : value
    last.content = [...blocks(last.content), ...blocks(content)]
  }

  messages.forEach((message, index) => {
    switch (message?.role) {
      case 'system':
        if (typeof message.content !== 'string') {
          throw new InvalidArgumentError({
            fn: 'anthropic',
            argument: `${where(index)}.content`,
            expected: 'a string (system messages hold text)',
            received: message.content,
          })
        }
        system.push(message.content)
        return
      case 'user':
        append(
          'user',
          typeof message.content === 'string'
            ? message.content
            : userBlocks(message.content, index),
        )
        return
      case 'assistant': {
        const blocks = assistantBlocks(message.content, index)
        if (blocks.length > 0) append('assistant', blocks)
        return
      }
      case 'tool':
        append(
          'user',
          message.content.map((part: ToolResult, partIndex: number): Block => {
            if (part?.type !== 'tool-result') {
              throw new InvalidArgumentError({
                fn: 'anthropic',
                argument: `${where(index)}.content[${partIndex}]`,
                expected: 'a tool-result part',
                received: part?.type,
              })
            }
            return toToolResultBlock(part)
          }),
        )
        return
      default:
        throw new InvalidArgumentError({
          fn: 'anthropic',
          argument: `${where(index)}.role`,
          expected: '"system", "user", "assistant" or "tool"',
          received: (message as { role?: unknown } | undefined)?.role,
        })
    }
  })

  return {
    system: system.length > 0 ? system.join('\n\n') : undefined,
    messages: turns as Anthropic.MessageParam[],
  }
}
