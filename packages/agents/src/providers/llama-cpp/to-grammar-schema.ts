import { UnsupportedSchemaError } from '@tessera/core'
import type { GbnfJsonSchema } from 'node-llama-cpp'

/** Keywords that only describe a schema; the grammar does not need them. */
const annotationKeywords = new Set([
  '$schema',
  '$id',
  '$anchor',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentMediaType',
  'contentEncoding',
])

/** Constraints a node-llama-cpp grammar cannot enforce, with what to say about each. */
const unsupportedKeywords: Record<string, string> = {
  pattern: 'regular-expression patterns',
  patternProperties: 'pattern properties',
  minimum: 'numeric bounds',
  maximum: 'numeric bounds',
  exclusiveMinimum: 'numeric bounds',
  exclusiveMaximum: 'numeric bounds',
  multipleOf: 'multipleOf',
  not: 'negation (not)',
  if: 'conditionals (if/then/else)',
  then: 'conditionals (if/then/else)',
  else: 'conditionals (if/then/else)',
  dependentRequired: 'dependentRequired',
  dependentSchemas: 'dependentSchemas',
  dependencies: 'dependencies',
  uniqueItems: 'uniqueItems',
  contains: 'contains',
  minContains: 'contains',
  maxContains: 'contains',
  unevaluatedProperties: 'unevaluatedProperties',
  unevaluatedItems: 'unevaluatedItems',
  $dynamicRef: 'dynamic references',
  $recursiveRef: 'recursive references',
}

/** The string formats node-llama-cpp's grammar can produce. */
const grammarFormats = new Set(['date', 'time', 'date-time'])

/** zod's `.int()` bounds (±(2^53 − 1)): accepted, the grammar's numbers stay far within them in practice. */
const safeIntegerBound = Number.MAX_SAFE_INTEGER

type Json = Record<string, unknown>

/**
 * Translates a JSON Schema (draft 2020-12, as `toJsonSchema` from `@tessera/core` writes it) into
 * the subset node-llama-cpp turns into a grammar (`llama.createGrammarForJsonSchema`), so that the
 * model can only produce JSON valid for the schema. Constraints the grammar cannot enforce
 * (patterns, numeric bounds, `not`, conditionals, …) throw an {@link UnsupportedSchemaError} whose
 * `path` is the JSON pointer of the offending subschema.
 *
 * Supported: `type` (one or several), `const` and `enum` of scalars, `anyOf`/`oneOf`, `allOf` with
 * one member, `$ref` to `#` (recursion, as zod writes it), `#/$defs/…` or `#/definitions/…`, string `minLength`/`maxLength` and the
 * formats `date`, `time`, `date-time` (a `pattern` next to them, as zod writes for `z.iso.date()`, is
 * not enforced beyond the format), object `properties`/`required`/`additionalProperties`/
 * `minProperties`/`maxProperties`, array `items`/`prefixItems`/`minItems`/`maxItems`. Every listed
 * property is generated, optional ones included (valid either way). Annotations are dropped.
 *
 * @example
 * ```ts
 * toGrammarSchema({ type: 'object', properties: { city: { type: 'string' } } }, 'llama-cpp')
 * // { type: 'object', properties: { city: { type: 'string' } } }
 * toGrammarSchema({ type: 'string', pattern: '^a' }, 'llama-cpp') // throws UnsupportedSchemaError
 * ```
 */
export function toGrammarSchema(schema: unknown, provider: string, where?: string): GbnfJsonSchema {
  const context: Context = {
    fail(path, reason) {
      throw new UnsupportedSchemaError({
        provider,
        path,
        reason: where ? `${where}: ${reason}` : reason,
      })
    },
    usesRoot: false,
  }
  const converted = convert(schema, '', context)
  if (!context.usesRoot) return converted as GbnfJsonSchema
  return {
    $ref: `#/$defs/${rootDefinition}`,
    $defs: { [rootDefinition]: converted },
  } as unknown as GbnfJsonSchema
}

type Context = {
  fail: (path: string, reason: string) => never
  /** Set when a `$ref: "#"` points back to the root (zod's recursive schemas). */
  usesRoot: boolean
}

/** The name under which a schema that refers to itself keeps its root. */
const rootDefinition = 'TesseraRoot'

/** Any JSON value: a scalar, an object of anything, or an array of anything. */
const anyValue: Json = {
  oneOf: [
    { type: ['string', 'number', 'boolean', 'null'] },
    { type: 'object', additionalProperties: true },
    { type: 'array' },
  ],
}

function convert(schema: unknown, path: string, context: Context): Json {
  if (schema === true) return anyValue
  if (schema === false) return context.fail(path, 'the schema `false` accepts no value')
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return context.fail(path, `expected a schema object, received ${JSON.stringify(schema)}`)
  }
  const node = schema as Json
  for (const keyword of Object.keys(node)) {
    if (!Object.hasOwn(unsupportedKeywords, keyword) || isTrivialBound(node, keyword)) continue
    const what = unsupportedKeywords[keyword]
    context.fail(path, `${what} ("${keyword}") cannot be enforced by a grammar`)
  }
  if (node.propertyNames !== undefined && !isPlainStringSchema(node.propertyNames)) {
    context.fail(
      `${path}/propertyNames`,
      'constraints on property names cannot be enforced by a grammar',
    )
  }
  const defs = convertDefs(node, path, context)
  const converted = convertNode(node, path, context)
  if (defs === undefined) return converted
  // node-llama-cpp reads `$defs` on objects, arrays, oneOf and $ref nodes.
  if ('oneOf' in converted || '$ref' in converted) return { ...converted, $defs: defs }
  if (converted.type === 'object' || converted.type === 'array')
    return { ...converted, $defs: defs }
  return { oneOf: [converted], $defs: defs }
}

function convertDefs(node: Json, path: string, context: Context): Json | undefined {
  const entries: [string, unknown, string][] = []
  for (const key of ['$defs', 'definitions'] as const) {
    const defs = node[key]
    if (defs === undefined) continue
    if (typeof defs !== 'object' || defs === null)
      context.fail(`${path}/${key}`, 'expected an object')
    for (const [name, value] of Object.entries(defs as Json)) {
      entries.push([name, value, `${path}/${key}/${escapePointer(name)}`])
    }
  }
  if (entries.length === 0) return undefined
  return Object.fromEntries(
    entries.map(([name, value, defPath]) => [name, convert(value, defPath, context)]),
  )
}

function convertNode(node: Json, path: string, context: Context): Json {
  if (node.$ref !== undefined) return convertRef(node, path, context)
  if (node.const !== undefined) {
    if (!isScalar(node.const))
      context.fail(`${path}/const`, 'only a string, number, boolean or null const')
    return { const: node.const }
  }
  if (node.enum !== undefined) {
    if (!Array.isArray(node.enum) || node.enum.length === 0) {
      context.fail(`${path}/enum`, 'expected a non-empty array')
    }
    const values = node.enum as unknown[]
    values.forEach((value, index) => {
      if (!isScalar(value))
        context.fail(`${path}/enum/${index}`, 'only string, number, boolean or null values')
    })
    return { enum: values }
  }
  if (node.allOf !== undefined) {
    if (!Array.isArray(node.allOf) || node.allOf.length !== 1) {
      context.fail(
        `${path}/allOf`,
        'allOf with more than one schema cannot be enforced by a grammar',
      )
    }
    if (hasConstraints(node, ['allOf'])) {
      context.fail(path, 'allOf next to other constraints cannot be enforced by a grammar')
    }
    return convert((node.allOf as unknown[])[0], `${path}/allOf/0`, context)
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = node[keyword]
    if (branches === undefined) continue
    if (!Array.isArray(branches) || branches.length === 0) {
      context.fail(`${path}/${keyword}`, 'expected a non-empty array of schemas')
    }
    if (hasConstraints(node, [keyword])) {
      context.fail(path, `${keyword} next to other constraints cannot be enforced by a grammar`)
    }
    return {
      oneOf: (branches as unknown[]).map((branch, index) =>
        convert(branch, `${path}/${keyword}/${index}`, context),
      ),
    }
  }
  const type = node.type
  if (Array.isArray(type)) {
    if (type.length === 0) context.fail(`${path}/type`, 'expected at least one type')
    if (type.length === 1) return convertTyped(node, type[0], path, context)
    return { oneOf: type.map((single) => convertTyped(node, single, path, context)) }
  }
  if (type !== undefined) return convertTyped(node, type, path, context)
  // No type: a schema that constrains objects or arrays only; producing one of those is valid.
  if (node.properties !== undefined || node.additionalProperties !== undefined) {
    return convertTyped(node, 'object', path, context)
  }
  if (node.items !== undefined || node.prefixItems !== undefined) {
    return convertTyped(node, 'array', path, context)
  }
  return anyValue
}

function convertRef(node: Json, path: string, context: Context): Json {
  const ref = node.$ref
  if (typeof ref !== 'string') return context.fail(`${path}/$ref`, 'expected a string')
  if (hasConstraints(node, ['$ref'])) {
    context.fail(path, '$ref next to other constraints cannot be enforced by a grammar')
  }
  if (ref === '#') {
    context.usesRoot = true
    return { $ref: `#/$defs/${rootDefinition}` }
  }
  for (const prefix of ['#/$defs/', '#/definitions/']) {
    if (ref.startsWith(prefix) && !ref.slice(prefix.length).includes('/')) {
      return { $ref: `#/$defs/${unescapePointer(ref.slice(prefix.length))}` }
    }
  }
  return context.fail(
    `${path}/$ref`,
    `only references to "#" or "#/$defs/<name>" are supported, received "${ref}"`,
  )
}

function convertTyped(node: Json, type: unknown, path: string, context: Context): Json {
  switch (type) {
    case 'string': {
      if (node.format !== undefined) {
        if (typeof node.format !== 'string' || !grammarFormats.has(node.format)) {
          context.fail(
            `${path}/format`,
            `the string format ${JSON.stringify(node.format)} cannot be enforced (supported: date, time, date-time)`,
          )
        }
        return { type: 'string', format: node.format }
      }
      return {
        type: 'string',
        ...nonNegativeInteger(node, 'minLength', path, context),
        ...nonNegativeInteger(node, 'maxLength', path, context),
      }
    }
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return { type }
    case 'object':
      return convertObject(node, path, context)
    case 'array':
      return convertArray(node, path, context)
    default:
      return context.fail(`${path}/type`, `unknown type ${JSON.stringify(type)}`)
  }
}

function convertObject(node: Json, path: string, context: Context): Json {
  const result: Json = { type: 'object' }
  if (node.properties !== undefined) {
    if (typeof node.properties !== 'object' || node.properties === null) {
      context.fail(`${path}/properties`, 'expected an object')
    }
    result.properties = Object.fromEntries(
      Object.entries(node.properties as Json).map(([name, value]) => [
        name,
        convert(value, `${path}/properties/${escapePointer(name)}`, context),
      ]),
    )
  }
  if (Array.isArray(node.required)) result.required = node.required
  const additional = node.additionalProperties
  if (additional === true) result.additionalProperties = true
  else if (additional !== undefined && additional !== false) {
    result.additionalProperties = convert(additional, `${path}/additionalProperties`, context)
  }
  return {
    ...result,
    ...nonNegativeInteger(node, 'minProperties', path, context),
    ...nonNegativeInteger(node, 'maxProperties', path, context),
  }
}

function convertArray(node: Json, path: string, context: Context): Json {
  const result: Json = { type: 'array' }
  let maxItems = nonNegativeInteger(node, 'maxItems', path, context).maxItems
  if (node.prefixItems !== undefined) {
    if (!Array.isArray(node.prefixItems)) context.fail(`${path}/prefixItems`, 'expected an array')
    result.prefixItems = (node.prefixItems as unknown[]).map((item, index) =>
      convert(item, `${path}/prefixItems/${index}`, context),
    )
  }
  if (node.items === false) {
    // No items beyond the prefix.
    const prefixLength = Array.isArray(node.prefixItems) ? node.prefixItems.length : 0
    maxItems = Math.min(maxItems ?? prefixLength, prefixLength)
  } else if (node.items !== undefined && node.items !== true) {
    result.items = convert(node.items, `${path}/items`, context)
  }
  return {
    ...result,
    ...nonNegativeInteger(node, 'minItems', path, context),
    ...(maxItems === undefined ? {} : { maxItems }),
  }
}

function nonNegativeInteger(
  node: Json,
  keyword: string,
  path: string,
  context: Context,
): Record<string, number> {
  const value = node[keyword]
  if (value === undefined) return {}
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    context.fail(
      `${path}/${keyword}`,
      `expected a non-negative integer, received ${JSON.stringify(value)}`,
    )
  }
  return { [keyword]: value as number }
}

/**
 * Constraints that need no grammar: `minimum`/`maximum` at ±(2^53 − 1), which zod writes for
 * `z.number().int()`, and the pattern zod writes next to an ISO date or time format.
 */
function isTrivialBound(node: Json, keyword: string): boolean {
  // zod writes its ISO date and time checks as a format and a pattern: the grammar writes the
  // format; the pattern's finer rules (days in a month) are left to validation.
  if (keyword === 'pattern')
    return typeof node.format === 'string' && grammarFormats.has(node.format)
  const value = node[keyword]
  if (typeof value !== 'number') return false
  if (keyword === 'minimum') return value <= -safeIntegerBound
  if (keyword === 'maximum') return value >= safeIntegerBound
  return false
}

function isPlainStringSchema(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const node = value as Json
  return node.type === 'string' && !hasConstraints(node, ['type'])
}

/** Whether the schema has keywords other than annotations and the given ones. */
function hasConstraints(node: Json, allowed: string[]): boolean {
  return Object.keys(node).some(
    (keyword) =>
      !allowed.includes(keyword) &&
      !annotationKeywords.has(keyword) &&
      keyword !== '$defs' &&
      keyword !== 'definitions',
  )
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  )
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}

function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~')
}
