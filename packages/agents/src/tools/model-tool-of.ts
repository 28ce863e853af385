import { toJsonSchema, type ModelTool } from '@tessera/core'
import type { Tool } from './tool'

/** The model's view of a tool, and whether its input travels wrapped as `{ input: … }`. */
export interface ModelToolView {
  modelTool: ModelTool
  /** True when the tool's input is not an object: the model sends `{ input: value }`. */
  wrapped: boolean
}

/**
 * Describes a tool to the model: its name, description and input as JSON Schema. Vendors accept
 * only object inputs, so any other input schema is wrapped in an object with one `input`
 * property (and unwrapped before validation).
 *
 * @example
 * ```ts
 * modelToolOf('lookup', lookupOrder).modelTool.inputSchema // { type: 'object', properties: { orderId: … } }
 * ```
 */
export function modelToolOf(name: string, tool: Tool): ModelToolView {
  const { $schema: _dialect, ...schema } = toJsonSchema(tool.input, 'input')
  const wrapped = schema.type !== 'object'
  return {
    wrapped,
    modelTool: {
      name,
      description: tool.description,
      inputSchema: wrapped
        ? {
            type: 'object',
            properties: { input: schema },
            required: ['input'],
            additionalProperties: false,
          }
        : schema,
    },
  }
}

/** The tool's own input from what the model sent (unwrapping `{ input: … }` when wrapped). */
export function unwrapToolInput(view: ModelToolView, sent: unknown): unknown {
  if (!view.wrapped) return sent
  return typeof sent === 'object' && sent !== null && 'input' in sent
    ? (sent as { input: unknown }).input
    : sent
}
