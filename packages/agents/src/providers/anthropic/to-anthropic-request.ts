import type Anthropic from '@anthropic-ai/sdk'
import {
  InvalidArgumentError,
  UnsupportedSchemaError,
  type ModelRequest,
  type ModelTool,
} from '@tessera/core'
import { toAnthropicMessages } from './to-anthropic-messages'

/** The tool that carries structured output, when the request asked for some. */
export interface AnthropicOutputTool {
  /** The tool's name (`responseFormat.name`, made a valid tool name, or `json_output`). */
  name: string
  /**
   * The schema was not an object, so the tool's input wraps it as `{ value }`: the answer is
   * the input's `value`.
   */
  wrapped: boolean
}

/** A request in the Messages API's form, with how to read its answer. */
export interface AnthropicRequest {
  body: Anthropic.MessageCreateParamsNonStreaming
  outputTool: AnthropicOutputTool | undefined
}

type JsonObject = Record<string, unknown>

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Anthropic's tool names: letters, digits, `_` and `-`, at most 64 characters. */
const toToolName = (name: string): string =>
  name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'json_output'

/** A user tool in Anthropic's form; its input schema must be a JSON Schema object. */
function toAnthropicTool(tool: ModelTool, index: number): Anthropic.Tool {
  if (!isObject(tool) || typeof tool.name !== 'string' || tool.name === '') {
    throw new InvalidArgumentError({
      fn: 'anthropic',
      argument: `request.tools[${index}]`,
      expected: 'a tool with a non-empty "name" and an "inputSchema" object',
      received: tool,
    })
  }
  if (!isObject(tool.inputSchema)) {
    throw new InvalidArgumentError({
      fn: 'anthropic',
      argument: `request.tools[${index}].inputSchema`,
      expected: 'a JSON Schema object',
      received: tool.inputSchema,
    })
  }
  if (tool.inputSchema.type !== 'object') {
    throw new UnsupportedSchemaError({
      provider: 'anthropic',
      path: '/type',
      reason:
        `the input schema of tool "${tool.name}" must be a JSON Schema object ({ type: "object" }), ` +
        `as Anthropic's input_schema requires; it has type ${JSON.stringify(tool.inputSchema.type)}`,
    })
  }
  return {
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: tool.inputSchema as Anthropic.Tool.InputSchema,
  }
}

/**
 * The structured-output tool's input schema: the response schema itself when it is an object;
 * any other schema wrapped as `{ value: <schema> }` (tool inputs are objects), with its `$defs`
 * and `definitions` kept at the root so that `$ref`s still resolve.
 */
function outputToolSchema(schema: JsonObject): {
  schema: Anthropic.Tool.InputSchema
  wrapped: boolean
} {
  if (schema.type === 'object')
    return { schema: schema as Anthropic.Tool.InputSchema, wrapped: false }
  const { $defs, definitions, $schema: _dialect, ...value } = schema
  return {
    schema: {
      type: 'object',
      properties: { value },
      required: ['value'],
      additionalProperties: false,
      ...($defs === undefined ? {} : { $defs }),
      ...(definitions === undefined ? {} : { definitions }),
    },
    wrapped: true,
  }
}

/** Anthropic's `tool_choice` for the port's. */
function toToolChoice(
  choice: NonNullable<ModelRequest['toolChoice']>,
  toolNames: readonly string[],
): Anthropic.ToolChoice {
  if (choice === 'auto') return { type: 'auto' }
  if (choice === 'required') return { type: 'any' }
  if (choice === 'none') return { type: 'none' }
  if (isObject(choice) && choice.type === 'tool' && toolNames.includes(choice.toolName)) {
    return { type: 'tool', name: choice.toolName }
  }
  throw new InvalidArgumentError({
    fn: 'anthropic',
    argument: 'request.toolChoice',
    expected: `"auto", "required", "none" or { type: 'tool', toolName } naming one of the request's tools (${toolNames.join(', ') || 'none given'})`,
    received: isObject(choice) ? choice.toolName : choice,
  })
}

/**
 * Converts a port request to a Messages API request body.
 *
 * - `maxOutputTokens` → `max_tokens`, which Anthropic requires: `defaultMaxTokens` when the
 *   request gives none.
 * - `tools` → `tools: [{ name, description, input_schema }]`; `toolChoice` → `tool_choice`
 *   (`auto`, `any` for `required`, `none`, `{ type: 'tool', name }`).
 * - `responseFormat` → a forced call of an output tool named `responseFormat.name` (or
 *   `json_output`) whose `input_schema` is the response schema. When the request has tools of its
 *   own, the output tool is added to them and `tool_choice` becomes `any` (the model calls one of
 *   its tools or answers through the output tool); a `toolChoice` of `none` forces the output
 *   tool, and a named tool stays forced.
 * - `stopSequences` → `stop_sequences`. `temperature`, `topP` and `seed` are not sent: API
 *   version 2026-10-21 has no sampling parameters (it rejects them with a 400).
 * - `providerOptions.anthropic` is merged into the body last (any Messages API field but
 *   `stream`, which the call decides).
 *
 * @example
 * ```ts
 * toAnthropicRequest({ messages: [{ role: 'user', content: 'Hi' }] }, 'claude-sonnet-5-5', 16384)
 * // { body: { model: 'claude-sonnet-5-5', max_tokens: 16384, messages: [...] }, outputTool: undefined }
 * ```
 */
export function toAnthropicRequest(
  request: ModelRequest,
  modelId: string,
  defaultMaxTokens: number,
): AnthropicRequest {
  if (!isObject(request)) {
    throw new InvalidArgumentError({
      fn: 'anthropic',
      argument: 'request',
      expected: 'an object with "messages"',
      received: request,
    })
  }
  const maxTokens = request.maxOutputTokens ?? defaultMaxTokens
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new InvalidArgumentError({
      fn: 'anthropic',
      argument: 'request.maxOutputTokens',
      expected: 'a positive integer',
      received: maxTokens,
    })
  }
  const { system, messages } = toAnthropicMessages(request.messages)
  const tools = (request.tools ?? []).map(toAnthropicTool)
  const toolNames = tools.map((tool) => tool.name)

  let toolChoice =
    request.toolChoice === undefined || tools.length === 0
      ? undefined
      : toToolChoice(request.toolChoice, toolNames)

  let outputTool: AnthropicOutputTool | undefined
  if (request.responseFormat !== undefined) {
    const format = request.responseFormat
    if (!isObject(format) || format.type !== 'json' || !isObject(format.schema)) {
      throw new InvalidArgumentError({
        fn: 'anthropic',
        argument: 'request.responseFormat',
        expected: "{ type: 'json', schema: <a JSON Schema object>, name? }",
        received: format,
      })
    }
    const name = toToolName(format.name ?? 'json_output')
    if (toolNames.includes(name)) {
      throw new InvalidArgumentError({
        fn: 'anthropic',
        argument: 'request.responseFormat.name',
        expected: `a name no tool of the request has (structured output is the input of a tool of that name)`,
        received: name,
      })
    }
    const { schema, wrapped } = outputToolSchema(format.schema)
    tools.push({
      name,
      description:
        'Give the answer as this tool’s input, in the JSON structure its schema describes.',
      input_schema: schema,
    })
    outputTool = { name, wrapped }
    if (toolChoice === undefined || toolChoice.type === 'auto' || toolChoice.type === 'any') {
      toolChoice = toolNames.length > 0 ? { type: 'any' } : { type: 'tool', name }
    } else if (toolChoice.type === 'none') {
      toolChoice = { type: 'tool', name }
    }
  }

  // `stream` is the call's to choose (generate or stream), not an option.
  const { stream: _stream, ...extra } = request.providerOptions?.anthropic ?? {}
  const body: Anthropic.MessageCreateParamsNonStreaming = {
    model: modelId,
    max_tokens: maxTokens,
    messages,
    ...(system === undefined ? {} : { system }),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...(request.stopSequences?.length ? { stop_sequences: request.stopSequences } : {}),
    ...extra,
  }
  return { body, outputTool }
}
