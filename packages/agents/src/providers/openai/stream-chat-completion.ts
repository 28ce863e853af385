import { ModelCallError, type ModelStreamPart } from '@tessera/core'
import { toModelResponse, type ChatAnswer, type ChatResponseContext } from './to-model-response'

/**
 * The port's stream parts for a Chat Completions stream (`chat.completion.chunk`s): a
 * `text-delta` per content delta, a `tool-call-delta` per tool-call chunk (the first chunk of a
 * call announces it even when its arguments are still empty), then one `finish` part with the
 * whole answer ({@link toModelResponse}: the same response `generate()` gives). A stream that
 * ends before any finish reason was cut off: a `ModelCallError` with failure `malformed-response`.
 *
 * @example
 * ```ts
 * const chunks = await client.chat.completions.create({ ...body, stream: true })
 * for await (const part of streamChatCompletion(chunks, context)) console.log(part.type)
 * ```
 */
export async function* streamChatCompletion(
  chunks: AsyncIterable<unknown>,
  context: ChatResponseContext,
): AsyncGenerator<ModelStreamPart> {
  const answer: ChatAnswer = { text: '', refusal: '', toolCalls: [], finishReason: undefined }
  const callsByIndex = new Map<number, ChatAnswer['toolCalls'][number]>()
  for await (const value of chunks) {
    if (typeof value !== 'object' || value === null) {
      throw malformed(
        context,
        `expected a chat.completion.chunk, received ${JSON.stringify(value)}`,
      )
    }
    const chunk = value as Record<string, any>
    if (typeof chunk.id === 'string' && chunk.id) answer.id ??= chunk.id
    if (typeof chunk.model === 'string' && chunk.model) answer.model = chunk.model
    if (chunk.usage) answer.usage = chunk.usage
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined
    if (!choice) continue
    const delta = choice.delta ?? {}
    if (typeof delta.content === 'string' && delta.content !== '') {
      answer.text += delta.content
      yield { type: 'text-delta', delta: delta.content }
    }
    if (typeof delta.refusal === 'string') answer.refusal += delta.refusal
    for (const toolDelta of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      const index = typeof toolDelta.index === 'number' ? toolDelta.index : callsByIndex.size
      let call = callsByIndex.get(index)
      const announced = call === undefined
      if (call === undefined) {
        call = {
          id: typeof toolDelta.id === 'string' && toolDelta.id ? toolDelta.id : `call_${index}`,
          name: String(toolDelta.function?.name ?? ''),
          arguments: '',
        }
        callsByIndex.set(index, call)
        answer.toolCalls.push(call)
      } else if (!call.name && toolDelta.function?.name) {
        call.name = String(toolDelta.function.name)
      }
      const piece = argumentsPiece(toolDelta.function?.arguments)
      call.arguments += piece
      if (piece !== '' || announced) {
        yield {
          type: 'tool-call-delta',
          toolCallId: call.id,
          toolName: call.name,
          inputDelta: piece,
        }
      }
    }
    if (choice.finish_reason) answer.finishReason = choice.finish_reason
  }
  if (!answer.finishReason) {
    throw malformed(context, 'the stream ended before a finish reason (cut off)')
  }
  yield { type: 'finish', response: toModelResponse(answer, context) }
}

function argumentsPiece(value: unknown): string {
  if (typeof value === 'string') return value
  return value === undefined || value === null ? '' : JSON.stringify(value)
}

function malformed(context: ChatResponseContext, message: string): ModelCallError {
  return new ModelCallError({
    provider: context.provider,
    modelId: context.modelId,
    failure: 'malformed-response',
    message,
  })
}
