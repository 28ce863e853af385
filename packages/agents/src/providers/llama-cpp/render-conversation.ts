import type { ContentPart, ModelMessage } from '@tessera/core'

/** One turn of a conversation, as text. */
export interface ConversationTurn {
  role: 'user' | 'assistant'
  text: string
}

/** A conversation reduced to a system text and alternating text turns. */
export interface Conversation {
  system: string | undefined
  turns: ConversationTurn[]
}

/**
 * Renders the port's messages as text turns for a prompt template:
 * - system messages are joined (blank line between them) into one system text at the top, and
 *   `instructions` (how to call tools, which JSON to answer) are appended to it;
 * - a tool call in an assistant message is written as the JSON the grammar makes the model
 *   produce, `{"name": "get_weather", "input": {"city": "Paris"}}`, on its own line;
 * - tool results (a `tool` message, or tool-result parts in a user message) become a user turn,
 *   one line each: `Tool result for get_weather (call call_1): {"sky":"sunny"}`, or
 *   `Tool error for …` when `isError`;
 * - consecutive turns of the same role are merged (blank line between them).
 *
 * @example
 * ```ts
 * renderConversation([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }])
 * // { system: 'Be brief.', turns: [{ role: 'user', text: 'Hi' }] }
 * ```
 */
export function renderConversation(
  messages: readonly ModelMessage[],
  instructions?: string,
): Conversation {
  const systemTexts: string[] = []
  const turns: ConversationTurn[] = []
  const add = (role: ConversationTurn['role'], text: string) => {
    const last = turns.at(-1)
    if (last?.role === role) last.text = `${last.text}\n\n${text}`
    else turns.push({ role, text })
  }
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        systemTexts.push(message.content)
        break
      case 'user':
        add('user', renderParts(message.content))
        break
      case 'assistant':
        add('assistant', renderParts(message.content))
        break
      case 'tool':
        add('user', renderParts(message.content))
        break
    }
  }
  if (instructions) systemTexts.push(instructions)
  return { system: systemTexts.length > 0 ? systemTexts.join('\n\n') : undefined, turns }
}

function renderParts(content: string | readonly ContentPart[]): string {
  if (typeof content === 'string') return content
  const lines: string[] = []
  let text = ''
  const flushText = () => {
    if (text !== '') lines.push(text)
    text = ''
  }
  for (const part of content) {
    if (part.type === 'text') {
      text += part.text
    } else if (part.type === 'tool-call') {
      flushText()
      lines.push(renderToolCall(part.toolName, part.input))
    } else {
      flushText()
      const output = typeof part.output === 'string' ? part.output : JSON.stringify(part.output)
      lines.push(
        `Tool ${part.isError ? 'error' : 'result'} for ${part.toolName} (call ${part.toolCallId}): ${output}`,
      )
    }
  }
  flushText()
  return lines.join('\n')
}

/**
 * A tool call as the model writes it.
 *
 * @example
 * ```ts
 * renderToolCall('get_weather', { city: 'Paris' }) // '{"name": "get_weather", "input": {"city":"Paris"}}'
 * ```
 */
export function renderToolCall(name: string, input: unknown): string {
  return `{"name": ${JSON.stringify(name)}, "input": ${JSON.stringify(input ?? {})}}`
}
