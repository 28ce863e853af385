import type { JsonSchema } from '../registry/json-schema'

/** One reason a value described by one JSON Schema may not fit another.
 *
 * @example
 * ```ts
 * const [conflict] = schemaCompatibility({ type: 'string' }, { type: 'number' }) // an error
 * ```
 */
export interface SchemaConflict {
  code: 'type_mismatch' | 'missing_input'
  /** `error`: certain from the schemas; `warning`: possible, the schemas cannot tell. */
  severity: 'error' | 'warning'
  message: string
}

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array'
const kinds = new Set<string>(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array'])

/**
 * Whether values described by `output` (what a node produces) fit `input` (what the next node
 * accepts), by a structural check that stays conservative: it reports only what the schemas
 * show. It compares the JSON types (`type`, or those of `const`, `enum`, `anyOf`, `oneOf`; an
 * integer is a number), then, for objects, every property the input requires (missing from a
 * closed output, `additionalProperties: false`: an error; from an open one or optional in the
 * output: a warning) and its type, and for arrays their `items`, recursively. Schemas it cannot
 * read (`$ref`, `allOf`, `not`, no type at all) are taken as fitting.
 *
 * @example
 * ```ts
 * schemaCompatibility({ type: 'string' }, { type: 'object' })
 * // [{ code: 'type_mismatch', severity: 'error', message: 'expected object, got string' }]
 * ```
 */
export function schemaCompatibility(output: JsonSchema, input: JsonSchema): SchemaConflict[] {
  const conflicts: SchemaConflict[] = []
  compare(output, input, '', conflicts, 0)
  return conflicts
}

function compare(
  output: JsonSchema,
  input: JsonSchema,
  where: string,
  conflicts: SchemaConflict[],
  depth: number,
): void {
  if (depth > 32) return
  const at = where === '' ? '' : ` at ${where}`
  const produced = typesOf(output)
  const accepted = typesOf(input)
  if (produced && accepted) {
    const fits = (kind: Kind) =>
      accepted.has(kind) || (kind === 'integer' && accepted.has('number'))
    const fitting = [...produced].filter(fits)
    if (fitting.length === 0) {
      conflicts.push({
        code: 'type_mismatch',
        severity: 'error',
        message: `expected ${list(accepted)}, got ${list(produced)}${at}`,
      })
      return
    }
    if (fitting.length < produced.size) {
      const others = [...produced].filter((kind) => !fits(kind))
      conflicts.push({
        code: 'type_mismatch',
        severity: 'warning',
        message: `expected ${list(accepted)}, may get ${list(new Set(others))}${at}`,
      })
    }
  }
  const both = (kind: Kind) => (produced?.has(kind) ?? false) && (accepted?.has(kind) ?? false)
  if (both('object')) compareObjects(output, input, where, conflicts, depth)
  if (both('array')) {
    const outputItems = output.items
    const inputItems = input.items
    if (isSchema(outputItems) && isSchema(inputItems))
      compare(outputItems, inputItems, `${where}[]`, conflicts, depth + 1)
  }
}

function compareObjects(
  output: JsonSchema,
  input: JsonSchema,
  where: string,
  conflicts: SchemaConflict[],
  depth: number,
): void {
  const outputProperties = isSchema(output.properties) ? output.properties : undefined
  const inputProperties = isSchema(input.properties) ? input.properties : undefined
  const outputRequired = new Set(stringsOf(output.required))
  const closed = output.additionalProperties === false
  if (outputProperties === undefined && !closed) return
  for (const name of stringsOf(input.required)) {
    const path = where === '' ? name : `${where}.${name}`
    const property = outputProperties?.[name]
    if (!isSchema(property)) {
      conflicts.push({
        code: 'missing_input',
        severity: closed ? 'error' : 'warning',
        message: closed
          ? `the input needs "${path}", which the previous output never has`
          : `the input needs "${path}", which the previous output does not declare`,
      })
      continue
    }
    if (!outputRequired.has(name)) {
      conflicts.push({
        code: 'missing_input',
        severity: 'warning',
        message: `the input needs "${path}", which is optional in the previous output`,
      })
    }
    const accepted = inputProperties?.[name]
    if (isSchema(accepted)) compare(property, accepted, path, conflicts, depth + 1)
  }
}

/** The JSON types a schema allows, or undefined when it does not say (or says in ways not read). */
function typesOf(schema: JsonSchema): Set<Kind> | undefined {
  if ('$ref' in schema || 'allOf' in schema || 'not' in schema) return undefined
  if (typeof schema.type === 'string' && kinds.has(schema.type))
    return new Set([schema.type as Kind])
  if (Array.isArray(schema.type)) {
    const found = schema.type.filter((kind): kind is Kind => kinds.has(kind as string))
    return found.length === schema.type.length ? new Set(found) : undefined
  }
  if ('const' in schema) return new Set([kindOf(schema.const)])
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(kindOf))
  const alternatives = Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : undefined
  if (alternatives === undefined) return undefined
  const union = new Set<Kind>()
  for (const alternative of alternatives) {
    const types = isSchema(alternative) ? typesOf(alternative) : undefined
    if (types === undefined) return undefined
    for (const kind of types) union.add(kind)
  }
  return union
}

function kindOf(value: unknown): Kind {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  if (typeof value === 'string') return 'string'
  if (typeof value === 'boolean') return 'boolean'
  return 'object'
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : []
}

function list(types: ReadonlySet<Kind>): string {
  return [...types].join(' or ')
}
