import { ModelCallError, type ModelResponse } from '@tessera/core'
import { toModelResponse, type ChatResponseContext } from './to-model-response'

/**
 * The port's response for a Chat Completions answer (`chat.completion` JSON). A body that is not
 * one (no `choices`, no message) is a `ModelCallError` with failure `malformed-response`.
 *
 * @example
 * ```ts
 * const completion = await client.chat.completions.create(body)
 * const response = fromChatCompletion(completion, { provider: 'openai', modelId, restoreToolInput: new Map() })
 * ```
 */
export function fromChatCompletion(
  completion: unknown,
  context: ChatResponseContext,
): ModelResponse {
  const choice = (completion as { choices?: unknown } | null)?.choices
  const first = Array.isArray(choice) ? (choice[0] as Record<string, any> | undefined) : undefined
  if (typeof first?.message !== 'object' || first.message === null) {
    const shown = JSON.stringify(completion)?.slice(0, 120) ?? String(completion)
    throw new ModelCallError({
      provider: context.provider,
      modelId: context.modelId,
      failure: 'malformed-response',
      message: `expected a chat completion with a message in choices[0], received ${shown}`,
    })
  }
  const { message } = first
  const body = completion as Record<string, any>
  return toModelResponse(
    {
      id: typeof body.id === 'string' ? body.id : undefined,
      model: typeof body.model === 'string' ? body.model : undefined,
      text: typeof message.content === 'string' ? message.content : '',
      refusal: typeof message.refusal === 'string' ? message.refusal : '',
      toolCalls: (Array.isArray(message.tool_calls) ? message.tool_calls : [])
        .filter((call: any) => call?.type === 'function' || call?.function)
        .map((call: any, index: number) => ({
          id: typeof call.id === 'string' && call.id ? call.id : `call_${index}`,
          name: String(call.function?.name ?? ''),
          arguments: argumentsText(call.function?.arguments),
        })),
      finishReason: first.finish_reason,
      usage: body.usage,
    },
    context,
  )
}

/** Tool-call arguments as text: some compatible servers send an object instead of a JSON string. */
function argumentsText(value: unknown): string {
  if (typeof value === 'string') return value
  return value === undefined || value === null ? '' : JSON.stringify(value)
}
