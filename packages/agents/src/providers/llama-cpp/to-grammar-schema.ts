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
 * one member, `$ref` to `#/$defs/…` or `#/definitions/…`, string `minLength`/`maxLength` and the
 * formats `date`, `time`, `date-time`, object `properties`/`required`/`additionalProperties`/
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
export function toGrammarSchema(
  schema: unknown,
  provider: string,
  context?: string,
): GbnfJsonSchema {
  const fail = (path: string, reason: string): never => {
    throw new UnsupportedSchemaError({
      provider,
      path,
      reason: context ? `${context}: ${reason}` : reason,
    })
  }
  return convert(schema, '', fail) as GbnfJsonSchema
}

type Fail = (path: string, reason: string) => never

/** Any JSON value: a scalar, an object of anything, or an array of anything. */
const anyValue: Json = {
  oneOf: [
    { type: ['string', 'number', 'boolean', 'null'] },
    { type: 'object', additionalProperties: true },
    { type: 'array' },
  ],
}

function convert(schema: unknown, path: string, fail: Fail): Json {
  if (schema === true) return anyValue
  if (schema === false) return fail(path, 'the schema `false` accepts no value')
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return fail(path, `expected a schema object, received ${JSON.stringify(schema)}`)
  }
  const node = schema as Json
  for (const keyword of Object.keys(node)) {
    const what = unsupportedKeywords[keyword]
    if (what === undefined) continue
    if (isTrivialBound(node, keyword)) continue
    fail(path, `${what} ("${keyword}") cannot be enforced by a grammar`)
  }
  if (node.propertyNames !== undefined && !isPlainStringSchema(node.propertyNames)) {
    fail(`${path}/propertyNames`, 'constraints on property names cannot be enforced by a grammar')
  }
  const defs = convertDefs(node, path, fail)
  const converted = convertNode(node, path, fail)
  if (defs === undefined) return converted
  // node-llama-cpp reads `$defs` on objects, arrays, oneOf and $ref nodes.
  if ('oneOf' in converted || '$ref' in converted) return { ...converted, $defs: defs }
  if (converted.type === 'object' || converted.type === 'array')
    return { ...converted, $defs: defs }
  return { oneOf: [converted], $defs: defs }
}

function convertDefs(node: Json, path: string, fail: Fail): Json | undefined {
  const entries: [string, unknown, string][] = []
  for (const key of ['$defs', 'definitions'] as const) {
    const defs = node[key]
    if (defs === undefined) continue
    if (typeof defs !== 'object' || defs === null) fail(`${path}/${key}`, 'expected an object')
    for (const [name, value] of Object.entries(defs as Json)) {
      entries.push([name, value, `${path}/${key}/${escapePointer(name)}`])
    }
  }
  if (entries.length === 0) return undefined
  return Object.fromEntries(
    entries.map(([name, value, defPath]) => [name, convert(value, defPath, fail)]),
  )
}

function convertNode(node: Json, path: string, fail: Fail): Json {
  if (node.$ref !== undefined) return convertRef(node, path, fail)
  if (node.const !== undefined) {
    if (!isScalar(node.const)) fail(`${path}/const`, 'only a string, number, boolean or null const')
    return { const: node.const }
  }
  if (node.enum !== undefined) {
    if (!Array.isArray(node.enum) || node.enum.length === 0) {
      fail(`${path}/enum`, 'expected a non-empty array')
    }
    const values = node.enum as unknown[]
    values.forEach((value, index) => {
      if (!isScalar(value))
        fail(`${path}/enum/${index}`, 'only string, number, boolean or null values')
    })
    return { enum: values }
  }
  if (node.allOf !== undefined) {
    if (!Array.isArray(node.allOf) || node.allOf.length !== 1) {
      fail(`${path}/allOf`, 'allOf with more than one schema cannot be enforced by a grammar')
    }
    if (hasConstraints(node, ['allOf'])) {
      fail(path, 'allOf next to other constraints cannot be enforced by a grammar')
    }
    return convert((node.allOf as unknown[])[0], `${path}/allOf/0`, fail)
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = node[keyword]
    if (branches === undefined) continue
    if (!Array.isArray(branches) || branches.length === 0) {
      fail(`${path}/${keyword}`, 'expected a non-empty array of schemas')
    }
    if (hasConstraints(node, [keyword])) {
      fail(path, `${keyword} next to other constraints cannot be enforced by a grammar`)
    }
    return {
      oneOf: (branches as unknown[]).map((branch, index) =>
        convert(branch, `${path}/${keyword}/${index}`, fail),
      ),
    }
  }
  const type = node.type
  if (Array.isArray(type)) {
    if (type.length === 0) fail(`${path}/type`, 'expected at least one type')
    if (type.length === 1) return convertTyped(node, type[0], path, fail)
    return { oneOf: type.map((single) => convertTyped(node, single, path, fail)) }
  }
  if (type !== undefined) return convertTyped(node, type, path, fail)
  // No type: a schema that constrains objects or arrays only; producing one of those is valid.
  if (node.properties !== undefined || node.additionalProperties !== undefined) {
    return convertTyped(node, 'object', path, fail)
  }
  if (node.items !== undefined || node.prefixItems !== undefined) {
    return convertTyped(node, 'array', path, fail)
  }
  return anyValue
}

function convertRef(node: Json, path: string, fail: Fail): Json {
  const ref = node.$ref
  if (typeof ref !== 'string') return fail(`${path}/$ref`, 'expected a string')
  if (hasConstraints(node, ['$ref'])) {
    fail(path, '$ref next to other constraints cannot be enforced by a grammar')
  }
  for (const prefix of ['#/$defs/', '#/definitions/']) {
    if (ref.startsWith(prefix) && !ref.slice(prefix.length).includes('/')) {
      return { $ref: `#/$defs/${unescapePointer(ref.slice(prefix.length))}` }
    }
  }
  return fail(
    `${path}/$ref`,
    `only references to "#/$defs/<name>" are supported, received "${ref}"`,
  )
}

function convertTyped(node: Json, type: unknown, path: string, fail: Fail): Json {
  switch (type) {
    case 'string': {
      if (node.format !== undefined) {
        if (typeof node.format !== 'string' || !grammarFormats.has(node.format)) {
          fail(
            `${path}/format`,
            `the string format ${JSON.stringify(node.format)} cannot be enforced (supported: date, time, date-time)`,
          )
        }
        return { type: 'string', format: node.format }
      }
      return {
        type: 'string',
        ...nonNegativeInteger(node, 'minLength', path, fail),
        ...nonNegativeInteger(node, 'maxLength', path, fail),
      }
    }
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return { type }
    case 'object':
      return convertObject(node, path, fail)
    case 'array':
      return convertArray(node, path, fail)
    default:
      return fail(`${path}/type`, `unknown type ${JSON.stringify(type)}`)
  }
}

function convertObject(node: Json, path: string, fail: Fail): Json {
  const result: Json = { type: 'object' }
  if (node.properties !== undefined) {
    if (typeof node.properties !== 'object' || node.properties === null) {
      fail(`${path}/properties`, 'expected an object')
    }
    result.properties = Object.fromEntries(
      Object.entries(node.properties as Json).map(([name, value]) => [
        name,
        convert(value, `${path}/properties/${escapePointer(name)}`, fail),
      ]),
    )
  }
  if (Array.isArray(node.required)) result.required = node.required
  const additional = node.additionalProperties
  if (additional === true) result.additionalProperties = true
  else if (additional !== undefined && additional !== false) {
    result.additionalProperties = convert(additional, `${path}/additionalProperties`, fail)
  }
  return {
    ...result,
    ...nonNegativeInteger(node, 'minProperties', path, fail),
    ...nonNegativeInteger(node, 'maxProperties', path, fail),
  }
}

function convertArray(node: Json, path: string, fail: Fail): Json {
  const result: Json = { type: 'array' }
  let maxItems = nonNegativeInteger(node, 'maxItems', path, fail).maxItems
  if (node.prefixItems !== undefined) {
    if (!Array.isArray(node.prefixItems)) fail(`${path}/prefixItems`, 'expected an array')
    result.prefixItems = (node.prefixItems as unknown[]).map((item, index) =>
      convert(item, `${path}/prefixItems/${index}`, fail),
    )
  }
  if (node.items === false) {
    // No items beyond the prefix.
    const prefixLength = Array.isArray(node.prefixItems) ? node.prefixItems.length : 0
    maxItems = Math.min(maxItems ?? prefixLength, prefixLength)
  } else if (node.items !== undefined && node.items !== true) {
    result.items = convert(node.items, `${path}/items`, fail)
  }
  return {
    ...result,
    ...nonNegativeInteger(node, 'minItems', path, fail),
    ...(maxItems === undefined ? {} : { maxItems }),
  }
}

function nonNegativeInteger(
  node: Json,
  keyword: string,
  path: string,
  fail: Fail,
): Record<string, number> {
  const value = node[keyword]
  if (value === undefined) return {}
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(`${path}/${keyword}`, `expected a non-negative integer, received ${JSON.stringify(value)}`)
  }
  return { [keyword]: value as number }
}

/** zod's `z.number().int()` writes `minimum`/`maximum` at ±(2^53 − 1): nothing to enforce. */
function isTrivialBound(node: Json, keyword: string): boolean {
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
