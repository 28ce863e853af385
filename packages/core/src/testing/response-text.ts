import type { ModelResponse } from '../ports/language-model-v1'

/**
 * The text parts of a model's response, joined in order (tool calls and other parts left out).
 *
 * @example
 * ```ts
 * const response = await model.generate({ messages: [{ role: 'user', content: 'Hello' }] })
 * expect(responseText(response)).toBe('Hello there.')
 * ```
 */
export function responseText(response: ModelResponse): string {
  return response.content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('')
}
