import {
  FunctionCallingConfigMode,
  type Content,
  type FunctionCallingConfig,
  type GenerateContentConfig,
  type Part,
  type Tool,
} from '@google/genai'
import {
  InvalidArgumentError,
  type ContentPart,
  type ModelMessage,
  type ModelRequest,
} from '@tessera/core'
import {
  unsignedThoughtSignature,
  validatesThoughtSignatures,
  type ThoughtSignatures,
} from './thought-signatures'
import { isSynthesisedCallId } from './synthesised-call-id'
import { toGeminiJsonSchema } from './to-gemini-json-schema'

/** The request body parts the SDK's `generateContent` takes, besides the model. */
export interface GeminiRequest {
  contents: Content[]
  config: GenerateContentConfig
}

/** What the mapping needs besides the request. */
export interface GeminiRequestContext {
  provider: string
  modelId: string
  thoughtSignatures: ThoughtSignatures
}

/**
 * Maps a port request to Gemini's `contents` and `config`: system messages become the
 * `systemInstruction`; user and assistant turns the roles `user` and `model` (adjacent turns of a
 * role merged, as Gemini alternates them); tool calls `functionCall` parts (with the thought
 * signature Gemini gave them); tool results `functionResponse` parts of a user turn, as
 * `{ output }` or `{ error }`; tools one `functionDeclarations` list with JSON Schema parameters;
 * the tool choice `toolConfig.functionCallingConfig`; a JSON response format `responseMimeType`
 * `application/json` with a `responseJsonSchema`. Schemas Gemini cannot express throw an
 * `UnsupportedSchemaError`; misplaced parts an `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * const { contents, config } = toGeminiRequest(request, { provider: 'google', modelId, thoughtSignatures })
 * ```
 */
export function toGeminiRequest(
  request: ModelRequest,
  context: GeminiRequestContext,
): GeminiRequest {
  if (typeof request !== 'object' || request === null || !Array.isArray(request.messages)) {
    throw new InvalidArgumentError({
      fn: `${context.provider}("${context.modelId}").generate`,
      argument: 'request.messages',
      expected: 'an array of messages',
      received: (request as { messages?: unknown } | null)?.messages,
    })
  }
  const system: Part[] = []
  const contents: Content[] = []
  request.messages.forEach((message, index) => {
    if (message.role === 'system') {
      if (message.content !== '') system.push({ text: message.content })
      return
    }
    const parts = toParts(message, index, context)
    if (parts.length === 0) return
    const role = message.role === 'assistant' ? 'model' : 'user'
    const previous = contents.at(-1)
    if (previous?.role === role) previous.parts!.push(...parts)
    else contents.push({ role, parts })
  })

  const config: GenerateContentConfig = {}
  if (system.length > 0) config.systemInstruction = { parts: system }
  if (request.temperature !== undefined) config.temperature = request.temperature
  if (request.topP !== undefined) config.topP = request.topP
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens
  if (request.stopSequences !== undefined) config.stopSequences = request.stopSequences
  if (request.seed !== undefined) config.seed = request.seed

  if (request.tools && request.tools.length > 0) {
    config.tools = [toTool(request.tools, context)]
    const toolConfig = toFunctionCallingConfig(request, context)
    if (toolConfig) config.toolConfig = { functionCallingConfig: toolConfig }
  }

  if (request.responseFormat?.type === 'json') {
    config.responseMimeType = 'application/json'
    const schema = request.responseFormat.schema
    if (schema && Object.keys(schema).length > 0) {
      config.responseJsonSchema = toGeminiJsonSchema(schema, {
        provider: context.provider,
        what: `response format${request.responseFormat.name ? ` "${request.responseFormat.name}"` : ''}`,
      })
    }
  }
  return { contents, config }
}

function toParts(
  message: Exclude<ModelMessage, { role: 'system' }>,
  index: number,
  context: GeminiRequestContext,
): Part[] {
  if (typeof message.content === 'string') {
    return message.content === '' ? [] : [{ text: message.content }]
  }
  const parts: Part[] = []
  let signed = false
  message.content.forEach((part: ContentPart, partIndex) => {
    const where = `request.messages[${index}].content[${partIndex}]`
    switch (part.type) {
      case 'text':
        if (part.text !== '') parts.push({ text: part.text })
        return
      case 'tool-call': {
        if (message.role !== 'assistant') {
          throw misplaced(
            context,
            where,
            'a text or tool-result part (tool calls belong to assistant messages)',
            part,
          )
        }
        if (!isPlainObject(part.input)) {
          throw new InvalidArgumentError({
            fn: `${context.provider}("${context.modelId}").generate`,
            argument: `${where}.input`,
            expected: 'an object (Gemini function call arguments are a JSON object)',
            received: part.input,
          })
        }
        // Gemini signs the first function call of each step; a call it did not sign (another
        // model's, or one this process no longer remembers) gets the documented placeholder.
        const signature =
          context.thoughtSignatures.get(part.toolCallId) ??
          (!signed && validatesThoughtSignatures(context.modelId)
            ? unsignedThoughtSignature
            : undefined)
        signed = true
        parts.push({
          functionCall: {
            ...(isSynthesisedCallId(part.toolCallId) ? {} : { id: part.toolCallId }),
            name: part.toolName,
            args: part.input,
          },
          ...(signature === undefined ? {} : { thoughtSignature: signature }),
        })
        return
      }
      case 'tool-result':
        if (message.role === 'assistant') {
          throw misplaced(
            context,
            where,
            'a text or tool-call part (tool results belong to tool messages)',
            part,
          )
        }
        parts.push({
          functionResponse: {
            ...(isSynthesisedCallId(part.toolCallId) ? {} : { id: part.toolCallId }),
            name: part.toolName,
            response: part.isError
              ? { error: part.output ?? null }
              : { output: part.output ?? null },
          },
        })
        return
      default:
        throw misplaced(context, where, 'a text, tool-call or tool-result part', part)
    }
  })
  return parts
}

function toTool(tools: NonNullable<ModelRequest['tools']>, context: GeminiRequestContext): Tool {
  return {
    functionDeclarations: tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parametersJsonSchema: toGeminiJsonSchema(tool.inputSchema, {
        provider: context.provider,
        what: `tool "${tool.name}" input schema`,
        requireObject: true,
      }),
    })),
  }
}

function toFunctionCallingConfig(
  request: ModelRequest,
  context: GeminiRequestContext,
): FunctionCallingConfig | undefined {
  const choice = request.toolChoice
  if (choice === undefined) return undefined
  if (choice === 'auto') return { mode: FunctionCallingConfigMode.AUTO }
  if (choice === 'required') return { mode: FunctionCallingConfigMode.ANY }
  if (choice === 'none') return { mode: FunctionCallingConfigMode.NONE }
  if (choice?.type === 'tool' && request.tools!.some((tool) => tool.name === choice.toolName)) {
    return {
      mode: FunctionCallingConfigMode.ANY,
      allowedFunctionNames: [choice.toolName],
    }
  }
  throw new InvalidArgumentError({
    fn: `${context.provider}("${context.modelId}").generate`,
    argument: 'request.toolChoice',
    expected: `"auto", "required", "none" or { type: 'tool', toolName } naming one of the tools (${request.tools!.map((tool) => tool.name).join(', ')})`,
    received: typeof choice === 'object' ? (choice as { toolName?: unknown }).toolName : choice,
  })
}

function misplaced(context: GeminiRequestContext, where: string, expected: string, part: unknown) {
  return new InvalidArgumentError({
    fn: `${context.provider}("${context.modelId}").generate`,
    argument: where,
    expected,
    received: (part as { type?: unknown } | null)?.type ?? part,
  })
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
