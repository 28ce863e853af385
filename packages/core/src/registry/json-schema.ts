import { z } from 'zod'

/** A JSON Schema document (draft 2020-12). */
export type JsonSchema = Record<string, unknown>

/**
 * Converts a zod schema to JSON Schema for the designer, the HTTP API and LLM tools. Parts that
 * JSON Schema cannot express (transforms, custom checks) become `{}` rather than failing.
 *
 * @example
 * ```ts
 * toJsonSchema(z.object({ orderId: z.string() })) // { type: 'object', properties: { orderId: { type: 'string' } }, … }
 * ```
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io }) as JsonSchema
}
