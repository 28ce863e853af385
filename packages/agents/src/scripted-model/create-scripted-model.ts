import {
  InvalidArgumentError,
  type ContentPart,
  type LanguageModelV1,
  type ModelRequest,
  type ModelResponse,
  type ModelStreamPart,
  type TokenUsage,
} from '@tessera/core'
import { replayResponse } from '../reliability/replay-response'
import { ScriptExhaustedError } from './script-exhausted-error'

/**
 * One reply of a scripted model: a string (a text answer), a response (content, and optionally
 * the finish reason and token usage), or an `Error`, which the call rejects with.
 */
export type ScriptedReply =
  | string
  | {
      content: ContentPart[]
      finishReason?: ModelResponse['finishReason']
      usage?: TokenUsage
    }
  | Error

/** Settings of {@link createScriptedModel}. */
export interface ScriptedModelSettings {
  /** Default `scripted`. */
  provider?: string
  /** Default `scripted-model`. */
  modelId?: string
  /** Default: every capability on. */
  capabilities?: Partial<LanguageModelV1['capabilities']>
}

/** A {@link LanguageModelV1} that answers from a script, and remembers what it was asked. */
export interface ScriptedModel extends LanguageModelV1 {
  /** Every request received, in order, from `generate()` and `stream()` alike. */
  readonly calls: readonly ModelRequest[]
  /** How many replies are left in the script. */
  readonly remaining: number
  /** Appends replies to the script (checked like the initial script). */
  push(...replies: ScriptedReply[]): void
}

/**
 * A language model for unit tests: each call, `generate()` or `stream()`, takes the next reply of
 * the script. `stream()` yields the text in word-sized `text-delta` parts (and each tool call as
 * one `tool-call-delta`), then a `finish` part with the whole response. A call after the last
 * reply fails with a {@link ScriptExhaustedError} (`code: 'script_exhausted'`). Token usage, when
 * the reply does not give it, is estimated as one token per four characters.
 *
 * @example
 * ```ts
 * const model = createScriptedModel([
 *   { content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'lookup', input: { id: 7 } }] },
 *   'Order 7 shipped yesterday.',
 * ])
 * const first = await model.generate({ messages: [{ role: 'user', content: 'Where is order 7?' }] })
 * first.finishReason // 'tool-calls'
 * model.calls.length // 1
 * ```
 */
export function createScriptedModel(
  script: readonly ScriptedReply[],
  settings: ScriptedModelSettings = {},
): ScriptedModel {
  if (!Array.isArray(script)) {
    throw new InvalidArgumentError({
      fn: 'createScriptedModel',
      argument: 'script',
      expected: 'an array of replies',
      received: script,
    })
  }
  script.forEach((reply, index) => checkReply(reply, 'createScriptedModel', `script[${index}]`))
  const replies = [...script]
  const modelId = settings.modelId ?? 'scripted-model'
  const provider = settings.provider ?? 'scripted'
  const calls: ModelRequest[] = []
  let next = 0

  /** Records the call and resolves its reply; a thrown error is the call's failure. */
  const take = (request: ModelRequest): ModelResponse => {
    calls.push(request)
    request.signal?.throwIfAborted()
    const reply = replies[next]
    if (reply === undefined) {
      throw new ScriptExhaustedError({
        modelId,
        scriptLength: replies.length,
        callNumber: calls.length,
        lastUserMessage: lastUserText(request),
      })
    }
    next++
    if (reply instanceof Error) throw reply
    return { ...toResponse(reply, request, modelId), provider }
  }

  return {
    specificationVersion: 'v1',
    provider,
    modelId,
    capabilities: {
      tools: true,
      structuredOutput: true,
      streaming: true,
      ...settings.capabilities,
    },
    get calls() {
      return calls
    },
    get remaining() {
      return replies.length - next
    },
    push(...more) {
      more.forEach((reply, index) => checkReply(reply, 'ScriptedModel.push', `replies[${index}]`))
      replies.push(...more)
    },
    async generate(request) {
      return take(request)
    },
    stream(request) {
      // The call is recorded and its reply taken now; a failure surfaces on the first read.
      let response: ModelResponse | undefined
      let failure: unknown
      try {
        response = take(request)
      } catch (error) {
        failure = error
      }
      return (async function* (): AsyncGenerator<ModelStreamPart> {
        if (response === undefined) throw failure
        yield* replayResponse(response, request.signal)
      })()
    },
  }
}

/** Throws an InvalidArgumentError naming `argument` when `reply` is not a scripted reply. */
function checkReply(reply: unknown, fn: string, argument: string): void {
  const valid =
    typeof reply === 'string' ||
    reply instanceof Error ||
    (typeof reply === 'object' &&
      reply !== null &&
      Array.isArray((reply as { content?: unknown }).content))
  if (!valid) {
    throw new InvalidArgumentError({
      fn,
      argument,
      expected: 'a string, an Error or an object with a "content" array',
      received: reply,
    })
  }
}

function toResponse(
  reply: Exclude<ScriptedReply, Error>,
  request: ModelRequest,
  modelId: string,
): ModelResponse {
  const content: ContentPart[] =
    typeof reply === 'string'
      ? [{ type: 'text', text: reply }]
      : reply.content.map((part) => ({ ...part }))
  const hasToolCall = content.some((part) => part.type === 'tool-call')
  return {
    content,
    finishReason:
      (typeof reply === 'string' ? undefined : reply.finishReason) ??
      (hasToolCall ? 'tool-calls' : 'stop'),
    usage: (typeof reply === 'string' ? undefined : reply.usage) ?? {
      inputTokens: estimateTokens(
        request.messages.map((message) => textOf(message.content)).join('\n'),
      ),
      outputTokens: estimateTokens(textOf(content)),
    },
    modelId,
  }
}

/** Splits text into deltas that concatenate back to it: each starts at a whitespace boundary. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

function textOf(content: string | readonly ContentPart[]): string {
  if (typeof content === 'string') return content
  return content
    .map((part) =>
      part.type === 'text'
        ? part.text
        : part.type === 'tool-call'
          ? JSON.stringify(part.input)
          : JSON.stringify(part.output),
    )
    .join('')
}

function lastUserText(request: ModelRequest): string | undefined {
  const messages = Array.isArray(request?.messages) ? request.messages : []
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]
    if (message?.role === 'user') return textOf(message.content)
  }
  return undefined
}
