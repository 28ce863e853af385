import type { ModelResponse } from '@tessera/core'

/**
 * The port's finish reason for an Anthropic `stop_reason`: `end_turn` and `stop_sequence` →
 * `stop`, `max_tokens` and `model_context_window_exceeded` → `length`, `tool_use` →
 * `tool-calls`, `refusal` → `content-filter`; `pause_turn`, an unknown or a missing reason →
 * `other`.
 *
 * @example
 * ```ts
 * toFinishReason('tool_use') // 'tool-calls'
 * ```
 */
export function toFinishReason(
  stopReason: string | null | undefined,
): ModelResponse['finishReason'] {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop'
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool-calls'
    case 'refusal':
      return 'content-filter'
    default:
      return 'other'
  }
}
