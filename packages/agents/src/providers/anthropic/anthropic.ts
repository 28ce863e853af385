import { createAnthropic, type AnthropicProvider } from './create-anthropic'

/**
 * The default Anthropic provider: credentials as the SDK finds them (`ANTHROPIC_API_KEY`
 * first), read at the first call, so importing it never throws.
 *
 * @example
 * ```ts
 * import { anthropic } from '@tessera/agents/anthropic'
 *
 * const answer = await anthropic('claude-haiku-5-5').generate({
 *   messages: [{ role: 'user', content: 'Name three prime numbers.' }],
 * })
 * ```
 */
export const anthropic: AnthropicProvider = createAnthropic()
