import { z } from 'zod'

/** A JSON Schema object as MCP servers send them (`inputSchema`, `outputSchema`). */
export type JsonSchemaObject = Record<string, unknown>

/**
 * A zod schema from a tool's JSON Schema (zod's `z.fromJSONSchema`). A schema that zod cannot
 * read (an unknown keyword, a remote `$ref`) becomes `fallback`, so one odd tool does not stop
 * the server's other tools from loading; the server still validates its own input.
 *
 * @example
 * ```ts
 * const input = zodFromToolSchema({ type: 'object', properties: { a: { type: 'number' } } }, z.record(z.string(), z.unknown()))
 * ```
 */
export function zodFromToolSchema(
  schema: JsonSchemaObject | undefined,
  fallback: z.ZodType,
): z.ZodType {
  if (schema === undefined) return fallback
  try {
    const { $schema: _ignored, ...rest } = schema
    return z.fromJSONSchema(rest as Parameters<typeof z.fromJSONSchema>[0]) as z.ZodType
  } catch {
    return fallback
  }
}

/**
 * An example input for a tool from its JSON Schema: every required property gets a placeholder
 * of its type (the first enum value, a default or example when the schema has one). Returned only
 * when `schema` accepts it, else undefined.
 *
 * @example
 * ```ts
 * exampleFromToolSchema({ type: 'object', properties: { a: { type: 'number' } }, required: ['a'] }, input) // { a: 0 }
 * ```
 */
export function exampleFromToolSchema(
  jsonSchema: JsonSchemaObject | undefined,
  schema: z.ZodType,
): Record<string, unknown> | undefined {
  const example: Record<string, unknown> = {}
  const properties = (jsonSchema?.properties ?? {}) as Record<string, JsonSchemaObject>
  const required = Array.isArray(jsonSchema?.required) ? (jsonSchema.required as string[]) : []
  for (const name of required) example[name] = placeholder(properties[name] ?? {})
  return schema.safeParse(example).success ? example : undefined
}

function placeholder(property: JsonSchemaObject): unknown {
  if ('default' in property) return property.default
  if (Array.isArray(property.examples) && property.examples.length > 0) return property.examples[0]
  if (Array.isArray(property.enum) && property.enum.length > 0) return property.enum[0]
  if ('const' in property) return property.const
  const type = Array.isArray(property.type) ? property.type[0] : property.type
  switch (type) {
    case 'string':
      return 'text'
    case 'number':
    case 'integer':
      return typeof property.minimum === 'number' ? property.minimum : 1
    case 'boolean':
      return false
    case 'array':
      return []
    case 'null':
      return null
    default:
      return {}
  }
}
