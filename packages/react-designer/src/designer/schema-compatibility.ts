import type { JsonSchemaObject } from './designer-registry'

/**
 * Whether a value described by `output` can be the input described by `input`: the reason it
 * cannot, or `undefined` when it can (or when either schema says too little to tell). Checks
 * the `type` keyword (an integer is a number) and, for objects, that every property the input
 * requires is one the output has, with a compatible type, recursively.
 *
 * @example
 * ```ts
 * schemaMismatch({ type: 'string' }, { type: 'object' }) // 'expected object, got string'
 * ```
 */
export function schemaMismatch(
  output: JsonSchemaObject | undefined,
  input: JsonSchemaObject | undefined,
  path = '',
): string | undefined {
  if (!output || !input) return undefined
  const outputTypes = typesOf(output)
  const inputTypes = typesOf(input)
  const where = path === '' ? '' : ` at ${path}`
  if (outputTypes && inputTypes) {
    const fits = outputTypes.some(
      (type) => inputTypes.includes(type) || (type === 'integer' && inputTypes.includes('number')),
    )
    if (!fits) return `expected ${inputTypes.join(' or ')}, got ${outputTypes.join(' or ')}${where}`
  }
  if (outputTypes?.includes('object') && inputTypes?.includes('object')) {
    const outputProperties = propertiesOf(output)
    const inputProperties = propertiesOf(input)
    if (!outputProperties) return undefined
    for (const name of requiredOf(input)) {
      const property = outputProperties[name]
      if (!property) return `expected a property "${name}"${where}, which the output lacks`
      const inner = schemaMismatch(property, inputProperties?.[name], `${path}.${name}`)
      if (inner) return inner
    }
  }
  return undefined
}

function typesOf(schema: JsonSchemaObject): string[] | undefined {
  const type = schema.type
  if (typeof type === 'string') return [type]
  if (Array.isArray(type)) return type.filter((entry): entry is string => typeof entry === 'string')
  return undefined
}

function propertiesOf(schema: JsonSchemaObject): Record<string, JsonSchemaObject> | undefined {
  const properties = schema.properties
  return typeof properties === 'object' && properties !== null
    ? (properties as Record<string, JsonSchemaObject>)
    : undefined
}

function requiredOf(schema: JsonSchemaObject): string[] {
  return Array.isArray(schema.required)
    ? schema.required.filter((entry): entry is string => typeof entry === 'string')
    : []
}
