import { InvalidArgumentError, type ModelRequest } from '@tessera/core'
import type {
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions'
import { toStrictJsonSchema } from '../shared/to-strict-json-schema'
import { toChatMessages } from './to-chat-messages'

/** How one Chat Completions dialect renders requests (OpenAI's own, or a compatible server's). */
export interface ChatCompletionsDialect {
  /** The provider name, in errors and on responses. */
  provider: string
  /** The role of system messages. */
  systemMessageRole: 'system' | 'developer'
  /** The body field for `maxOutputTokens`. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens'
  /**
   * How `responseFormat` is asked for: `json-schema` (`response_format: { type: 'json_schema' }`)
   * or `json-object` (`{ type: 'json_object' }`, with the schema in the system prompt).
   */
  structuredOutputs: 'json-schema' | 'json-object'
  /** Converts `responseFormat` schemas to the strict dialect and sends `strict: true`. */
  strictJsonSchema: boolean
  /** Sends tools with `strict: true`, their schemas converted to the strict dialect. */
  strictTools: boolean
  /** The `providerOptions` key whose entries are merged into the request body. */
  providerOptionsKey: string
}

/** A request body, and how to undo on the answer what the strict conversion changed. */
export interface ChatRequest {
  body: Omit<ChatCompletionCreateParamsBase, 'stream'>
  /** Removes the `null`s the strict `responseFormat` schema stood in for optional properties. */
  restoreOutput?: (value: unknown) => unknown
  /** The same for the input of each strict tool, by tool name. */
  restoreToolInput: ReadonlyMap<string, (value: unknown) => unknown>
}

/**
 * Renders a port request as a Chat Completions body (everything but `stream`): messages
 * ({@link toChatMessages}), `tools` as functions, `tool_choice`, `response_format`, sampling
 * settings, the dialect's max-tokens field, and `providerOptions[dialect.providerOptionsKey]`
 * merged last. Schemas the strict dialect cannot express throw `UnsupportedSchemaError` before
 * anything is sent; a `toolChoice` naming a tool that is not in `tools` throws
 * `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * const { body } = toChatRequest({ messages: [{ role: 'user', content: 'Hi' }], maxOutputTokens: 50 }, dialect)
 * body.max_completion_tokens // 50
 * ```
 */
export function toChatRequest(
  request: ModelRequest,
  modelId: string,
  dialect: ChatCompletionsDialect,
): ChatRequest {
  const messages = toChatMessages(request.messages, dialect)
  const body: Omit<ChatCompletionCreateParamsBase, 'stream'> = { model: modelId, messages }
  const restoreToolInput = new Map<string, (value: unknown) => unknown>()
  let restoreOutput: ((value: unknown) => unknown) | undefined

  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool): ChatCompletionTool => {
      let parameters = tool.inputSchema
      if (dialect.strictTools) {
        const strict = toStrictJsonSchema(tool.inputSchema, {
          provider: dialect.provider,
          use: `tool "${tool.name}"`,
        })
        parameters = strict.schema
        restoreToolInput.set(tool.name, strict.restore)
      }
      return {
        type: 'function',
        function: {
          name: tool.name,
          ...(tool.description === undefined ? {} : { description: tool.description }),
          parameters,
          ...(dialect.strictTools ? { strict: true } : {}),
        },
      }
    })
  }
  if (request.toolChoice !== undefined && body.tools) {
    body.tool_choice = toolChoiceOf(request, dialect)
  }

  if (request.responseFormat) {
    const name = (request.responseFormat.name ?? 'response').replace(/[^a-zA-Z0-9_-]/g, '_')
    let schema = request.responseFormat.schema
    if (dialect.strictJsonSchema) {
      const strict = toStrictJsonSchema(schema, {
        provider: dialect.provider,
        use: 'responseFormat',
      })
      schema = strict.schema
      restoreOutput = strict.restore
    }
    if (dialect.structuredOutputs === 'json-schema') {
      body.response_format = {
        type: 'json_schema',
        json_schema: {
          name: name.slice(0, 64),
          schema,
          ...(dialect.strictJsonSchema ? { strict: true } : {}),
        },
      }
    } else {
      body.response_format = { type: 'json_object' }
      body.messages = withSchemaInstruction(messages, schema, dialect)
    }
  }

  if (request.temperature !== undefined) body.temperature = request.temperature
  if (request.topP !== undefined) body.top_p = request.topP
  if (request.maxOutputTokens !== undefined) {
    body[dialect.maxTokensField] = request.maxOutputTokens
  }
  if (request.stopSequences && request.stopSequences.length > 0) body.stop = request.stopSequences
  if (request.seed !== undefined) body.seed = request.seed
  Object.assign(body, request.providerOptions?.[dialect.providerOptionsKey])
  return { body, ...(restoreOutput ? { restoreOutput } : {}), restoreToolInput }
}

function toolChoiceOf(
  request: ModelRequest,
  dialect: ChatCompletionsDialect,
): ChatCompletionToolChoiceOption {
  const choice = request.toolChoice!
  if (choice === 'auto' || choice === 'required' || choice === 'none') return choice
  const known = request.tools?.some((tool) => tool.name === choice?.toolName)
  if (choice?.type !== 'tool' || !known) {
    throw new InvalidArgumentError({
      fn: `${dialect.provider} model`,
      argument: 'request.toolChoice',
      expected: `"auto", "required", "none" or { type: 'tool', toolName } naming one of the tools (${request.tools?.map((tool) => tool.name).join(', ')})`,
      received: choice,
    })
  }
  return { type: 'function', function: { name: choice.toolName } }
}

/** The messages with the JSON answer's schema stated in the (first) system message. */
function withSchemaInstruction(
  messages: ChatCompletionMessageParam[],
  schema: Record<string, unknown>,
  dialect: ChatCompletionsDialect,
): ChatCompletionMessageParam[] {
  const instruction = `Answer with one JSON object, and nothing else, that matches this JSON Schema:\n${JSON.stringify(schema)}`
  const index = messages.findIndex(
    (message) => message.role === 'system' || message.role === 'developer',
  )
  if (index === -1) return [{ role: dialect.systemMessageRole, content: instruction }, ...messages]
  const system = messages[index] as { role: 'system' | 'developer'; content: unknown }
  const text =
    typeof system.content === 'string'
      ? system.content
      : (system.content as { text: string }[]).map((part) => part.text).join('')
  return messages.map((message, at) =>
    at === index ? { role: system.role, content: `${text}\n\n${instruction}` } : message,
  )
}
