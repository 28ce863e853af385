import type { ModelMessage } from '@tessera/core'

/**
 * A rough token count of messages, for memory budgets: one token per four characters of their
 * JSON, plus four per message. It overestimates English text slightly, which keeps prompts
 * under the budget.
 *
 * @example
 * ```ts
 * estimateTokens([{ role: 'user', content: 'Hello there' }]) // 7
 * ```
 */
export function estimateTokens(messages: readonly ModelMessage[]): number {
  let total = 0
  for (const message of messages) {
    const content =
      typeof message.content === 'string' ? message.content : JSON.stringify(message.content)
    total += Math.ceil(content.length / 4) + 4
  }
  return total
}
