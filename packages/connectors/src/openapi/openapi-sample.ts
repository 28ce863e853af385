import type { JsonSchemaObject } from './openapi-json-schema'

const formatSamples: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '00:00:00',
  email: 'user@example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
  uri: 'https://example.com',
  url: 'https://example.com',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
  ipv6: '::1',
}

/**
 * A small value for a JSON Schema (converted from OpenAPI), for the examples of generated
 * actions: the schema's own `examples`/`default`/`const`/first `enum` value when it has one,
 * else a minimal value of its type (required properties only). Callers check it against the
 * schema; it is a best effort, not a generator.
 *
 * @example
 * ```ts
 * sampleForSchema({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } }) // { name: 'string' }
 * ```
 */
export function sampleForSchema(
  schema: JsonSchemaObject,
  depth = 0,
  root: JsonSchemaObject = schema,
): unknown {
  if (depth > 8) return null
  const ref = typeof schema.$ref === 'string' ? /^#\/\$defs\/(.+)$/.exec(schema.$ref) : null
  if (ref) {
    const target = (root.$defs as Record<string, JsonSchemaObject> | undefined)?.[ref[1]!]
    return target ? sampleForSchema(target, depth + 1, root) : null
  }
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0]
  if (schema.default !== undefined) return schema.default
  if (schema.const !== undefined) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key]
    if (Array.isArray(options) && options.length > 0)
      return sampleForSchema(options[0] as JsonSchemaObject, depth + 1, root)
  }
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((part) =>
      sampleForSchema(part as JsonSchemaObject, depth + 1, root),
    )
    return parts.every((part) => typeof part === 'object' && part !== null && !Array.isArray(part))
      ? Object.assign({}, ...parts)
      : parts[0]
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object':
    case undefined: {
      if (type === undefined && schema.properties === undefined) return {}
      const properties = (schema.properties ?? {}) as Record<string, JsonSchemaObject>
      const sample: Record<string, unknown> = {}
      for (const name of (schema.required ?? []) as string[])
        if (properties[name]) sample[name] = sampleForSchema(properties[name], depth + 1, root)
      return sample
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' ? schema.minItems : 0
      return Array.from({ length: count }, () =>
        sampleForSchema((schema.items ?? {}) as JsonSchemaObject, depth + 1, root),
      )
    }
    case 'string': {
      const format = typeof schema.format === 'string' ? formatSamples[schema.format] : undefined
      if (format !== undefined) return format
      const length = typeof schema.minLength === 'number' ? Math.max(schema.minLength, 1) : 6
      return 'string'.padEnd(length, 'x').slice(0, Math.max(length, 6))
    }
    case 'integer':
    case 'number': {
      if (typeof schema.minimum === 'number') return schema.minimum
      if (typeof schema.exclusiveMinimum === 'number')
        return Math.floor(schema.exclusiveMinimum) + 1
      if (typeof schema.maximum === 'number' && schema.maximum < 1) return schema.maximum
      return 1
    }
    case 'boolean':
      return true
    case 'null':
      return null
    default:
      return null
  }
}
