import { ModelCallError } from '@tessera/core'

/** Where a tool call's arguments came from, for the error message. */
export interface ToolInputSource {
  provider: string
  modelId: string
  toolName: string
  toolCallId?: string
}

/**
 * Parses the JSON arguments of a tool call as a vendor sent them. Empty arguments (some servers
 * send `""` for a tool without parameters) are `{}`; anything that is not JSON is a
 * `ModelCallError` with failure `malformed-response` naming the tool and showing the text.
 *
 * @example
 * ```ts
 * parseToolInput('{"city":"Paris"}', { provider: 'openai', modelId, toolName: 'get_weather' }) // { city: 'Paris' }
 * ```
 */
export function parseToolInput(text: string, source: ToolInputSource): unknown {
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text
    throw new ModelCallError({
      provider: source.provider,
      modelId: source.modelId,
      failure: 'malformed-response',
      message: `the arguments of tool call ${source.toolCallId ? `"${source.toolCallId}" ` : ''}to "${source.toolName}" are not JSON: ${JSON.stringify(shown)}`,
      cause: error,
    })
  }
}
