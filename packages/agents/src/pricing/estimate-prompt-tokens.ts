import type { ContentPart, ModelRequest } from '@tessera/core'

/**
 * An estimate of a request's prompt size in tokens: one token per four characters of
 * everything the provider reads (message text, tool calls and results as JSON, tool
 * definitions, the structured-output schema). Four characters per token is the usual figure
 * for English text with OpenAI's, Anthropic's and Google's tokenizers; code, numbers and
 * non-Latin scripts take more tokens per character, so the estimate is low for them. It is an
 * estimate: use it to refuse prompts that are clearly too long, not to bill.
 *
 * @example
 * ```ts
 * estimatePromptTokens({ messages: [{ role: 'user', content: 'Hello there' }] }) // 3
 * ```
 */
export function estimatePromptTokens(request: ModelRequest): number {
  let characters = 0
  for (const message of request.messages ?? []) {
    characters += textLength(message.content)
  }
  for (const tool of request.tools ?? []) {
    characters +=
      tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.inputSchema).length
  }
  if (request.responseFormat) characters += JSON.stringify(request.responseFormat.schema).length
  return Math.ceil(characters / 4)
}

function textLength(content: string | readonly ContentPart[]): number {
  if (typeof content === 'string') return content.length
  let length = 0
  for (const part of content) {
    if (part.type === 'text') length += part.text.length
    else if (part.type === 'tool-call') {
      length += part.toolName.length + (JSON.stringify(part.input) ?? '').length
    } else length += (JSON.stringify(part.output) ?? '').length
  }
  return length
}
