import { InvalidArgumentError, type ModelRequest, type ModelTool } from '@tessera/core'
import type { GbnfJsonSchema } from 'node-llama-cpp'
import type { AnswerMode } from './create-answer-assembler'
import { toGrammarSchema } from './to-grammar-schema'

/** How one request is answered: what the grammar allows and what the prompt says about it. */
export interface AnswerPlan {
  mode: AnswerMode
  /** The tools the model may call in this answer. */
  toolNames: Set<string>
  /** Appended to the system text: the tools and how to call them, or the JSON to answer. */
  instructions: string | undefined
  /**
   * The JSON schema of the grammar: the answer's (`json`), the tool calls' (`tool`,
   * `tool-or-text`), or either (`tool-or-json`). Undefined for free text.
   */
  grammarSchema: GbnfJsonSchema | undefined
}

/**
 * Decides how a request is answered, before the model is loaded, and checks every schema the
 * grammar will need (an {@link UnsupportedSchemaError} names the path of what it cannot
 * enforce):
 * - no tools, or `toolChoice: 'none'`: free text, or JSON for the `responseFormat`;
 * - `'auto'` (the default): a tool call or text (or, with a `responseFormat`, a tool call or
 *   that JSON);
 * - `'required'`: a call of one of the tools; `{ type: 'tool', toolName }`: a call of that one.
 *
 * A tool call is the JSON `{"name": "<tool>", "input": <input valid for its schema>}`.
 *
 * @example
 * ```ts
 * planAnswer({ messages, tools: [weather], toolChoice: 'required' }, 'llama-cpp').mode // 'tool'
 * ```
 */
export function planAnswer(request: ModelRequest, provider: string): AnswerPlan {
  const format = request.responseFormat
  const formatSchema = format ? toGrammarSchema(format.schema, provider) : undefined
  const tools = checkTools(request.tools ?? [])
  const choice = request.toolChoice ?? 'auto'
  if (tools.length === 0 || choice === 'none') {
    return {
      mode: formatSchema ? 'json' : 'text',
      toolNames: new Set(),
      instructions: format ? jsonInstructions(format.schema) : undefined,
      grammarSchema: formatSchema,
    }
  }
  let callable = tools
  if (typeof choice === 'object') {
    const named = tools.find((tool) => tool.name === choice.toolName)
    if (!named) {
      throw new InvalidArgumentError({
        fn: 'generate',
        argument: 'toolChoice.toolName',
        expected: `the name of one of the request's tools (${tools.map((tool) => tool.name).join(', ')})`,
        received: choice.toolName,
      })
    }
    callable = [named]
  }
  const envelopes = callable.map((tool) => toolCallSchema(tool, provider))
  const toolOnly = choice !== 'auto'
  const mode: AnswerMode = toolOnly ? 'tool' : formatSchema ? 'tool-or-json' : 'tool-or-text'
  const alternatives =
    mode === 'tool-or-json' ? [...envelopes, formatSchema as GbnfJsonSchema] : envelopes
  return {
    mode,
    toolNames: new Set(callable.map((tool) => tool.name)),
    instructions: toolInstructions(callable, mode, format?.schema),
    grammarSchema: (alternatives.length === 1
      ? alternatives[0]
      : { oneOf: alternatives }) as GbnfJsonSchema,
  }
}

function checkTools(tools: readonly ModelTool[]): readonly ModelTool[] {
  const seen = new Set<string>()
  tools.forEach((tool, index) => {
    if (typeof tool?.name !== 'string' || tool.name === '' || seen.has(tool.name)) {
      throw new InvalidArgumentError({
        fn: 'generate',
        argument: `tools[${index}].name`,
        expected: 'a non-empty name, different from the other tools’ names',
        received: tool?.name,
      })
    }
    seen.add(tool.name)
  })
  return tools
}

function toolCallSchema(tool: ModelTool, provider: string): GbnfJsonSchema {
  return {
    type: 'object',
    properties: {
      name: { const: tool.name },
      input: toGrammarSchema(tool.inputSchema, provider, `tool "${tool.name}" input schema`),
    },
    required: ['name', 'input'],
  } as GbnfJsonSchema
}

function toolInstructions(
  tools: readonly ModelTool[],
  mode: AnswerMode,
  formatSchema: Record<string, unknown> | undefined,
): string {
  const list = tools
    .map(
      (tool) =>
        `- ${tool.name}${tool.description ? `: ${tool.description}` : ''} Input schema: ${schemaText(tool.inputSchema)}`,
    )
    .join('\n')
  const call = '{"name": "<tool name>", "input": <input matching its schema>}'
  const how =
    mode === 'tool'
      ? tools.length === 1
        ? `Call the tool ${tools[0]?.name}: reply with only ${call}.`
        : `Call one of these tools: reply with only ${call}.`
      : mode === 'tool-or-json'
        ? `To call a tool, reply with only ${call}. Otherwise reply with only JSON matching this JSON Schema: ${schemaText(formatSchema ?? {})}`
        : `To call a tool, reply with only ${call}. Otherwise reply in plain text.`
  return `Tools you can call:\n${list}\n${how}`
}

function jsonInstructions(schema: Record<string, unknown>): string {
  return `Reply with only JSON matching this JSON Schema: ${schemaText(schema)}`
}

/** A schema as compact JSON, without its `$schema` marker. */
function schemaText(schema: Record<string, unknown>): string {
  const { $schema: _marker, ...rest } = schema
  return JSON.stringify(rest)
}
