import { ModelCallError, type ModelStreamPart } from '@tessera/core'
import { parseToolInput } from '../shared/parse-tool-input'
import type { AnthropicUsage } from './anthropic-token-usage'
import {
  fromAnthropicMessage,
  outputText,
  type AnthropicMessageContext,
  type AnthropicMessageLike,
} from './from-anthropic-message'

/** The fields of the Messages API's stream events this reader uses. */
interface StreamEvent {
  type: string
  index?: number
  message?: { id?: string; model?: string; usage?: AnthropicUsage | null }
  content_block?: { type: string; text?: string; id?: string; name?: string }
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null }
  usage?: AnthropicUsage | null
}

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; json: string; input?: unknown; jsonText?: string }
  | { type: string }

/** Copies the usage counts an event reports (a `null` count leaves the earlier one). */
function mergeUsage(into: AnthropicUsage, from: AnthropicUsage | null | undefined): void {
  if (!from) return
  for (const key of [
    'input_tokens',
    'output_tokens',
    'cache_read_input_tokens',
    'cache_creation_input_tokens',
  ] as const) {
    const value = from[key]
    if (typeof value === 'number') into[key] = value
  }
}

/**
 * Reads the Messages API's server-sent events (`message_start`, `content_block_start`,
 * `content_block_delta` with `text_delta` or `input_json_delta`, `content_block_stop`,
 * `message_delta` with the stop reason and usage, `message_stop`; `ping` and unknown events are
 * skipped) into the port's stream parts: a `text-delta` per text delta, a `tool-call-delta` per
 * piece of a tool call's input, then one `finish` part with the whole response. The
 * structured-output tool's input streams as `text-delta`s (all at once at the end of its block
 * when the schema was wrapped). A stream that ends before `message_stop` is a malformed response.
 *
 * @example
 * ```ts
 * for await (const part of readAnthropicStream(await client.messages.create({ ...body, stream: true }), context)) { … }
 * ```
 */
export async function* readAnthropicStream(
  events: AsyncIterable<StreamEvent>,
  context: AnthropicMessageContext,
): AsyncGenerator<ModelStreamPart> {
  const { provider, modelId, outputTool } = context
  const blocks = new Map<number, Block>()
  const usage: AnthropicUsage = {}
  let id: string | undefined
  let model: string | undefined
  let stopReason: string | null | undefined
  let stopped = false

  const malformed = (message: string) =>
    new ModelCallError({ provider, modelId, failure: 'malformed-response', message })
  const blockAt = (event: StreamEvent): Block => {
    const block = blocks.get(event.index ?? -1)
    if (!block)
      throw malformed(
        `the stream sent a ${event.type} for content block ${event.index}, which never started`,
      )
    return block
  }
  const isOutput = (block: Block): boolean =>
    outputTool !== undefined &&
    block.type === 'tool_use' &&
    'name' in block &&
    block.name === outputTool.name

  for await (const event of events) {
    switch (event.type) {
      case 'message_start':
        id = event.message?.id
        model = event.message?.model
        mergeUsage(usage, event.message?.usage)
        break
      case 'content_block_start': {
        const start = event.content_block
        if (typeof event.index !== 'number' || !start)
          throw malformed('a content_block_start without an index or a content_block')
        if (start.type === 'text') {
          blocks.set(event.index, { type: 'text', text: start.text ?? '' })
          if (start.text) yield { type: 'text-delta', delta: start.text }
        } else if (start.type === 'tool_use') {
          blocks.set(event.index, {
            type: 'tool_use',
            id: start.id ?? '',
            name: start.name ?? '',
            json: '',
          })
        } else {
          blocks.set(event.index, { type: start.type })
        }
        break
      }
      case 'content_block_delta': {
        const block = blockAt(event)
        const delta = event.delta
        if (delta?.type === 'text_delta' && block.type === 'text' && 'text' in block) {
          block.text += delta.text ?? ''
          if (delta.text) yield { type: 'text-delta', delta: delta.text }
        } else if (
          delta?.type === 'input_json_delta' &&
          block.type === 'tool_use' &&
          'json' in block
        ) {
          const piece = delta.partial_json ?? ''
          block.json += piece
          if (piece === '') break
          if (!isOutput(block)) {
            yield {
              type: 'tool-call-delta',
              toolCallId: block.id,
              toolName: block.name,
              inputDelta: piece,
            }
          } else if (!outputTool!.wrapped) {
            yield { type: 'text-delta', delta: piece }
          }
        }
        break
      }
      case 'content_block_stop': {
        const block = blockAt(event)
        if (block.type === 'tool_use' && 'json' in block) {
          block.input = parseToolInput(block.json, {
            provider,
            modelId,
            toolName: block.name,
            toolCallId: block.id,
          })
          if (isOutput(block)) {
            if (outputTool!.wrapped || block.json.trim() === '') {
              block.jsonText = outputText(block.input, outputTool!)
              yield { type: 'text-delta', delta: block.jsonText }
            } else {
              block.jsonText = block.json
            }
          }
        }
        break
      }
      case 'message_delta':
        if (event.delta?.stop_reason !== undefined) stopReason = event.delta.stop_reason
        mergeUsage(usage, event.usage)
        break
      case 'message_stop':
        stopped = true
        break
      default:
        // `ping`, and event types added later (the API may add some within a version).
        break
    }
  }
  if (!stopped) throw malformed('the stream ended before its message_stop event')

  const content: AnthropicMessageLike['content'] = [...blocks.entries()]
    .sort(([left], [right]) => left - right)
    .map(([, block]) => {
      if (block.type === 'tool_use' && 'json' in block && block.input === undefined) {
        block.input = parseToolInput(block.json, {
          provider,
          modelId,
          toolName: block.name,
          toolCallId: block.id,
        })
      }
      return block
    })
  const response = fromAnthropicMessage(
    { id, model, content, stop_reason: stopReason, usage },
    context,
  )
  yield { type: 'finish', response }
}
