import { UnsupportedSchemaError } from '@tessera/core'

type Schema = Record<string, unknown>

/**
 * Keywords Gemini's JSON Schema dialect (`responseJsonSchema`, `parametersJsonSchema`) cannot
 * express, with why. Ignoring them would change what the schema accepts, so they are refused.
 */
const unsupportedKeywords: Record<string, string> = {
  allOf: 'allOf (an intersection) is not supported: merge the schemas into one object',
  not: 'not is not supported',
  if: 'if/then/else is not supported',
  then: 'if/then/else is not supported',
  else: 'if/then/else is not supported',
  patternProperties: 'patternProperties is not supported: use additionalProperties',
  propertyNames: 'propertyNames is not supported',
  dependentSchemas: 'dependentSchemas is not supported',
  dependentRequired: 'dependentRequired is not supported',
  dependencies: 'dependencies is not supported',
  unevaluatedProperties: 'unevaluatedProperties is not supported: use additionalProperties',
  unevaluatedItems: 'unevaluatedItems is not supported',
  contains: 'contains is not supported',
  $dynamicRef: '$dynamicRef is not supported: use $ref',
  $recursiveRef: '$recursiveRef is not supported: use $ref',
}

/** Keywords whose value is one subschema, a list of them, or a map of them. */
const schemaKeywords = ['items', 'additionalProperties'] as const
const schemaListKeywords = ['anyOf', 'oneOf', 'prefixItems'] as const
const schemaMapKeywords = ['properties', '$defs'] as const

/**
 * Prepares a JSON Schema for Gemini's JSON Schema dialect: the subset the API documents for
 * `responseJsonSchema` and `parametersJsonSchema` (`type`, `properties`, `required`, `items`,
 * `prefixItems`, `anyOf`/`oneOf`, `enum` of strings and numbers, `$ref`/`$defs`, `format`,
 * bounds, `additionalProperties`, `description`, `title`). It returns a copy: `$schema` dropped,
 * `const` written as a one-value `enum`, draft-07 `definitions` moved to `$defs`, and a `$ref`
 * with sibling keywords wrapped in `anyOf` (Gemini allows none beside it). Constructs Gemini
 * cannot express (`allOf`, `not`, `if`, `patternProperties`, an `enum` of booleans, …) throw an
 * {@link UnsupportedSchemaError} whose `path` is a JSON pointer to them. Other validation
 * keywords (`pattern`, `minLength`, …) pass through: the API accepts and ignores them.
 *
 * @example
 * ```ts
 * toGeminiJsonSchema({ type: 'object', properties: { kind: { const: 'a' } } })
 * // { type: 'object', properties: { kind: { enum: ['a'] } } }
 * ```
 */
export function toGeminiJsonSchema(
  schema: Schema,
  options: {
    /** For the errors. Default `google`. */
    provider?: string
    /** What the schema is, for the errors (`tool "lookup" input schema`). Default `schema`. */
    what?: string
    /** The root must be an object schema (function parameters). Default false. */
    requireObject?: boolean
  } = {},
): Schema {
  const fail = (path: string, reason: string): never => {
    throw new UnsupportedSchemaError({
      provider: options.provider ?? 'google',
      path,
      reason: `${options.what ?? 'schema'}: ${reason}`,
    })
  }
  if (!isSchema(schema)) fail('', 'expected a JSON Schema object')
  if (options.requireObject && schema.type !== undefined && schema.type !== 'object') {
    fail('/type', `the root must be an object schema, got type ${JSON.stringify(schema.type)}`)
  }
  const { $schema: _dialect, ...root } = schema
  return convert(root, '', fail)
}

function convert(
  schema: Schema,
  path: string,
  fail: (path: string, reason: string) => never,
): Schema {
  const result: Schema = {}
  for (const [keyword, value] of Object.entries(schema)) {
    const at = `${path}/${escapePointer(keyword)}`
    const unsupported = unsupportedKeywords[keyword]
    if (unsupported !== undefined) fail(at, unsupported)
    if ((schemaKeywords as readonly string[]).includes(keyword)) {
      if (typeof value === 'boolean') result[keyword] = value
      else if (Array.isArray(value) && keyword === 'items') {
        // Draft-07 tuples: items as a list is prefixItems now.
        result.prefixItems = value.map((item, index) => subschema(item, `${at}/${index}`, fail))
      } else result[keyword] = subschema(value, at, fail)
    } else if ((schemaListKeywords as readonly string[]).includes(keyword)) {
      if (!Array.isArray(value)) fail(at, `expected an array of schemas`)
      result[keyword] = (value as unknown[]).map((item, index) =>
        subschema(item, `${at}/${index}`, fail),
      )
    } else if (
      (schemaMapKeywords as readonly string[]).includes(keyword) ||
      keyword === 'definitions'
    ) {
      if (!isSchema(value)) fail(at, 'expected an object of schemas')
      const converted = Object.fromEntries(
        Object.entries(value as Schema).map(([name, item]) => [
          name,
          subschema(item, `${at}/${escapePointer(name)}`, fail),
        ]),
      )
      const target = keyword === 'definitions' ? '$defs' : keyword
      result[target] = { ...(result[target] as Schema | undefined), ...converted }
    } else if (keyword === 'const') {
      if (!isEnumValue(value)) {
        fail(
          at,
          `const ${JSON.stringify(value)} is not supported: Gemini enums hold only strings and numbers`,
        )
      }
      result.enum = [value]
    } else if (keyword === 'enum') {
      if (!Array.isArray(value)) fail(at, 'expected an array')
      const bad = (value as unknown[]).findIndex((item) => !isEnumValue(item))
      if (bad >= 0) {
        fail(
          `${at}/${bad}`,
          `enum value ${JSON.stringify((value as unknown[])[bad])} is not supported: Gemini enums hold only strings and numbers`,
        )
      }
      result.enum = value
    } else if (keyword === '$ref' && typeof value === 'string') {
      result.$ref = value.replace(/^#\/definitions\//, '#/$defs/')
    } else {
      result[keyword] = value
    }
  }
  // Gemini allows no keyword beside $ref except $-prefixed ones: move $ref into an anyOf.
  if (typeof result.$ref === 'string' && Object.keys(result).some((key) => !key.startsWith('$'))) {
    const { $ref, ...rest } = result
    if (rest.anyOf !== undefined || rest.oneOf !== undefined) {
      fail(`${path}/$ref`, '$ref beside anyOf or oneOf is not supported')
    }
    return { ...rest, anyOf: [{ $ref }] }
  }
  return result
}

function subschema(
  value: unknown,
  path: string,
  fail: (path: string, reason: string) => never,
): Schema | boolean {
  if (typeof value === 'boolean') return value
  if (!isSchema(value)) return fail(path, `expected a schema, got ${JSON.stringify(value)}`)
  return convert(value, path, fail)
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isEnumValue(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}
