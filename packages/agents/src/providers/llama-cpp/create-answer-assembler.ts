import {
  ModelCallError,
  type ContentPart,
  type ModelResponse,
  type ModelStreamPart,
} from '@tessera/core'
import { scanToolCallPrefix } from './scan-tool-call-prefix'

/**
 * What the grammar lets the model answer: free `text`, `json` for a response format, a `tool`
 * call only, or either a tool call or text / JSON.
 */
export type AnswerMode = 'text' | 'json' | 'tool' | 'tool-or-text' | 'tool-or-json'

/** Settings of {@link createAnswerAssembler}. */
export interface AnswerAssemblerSettings {
  mode: AnswerMode
  /** The tools the model may call in this answer. */
  toolNames: ReadonlySet<string>
  generateId: () => string
  provider: string
  modelId: string
}

/** Turns the raw text of an answer, as it streams, into stream parts and the final content. */
export interface AnswerAssembler {
  /** Takes the next piece of raw text; returns the parts it completes. */
  push(delta: string): ModelStreamPart[]
  /** Ends the answer: the last parts, the content and the finish reason. */
  finish(stopReason: 'stop' | 'length'): {
    parts: ModelStreamPart[]
    content: ContentPart[]
    finishReason: ModelResponse['finishReason']
  }
}

/**
 * Reads a model's raw answer as it streams. Text answers are trimmed (leading and trailing
 * whitespace is held back, never streamed) and stream as `text-delta` parts. A tool call, which
 * the grammar makes the model write as `{"name": "<tool>", "input": <input>}`, is recognised once
 * `"input":` is read; its input then streams as `tool-call-delta` parts whose deltas join to the
 * input's JSON, and the finished call becomes a `tool-call` part.
 *
 * @example
 * ```ts
 * const assembler = createAnswerAssembler({ mode: 'tool-or-text', toolNames: new Set(['get_weather']),
 *   generateId: () => 'call_1', provider: 'llama-cpp', modelId: 'qwen' })
 * assembler.push('{"name": "get_weather", "input": {"city": "Oslo"}}')
 * assembler.finish('stop').content // [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Oslo' } }]
 * ```
 */
export function createAnswerAssembler(settings: AnswerAssemblerSettings): AnswerAssembler {
  let raw = ''
  let state: 'undecided' | 'text' | 'tool' = 'undecided'
  let textEmitted = 0
  let tool: { id: string; name: string; inputStart: number; emitted: number } | undefined

  const decide = (atEnd: boolean): void => {
    if (state !== 'undecided') return
    if (settings.mode === 'text' || settings.mode === 'json' || settings.toolNames.size === 0) {
      state = 'text'
      return
    }
    const start = raw.trimStart()
    if (start === '') {
      if (atEnd) state = 'text'
      return
    }
    if (settings.mode === 'tool-or-text' && !start.startsWith('{')) {
      state = 'text'
      return
    }
    const prefix = scanToolCallPrefix(raw, settings.toolNames)
    if (prefix.state === 'match') {
      state = 'tool'
      tool = {
        id: settings.generateId(),
        name: prefix.name,
        inputStart: prefix.inputStart,
        emitted: 0,
      }
    } else if (prefix.state === 'no' || atEnd) {
      state = 'text'
    }
  }

  const emit = (): ModelStreamPart[] => {
    if (state === 'text') {
      // Trailing whitespace waits until text follows it; at the end it is dropped.
      const text = raw.trim()
      if (text.length <= textEmitted) return []
      const delta = text.slice(textEmitted)
      textEmitted = text.length
      return [{ type: 'text-delta', delta }]
    }
    if (state === 'tool' && tool) {
      const input = inputSoFar(raw.slice(tool.inputStart))
      if (input.length <= tool.emitted) return []
      const inputDelta = input.slice(tool.emitted)
      tool.emitted = input.length
      return [{ type: 'tool-call-delta', toolCallId: tool.id, toolName: tool.name, inputDelta }]
    }
    return []
  }

  return {
    push(delta) {
      raw += delta
      decide(false)
      return emit()
    },
    finish(stopReason) {
      decide(true)
      const parts = emit()
      if (state === 'tool' && tool) {
        const call = parseToolCall(raw)
        if (call === undefined) {
          throw new ModelCallError({
            provider: settings.provider,
            modelId: settings.modelId,
            failure: stopReason === 'length' ? 'other' : 'malformed-response',
            message:
              stopReason === 'length'
                ? `the call of tool "${tool.name}" was cut off by the output token limit before its JSON was complete; raise maxOutputTokens`
                : `the call of tool "${tool.name}" is not valid JSON: ${JSON.stringify(raw.slice(0, 200))}`,
          })
        }
        return {
          parts,
          content: [
            { type: 'tool-call', toolCallId: tool.id, toolName: tool.name, input: call.input },
          ],
          finishReason: 'tool-calls',
        }
      }
      if (settings.mode === 'tool') {
        throw new ModelCallError({
          provider: settings.provider,
          modelId: settings.modelId,
          failure: stopReason === 'length' ? 'other' : 'malformed-response',
          message:
            stopReason === 'length'
              ? 'the tool call was cut off by the output token limit before its name was complete; raise maxOutputTokens'
              : `expected a tool call, received ${JSON.stringify(raw.slice(0, 200))}`,
        })
      }
      const text = raw.trim()
      return {
        parts,
        content: text === '' ? [] : [{ type: 'text', text }],
        finishReason: stopReason,
      }
    },
  }
}

/**
 * The input's JSON as far as it is certainly known: without leading whitespace, and without a
 * trailing `}` (it may close the call rather than the input) and whitespace.
 */
function inputSoFar(region: string): string {
  return region.trimStart().replace(/\s*(\}\s*)?$/, '')
}

function parseToolCall(raw: string): { input: unknown } | undefined {
  try {
    const parsed = JSON.parse(raw) as unknown
    if (typeof parsed !== 'object' || parsed === null || !('input' in parsed)) return undefined
    return { input: (parsed as { input: unknown }).input }
  } catch {
    return undefined
  }
}
