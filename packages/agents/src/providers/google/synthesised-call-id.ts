const prefix = 'gemini-call-'

/**
 * A tool-call id for a Gemini function call that came without one (Gemini 2 models do not number
 * their calls): the response's id and the call's position, so `stream()` and `generate()` name a
 * call alike and calls of different answers never share an id. Such ids are not sent back to
 * Gemini, which pairs calls and results by name and order instead.
 *
 * @example
 * ```ts
 * synthesiseCallId('pBdeaMWVK4Dgz7IPxP3B2QI', 0) // 'gemini-call-pBdeaMWVK4Dgz7IPxP3B2QI-0'
 * ```
 */
export function synthesiseCallId(responseKey: string, position: number): string {
  return `${prefix}${responseKey}-${position}`
}

/** Whether an id was made by {@link synthesiseCallId} rather than given by Gemini. */
export function isSynthesisedCallId(toolCallId: string): boolean {
  return toolCallId.startsWith(prefix)
}
