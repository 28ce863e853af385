import { z } from 'zod'

/**
 * A JSON Schema object as found in an OpenAPI document (after `$ref`s are resolved).
 *
 * @example
 * ```ts
 * const schema: JsonSchemaObject = { type: 'string', format: 'email' }
 * ```
 */
export type JsonSchemaObject = Record<string, unknown>

const dropped = new Set(['discriminator', 'xml', 'externalDocs', 'example', 'nullable'])

/**
 * Converts an OpenAPI Schema Object to JSON Schema (2020-12) that `z.fromJSONSchema` reads:
 * for OpenAPI 3.0, `nullable: true` becomes a `null` alternative, boolean `exclusiveMinimum`/
 * `exclusiveMaximum` become numbers, and `example` becomes `examples`; in both versions the
 * OpenAPI-only keywords (`discriminator`, `xml`, `externalDocs`) are dropped, properties that
 * are `readOnly` leave request schemas and `writeOnly` ones leave response schemas, and a
 * recursive schema (a tree) becomes a `$defs` entry that refers to itself with `$ref`.
 *
 * @example
 * ```ts
 * openApiSchemaToJsonSchema({ type: 'string', nullable: true }, { version: '3.0', direction: 'response' })
 * // { anyOf: [{ type: 'string' }, { type: 'null' }] }
 * ```
 */
export function openApiSchemaToJsonSchema(
  schema: unknown,
  options: { version: '3.0' | '3.1'; direction: 'request' | 'response' },
): JsonSchemaObject {
  const open = new Set<unknown>()
  // Schemas that contain themselves (a tree): each becomes a $defs entry and a $ref.
  const recursive = new Map<unknown, string>()
  const defs: JsonSchemaObject = {}
  const skip = options.direction === 'request' ? 'readOnly' : 'writeOnly'
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert)
    if (typeof node !== 'object' || node === null) return node
    if (open.has(node)) {
      if (!recursive.has(node)) recursive.set(node, `recursive-${recursive.size + 1}`)
      return { $ref: `#/$defs/${recursive.get(node)}` }
    }
    open.add(node)
    const source = node as JsonSchemaObject
    const out: JsonSchemaObject = {}
    for (const [key, value] of Object.entries(source)) {
      if (dropped.has(key) || key.startsWith('x-')) continue
      if (key === 'properties' && typeof value === 'object' && value !== null) {
        const properties: JsonSchemaObject = {}
        for (const [name, property] of Object.entries(value as JsonSchemaObject)) {
          if ((property as JsonSchemaObject | null)?.[skip] === true) continue
          properties[name] = convert(property)
        }
        out.properties = properties
      } else if (
        key === 'items' ||
        key === 'additionalProperties' ||
        key === 'not' ||
        key === 'allOf' ||
        key === 'anyOf' ||
        key === 'oneOf' ||
        key === 'prefixItems' ||
        key === 'contains' ||
        key === 'patternProperties' ||
        key === '$defs'
      ) {
        out[key] =
          key === 'patternProperties' || key === '$defs'
            ? Object.fromEntries(
                Object.entries(value as JsonSchemaObject).map(([name, item]) => [
                  name,
                  convert(item),
                ]),
              )
            : convert(value)
      } else out[key] = value
    }
    if (Array.isArray(out.required) && out.properties !== undefined) {
      const kept = out.properties as JsonSchemaObject
      const sourceProperties = (source.properties ?? {}) as JsonSchemaObject
      out.required = (out.required as string[]).filter(
        (name) => name in kept || !(name in sourceProperties),
      )
    }
    if (options.version === '3.0') {
      if (source.example !== undefined) out.examples = [source.example]
      for (const [flag, bound] of [
        ['exclusiveMinimum', 'minimum'],
        ['exclusiveMaximum', 'maximum'],
      ] as const) {
        if (out[flag] === true && typeof out[bound] === 'number') {
          out[flag] = out[bound]
          delete out[bound]
        } else if (typeof out[flag] === 'boolean') delete out[flag]
      }
    }
    open.delete(node)
    const result = nullable(out, options.version === '3.0' && source.nullable === true)
    const name = recursive.get(node)
    if (name === undefined) return result
    defs[name] = result
    return { $ref: `#/$defs/${name}` }
  }
  const converted = convert(schema)
  const root =
    typeof converted === 'object' && converted !== null && !Array.isArray(converted)
      ? (converted as JsonSchemaObject)
      : {}
  if (Object.keys(defs).length === 0) return root
  return { ...root, $defs: { ...((root.$defs as JsonSchemaObject | undefined) ?? {}), ...defs } }
}

/** OpenAPI 3.0's `nullable: true` as JSON Schema: `null` added to the type or enum, else anyOf. */
function nullable(out: JsonSchemaObject, isNullable: boolean): JsonSchemaObject {
  if (!isNullable) return out
  if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null]
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] }
  if (Array.isArray(out.enum)) return out
  return { anyOf: [out, { type: 'null' }] }
}

/**
 * A zod schema for an OpenAPI Schema Object (see {@link openApiSchemaToJsonSchema}), built with
 * zod's `z.fromJSONSchema`. A schema that zod cannot read becomes `z.unknown()` (the request
 * still goes out; the remote validates it).
 *
 * @example
 * ```ts
 * const pet = openApiSchemaToZod(document.components.schemas.Pet, { version: '3.0', direction: 'response' })
 * ```
 */
export function openApiSchemaToZod(
  schema: unknown,
  options: { version: '3.0' | '3.1'; direction: 'request' | 'response' },
): z.ZodType {
  if (schema === undefined) return z.unknown()
  try {
    return z.fromJSONSchema(openApiSchemaToJsonSchema(schema, options) as never)
  } catch {
    return z.unknown()
  }
}
