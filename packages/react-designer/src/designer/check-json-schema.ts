import { deepEquals } from '@rjsf/utils'
import { jsonSchemaFormats as formats } from './json-schema-formats'

/** A JSON Schema (draft 2020-12, 2019-09 or 07) or a boolean schema. */
export type JsonSchema = boolean | { [keyword: string]: unknown }

/**
 * One failed keyword, shaped as ajv reports it (ajv's `ErrorObject` with `verbose`), so the
 * form shows the same messages as with @rjsf/validator-ajv8.
 */
export interface JsonSchemaError {
  /** JSON Pointer to the value that failed, `""` for the root. */
  instancePath: string
  /** JSON Pointer to the failed keyword in the schema, from `#`. */
  schemaPath: string
  keyword: string
  params: Record<string, unknown>
  message: string
  /** The schema object holding the keyword. */
  parentSchema: Record<string, unknown>
}

/** Options of {@link checkJsonSchema}. */
export interface CheckJsonSchemaOptions {
  /** What local `$ref`s (`#/...`) point into; the schema itself by default. */
  rootSchema?: JsonSchema
  /** Stop at the first error (for yes/no questions); all errors by default. */
  firstErrorOnly?: boolean
}

type SchemaObject = Record<string, unknown>

interface Walk {
  root: JsonSchema
  errors: JsonSchemaError[]
  firstErrorOnly: boolean
  depth: number
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const escapePointer = (segment: string | number) =>
  String(segment).replace(/~/g, '~0').replace(/\//g, '~1')

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value)
  return actual === type || (type === 'number' && actual === 'integer')
}

function resolveReference(walk: Walk, reference: string, where: string): JsonSchema {
  if (!reference.startsWith('#')) {
    throw new Error(
      `Expected a local $ref ("#/..."), got "${reference}" at ${where}: the form validator resolves references inside the schema only`,
    )
  }
  let target: unknown = walk.root
  for (const raw of reference.slice(1).split('/').slice(1)) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')
    target = isObject(target) || Array.isArray(target) ? (target as never)[segment] : undefined
  }
  if (typeof target !== 'boolean' && !isObject(target)) {
    throw new Error(`Expected $ref "${reference}" at ${where} to point to a schema, found none`)
  }
  return target
}

/**
 * Checks a value against a JSON Schema by walking the schema: no code is generated, so it
 * runs under a Content Security Policy without `'unsafe-eval'` (ajv compiles each schema with
 * `new Function`). It knows the validation keywords of JSON Schema draft 2020-12 and
 * earlier drafts (`items` arrays, `additionalItems`, `dependencies`, boolean
 * `exclusiveMinimum`), local `$ref`s and the common formats; `unevaluatedProperties`,
 * `unevaluatedItems`, `$dynamicRef` and remote references are not supported. Errors have
 * ajv's shape and messages.
 *
 * @example
 * ```ts
 * checkJsonSchema({ type: 'string', pattern: '^[a-z]+$' }, 'Hello')
 * // [{ instancePath: '', keyword: 'pattern', message: 'must match pattern "^[a-z]+$"', … }]
 * ```
 */
export function checkJsonSchema(
  schema: JsonSchema,
  value: unknown,
  options: CheckJsonSchemaOptions = {},
): JsonSchemaError[] {
  const walk: Walk = {
    root: options.rootSchema ?? schema,
    errors: [],
    firstErrorOnly: options.firstErrorOnly ?? false,
    depth: 0,
  }
  check(walk, schema, value, '', '#')
  return walk.errors
}

/** Whether a value passes a schema, errors discarded (for anyOf / oneOf / not / if). */
function passes(walk: Walk, schema: JsonSchema, value: unknown, path: string, at: string) {
  const inner: Walk = { ...walk, errors: [], firstErrorOnly: true }
  check(inner, schema, value, path, at)
  return inner.errors.length === 0
}

function check(walk: Walk, schema: JsonSchema, value: unknown, path: string, at: string): void {
  const fail = (
    keyword: string,
    message: string,
    params: Record<string, unknown> = {},
    instancePath = path,
  ) => {
    if (walk.firstErrorOnly && walk.errors.length > 0) return
    walk.errors.push({
      instancePath,
      schemaPath: `${at}/${keyword}`,
      keyword,
      params,
      message,
      parentSchema: isObject(schema) ? schema : {},
    })
  }
  const done = () => walk.firstErrorOnly && walk.errors.length > 0
  if (schema === true) return
  if (schema === false) {
    walk.errors.push({
      instancePath: path,
      schemaPath: at,
      keyword: 'false schema',
      params: {},
      message: 'boolean schema is false',
      parentSchema: {},
    })
    return
  }
  if (walk.depth > 200) throw new Error(`Expected a finite schema, the $refs at ${at} loop`)
  const s = schema as SchemaObject
  if (typeof s.$ref === 'string') {
    walk.depth += 1
    check(walk, resolveReference(walk, s.$ref, at), value, path, `${at}/$ref`)
    walk.depth -= 1
    if (done()) return
  }

  // Type, then the keywords every type has.
  if (s.type !== undefined) {
    const types = (Array.isArray(s.type) ? s.type : [s.type]) as string[]
    if (!types.some((type) => hasType(value, type))) {
      // No return: as ajv, the other keywords still speak (each applies to its own types).
      fail('type', `must be ${types.join(',')}`, { type: types.join(',') })
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((allowed) => deepEquals(allowed, value)))
    fail('enum', 'must be equal to one of the allowed values', { allowedValues: s.enum })
  if ('const' in s && !deepEquals(s.const, value))
    fail('const', 'must be equal to constant', { allowedValue: s.const })
  if (done()) return

  if (typeof value === 'number') checkNumber(s, value, fail)
  else if (typeof value === 'string') checkString(s, value, fail)
  else if (Array.isArray(value)) checkArray(walk, s, value, path, at, fail)
  else if (isObject(value)) checkObject(walk, s, value, path, at, fail)
  if (done()) return

  // Combinators.
  if (Array.isArray(s.allOf))
    s.allOf.forEach((part, index) =>
      check(walk, part as JsonSchema, value, path, `${at}/allOf/${index}`),
    )
  if (Array.isArray(s.anyOf)) {
    const options = s.anyOf as JsonSchema[]
    if (!options.some((part, index) => passes(walk, part, value, path, `${at}/anyOf/${index}`))) {
      options.forEach((part, index) => check(walk, part, value, path, `${at}/anyOf/${index}`))
      fail('anyOf', 'must match a schema in anyOf')
    }
  }
  if (Array.isArray(s.oneOf)) {
    const options = s.oneOf as JsonSchema[]
    const passing = options.flatMap((part, index) =>
      passes(walk, part, value, path, `${at}/oneOf/${index}`) ? [index] : [],
    )
    if (passing.length === 0)
      options.forEach((part, index) => check(walk, part, value, path, `${at}/oneOf/${index}`))
    if (passing.length !== 1)
      fail('oneOf', 'must match exactly one schema in oneOf', {
        passingSchemas: passing.length === 0 ? null : passing,
      })
  }
  if (s.not !== undefined && passes(walk, s.not as JsonSchema, value, path, `${at}/not`))
    fail('not', 'must NOT be valid')
  if (s.if !== undefined) {
    const branch = passes(walk, s.if as JsonSchema, value, path, `${at}/if`) ? 'then' : 'else'
    const next = s[branch] as JsonSchema | undefined
    if (next !== undefined && !passes(walk, next, value, path, `${at}/${branch}`)) {
      check(walk, next, value, path, `${at}/${branch}`)
      fail('if', `must match "${branch}" schema`, { failingKeyword: branch })
    }
  }
}

type Fail = (
  keyword: string,
  message: string,
  params?: Record<string, unknown>,
  path?: string,
) => void

function checkNumber(s: SchemaObject, value: number, fail: Fail): void {
  const limit = (keyword: string, comparison: string, bound: unknown, ok: boolean) => {
    if (!ok) fail(keyword, `must be ${comparison} ${String(bound)}`, { comparison, limit: bound })
  }
  if (typeof s.minimum === 'number') {
    if (s.exclusiveMinimum === true) limit('minimum', '>', s.minimum, value > s.minimum)
    else limit('minimum', '>=', s.minimum, value >= s.minimum)
  }
  if (typeof s.maximum === 'number') {
    if (s.exclusiveMaximum === true) limit('maximum', '<', s.maximum, value < s.maximum)
    else limit('maximum', '<=', s.maximum, value <= s.maximum)
  }
  if (typeof s.exclusiveMinimum === 'number')
    limit('exclusiveMinimum', '>', s.exclusiveMinimum, value > s.exclusiveMinimum)
  if (typeof s.exclusiveMaximum === 'number')
    limit('exclusiveMaximum', '<', s.exclusiveMaximum, value < s.exclusiveMaximum)
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0) {
    // ajv's multipleOfPrecision 8, as rjsf configures it.
    const quotient = value / s.multipleOf
    if (Math.abs(Math.round(quotient) - quotient) >= 1e-8)
      fail('multipleOf', `must be multiple of ${s.multipleOf}`, { multipleOf: s.multipleOf })
  }
}

function checkString(s: SchemaObject, value: string, fail: Fail): void {
  const length = [...value].length
  if (typeof s.minLength === 'number' && length < s.minLength)
    fail('minLength', `must NOT have fewer than ${s.minLength} characters`, { limit: s.minLength })
  if (typeof s.maxLength === 'number' && length > s.maxLength)
    fail('maxLength', `must NOT have more than ${s.maxLength} characters`, { limit: s.maxLength })
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value))
    fail('pattern', `must match pattern "${s.pattern}"`, { pattern: s.pattern })
  if (typeof s.format === 'string' && formats[s.format] && !formats[s.format]!(value))
    fail('format', `must match format "${s.format}"`, { format: s.format })
}

function checkArray(
  walk: Walk,
  s: SchemaObject,
  value: unknown[],
  path: string,
  at: string,
  fail: Fail,
): void {
  if (typeof s.minItems === 'number' && value.length < s.minItems)
    fail('minItems', `must NOT have fewer than ${s.minItems} items`, { limit: s.minItems })
  if (typeof s.maxItems === 'number' && value.length > s.maxItems)
    fail('maxItems', `must NOT have more than ${s.maxItems} items`, { limit: s.maxItems })
  if (s.uniqueItems === true) checkUniqueItems(s, value, fail)
  // Draft 2020-12 prefixItems + items, or the older items array + additionalItems.
  const older = !Array.isArray(s.prefixItems) && Array.isArray(s.items)
  const prefixKeyword = older ? 'items' : 'prefixItems'
  const prefix = (
    older ? s.items : Array.isArray(s.prefixItems) ? s.prefixItems : []
  ) as JsonSchema[]
  const restKeyword = older ? 'additionalItems' : 'items'
  const rest = (older ? s.additionalItems : s.items) as JsonSchema | undefined
  value.forEach((item, index) => {
    const itemPath = `${path}/${index}`
    if (index < prefix.length)
      check(walk, prefix[index]!, item, itemPath, `${at}/${prefixKeyword}/${index}`)
    else if (rest === false && prefix.length > 0) {
      if (index === prefix.length)
        fail(restKeyword, `must NOT have more than ${prefix.length} items`, {
          limit: prefix.length,
        })
    } else if (rest !== undefined) check(walk, rest, item, itemPath, `${at}/${restKeyword}`)
  })
  if (s.contains !== undefined) {
    const minimum = typeof s.minContains === 'number' ? s.minContains : 1
    const count = value.filter((item, index) =>
      passes(walk, s.contains as JsonSchema, item, `${path}/${index}`, `${at}/contains`),
    ).length
    if (count < minimum) {
      // As ajv does: every item's reasons, then the summary.
      value.forEach((item, index) =>
        check(walk, s.contains as JsonSchema, item, `${path}/${index}`, `${at}/contains`),
      )
      fail('contains', `must contain at least ${minimum} valid item(s)`, { minContains: minimum })
    }
    if (typeof s.maxContains === 'number' && count > s.maxContains)
      fail('contains', `must contain at most ${s.maxContains} valid item(s)`, {
        maxContains: s.maxContains,
      })
  }
}

/** Reports the first duplicate in the order ajv searches, so its message names the same pair. */
function checkUniqueItems(s: SchemaObject, value: unknown[], fail: Fail): void {
  // ajv's names: i is the index its loop is at, j the other one.
  const report = (i: number, j: number) =>
    fail('uniqueItems', `must NOT have duplicate items (items ## ${j} and ${i} are identical)`, {
      i,
      j,
    })
  const types = (
    isObject(s.items) && s.items.type !== undefined ? [s.items.type].flat() : []
  ) as string[]
  if (types.length > 0 && !types.some((type) => type === 'object' || type === 'array')) {
    // ajv's fast path for scalar items: from the end, items of another type skipped.
    const seen = new Map<string, number>()
    for (let index = value.length - 1; index >= 0; index -= 1) {
      const item = value[index]
      if (!types.some((type) => hasType(item, type))) continue
      const key = `${String(item)}${types.length > 1 && typeof item === 'string' ? '_' : ''}`
      const other = seen.get(key)
      if (other !== undefined) return report(index, other)
      seen.set(key, index)
    }
    return
  }
  for (let later = value.length - 1; later > 0; later -= 1)
    for (let earlier = later - 1; earlier >= 0; earlier -= 1)
      if (deepEquals(value[earlier], value[later])) return report(later, earlier)
}

function checkObject(
  walk: Walk,
  s: SchemaObject,
  value: Record<string, unknown>,
  path: string,
  at: string,
  fail: Fail,
): void {
  const keys = Object.keys(value)
  if (typeof s.minProperties === 'number' && keys.length < s.minProperties)
    fail('minProperties', `must NOT have fewer than ${s.minProperties} properties`, {
      limit: s.minProperties,
    })
  if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties)
    fail('maxProperties', `must NOT have more than ${s.maxProperties} properties`, {
      limit: s.maxProperties,
    })
  if (Array.isArray(s.required))
    for (const key of s.required as string[])
      if (value[key] === undefined)
        fail('required', `must have required property '${key}'`, { missingProperty: key })
  const required = { ...(s.dependentRequired as object), ...(s.dependencies as object) } as Record<
    string,
    unknown
  >
  for (const [property, dependency] of Object.entries(required)) {
    if (value[property] === undefined) continue
    if (Array.isArray(dependency)) {
      const missing = (dependency as string[]).filter((key) => value[key] === undefined)
      for (const key of missing)
        fail(
          s.dependentRequired ? 'dependentRequired' : 'dependencies',
          `must have property ${dependency.join(', ')} when property ${property} is present`,
          {
            property,
            missingProperty: key,
            depsCount: dependency.length,
            deps: dependency.join(', '),
          },
        )
    } else {
      check(
        walk,
        dependency as JsonSchema,
        value,
        path,
        `${at}/dependencies/${escapePointer(property)}`,
      )
    }
  }
  for (const [property, dependency] of Object.entries((s.dependentSchemas ?? {}) as object))
    if (value[property] !== undefined)
      check(
        walk,
        dependency as JsonSchema,
        value,
        path,
        `${at}/dependentSchemas/${escapePointer(property)}`,
      )

  const properties = (isObject(s.properties) ? s.properties : {}) as Record<string, JsonSchema>
  const patterns = Object.entries(
    (isObject(s.patternProperties) ? s.patternProperties : {}) as Record<string, JsonSchema>,
  ).map(([pattern, schema]) => ({ pattern, expression: new RegExp(pattern, 'u'), schema }))
  for (const key of keys) {
    const keyPath = `${path}/${escapePointer(key)}`
    let matched = false
    if (Object.prototype.hasOwnProperty.call(properties, key)) {
      matched = true
      check(walk, properties[key]!, value[key], keyPath, `${at}/properties/${escapePointer(key)}`)
    }
    for (const { pattern, expression, schema } of patterns)
      if (expression.test(key)) {
        matched = true
        check(
          walk,
          schema,
          value[key],
          keyPath,
          `${at}/patternProperties/${escapePointer(pattern)}`,
        )
      }
    if (!matched && s.additionalProperties !== undefined) {
      if (s.additionalProperties === false)
        fail('additionalProperties', 'must NOT have additional properties', {
          additionalProperty: key,
        })
      else
        check(
          walk,
          s.additionalProperties as JsonSchema,
          value[key],
          keyPath,
          `${at}/additionalProperties`,
        )
    }
    if (
      s.propertyNames !== undefined &&
      !passes(walk, s.propertyNames as JsonSchema, key, path, `${at}/propertyNames`)
    ) {
      check(walk, s.propertyNames as JsonSchema, key, path, `${at}/propertyNames`)
      fail('propertyNames', 'property name must be valid', { propertyName: key })
    }
  }
}
