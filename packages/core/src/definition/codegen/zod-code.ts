import { z } from 'zod'
import { canonicalJson } from '../content-hash'
import {
  array,
  call,
  concat,
  jsonLiteral,
  object,
  pair,
  propertyKey,
  stringLiteral,
  text,
  type Code,
} from './code-layout'

const draft2020 = 'https://json-schema.org/draft/2020-12/schema'
const safeInteger = Number.MAX_SAFE_INTEGER

interface Built {
  code: Code
  schema: z.ZodType
}

/**
 * Zod source code for a JSON Schema, and whether it is exact. The converter builds the zod
 * schema and its source text side by side; the source is used only when that schema converts
 * back (with `toJsonSchema`, as the builder does) to exactly the given JSON Schema. Otherwise the
 * code is `z.fromJSONSchema(<the schema>)`, which accepts the same data but may convert back
 * with small differences (`exact: false`).
 *
 * @example
 * ```ts
 * print(zodCode({ type: 'object', properties: { n: { type: 'number' } }, required: ['n'] }).code)
 * // "z.object({ n: z.number() })"
 * ```
 */
export function zodCode(jsonSchema: Record<string, unknown>): { code: Code; exact: boolean } {
  const { $schema, ...rest } = jsonSchema
  const built = $schema === undefined || $schema === draft2020 ? convert(rest) : undefined
  if (built) {
    try {
      const back = z.toJSONSchema(built.schema, { unrepresentable: 'any', io: 'input' })
      // toJsonSchema always writes $schema at the top: exact only if the input had it too.
      if (canonicalJson(withoutSchema(back)) === canonicalJson(rest))
        return { code: built.code, exact: $schema === draft2020 }
    } catch {
      // fall through to z.fromJSONSchema
    }
  }
  return { code: call('z.fromJSONSchema', jsonLiteral(jsonSchema)), exact: false }
}

function withoutSchema(value: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = value
  return rest
}

/** `base.name(args)` for code and schema alike. */
function method(built: Built, name: string, args: unknown[], codeArgs: Code[]): Built {
  const schema = (built.schema as unknown as Record<string, (...values: unknown[]) => z.ZodType>)[
    name
  ]!(...args)
  return { code: concat(built.code, text('.'), call(name, ...codeArgs)), schema }
}

function literalCode(value: unknown): Code {
  return typeof value === 'string' ? text(stringLiteral(value)) : text(JSON.stringify(value))
}

/**
 * The zod code for one (sub)schema. Some JSON Schemas have several zod spellings (a nullable
 * string is `z.string().nullable()` or `z.union([z.null(), z.string()])`, in either order): the
 * first candidate whose own JSON Schema is this one wins.
 */
function convert(schema: Record<string, unknown>): Built | undefined {
  const { description, default: fallback, ...rest } = schema
  if (description !== undefined && typeof description !== 'string') return undefined
  const candidates = convertBody(rest).map((candidate) => {
    let built = candidate
    if (fallback !== undefined)
      built = method(built, 'default', [fallback], [jsonLiteral(fallback)])
    if (typeof description === 'string')
      built = method(built, 'describe', [description], [text(stringLiteral(description))])
    return built
  })
  return candidates.find((candidate) => converts(candidate.schema, schema)) ?? candidates[0]
}

function converts(schema: z.ZodType, jsonSchema: Record<string, unknown>): boolean {
  try {
    const back = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' })
    return canonicalJson(withoutSchema(back)) === canonicalJson(jsonSchema)
  } catch {
    return false
  }
}

/** The spellings of a value that may also be null: `.nullable()`, or a union with `z.null()`. */
function nullable(inner: Built[]): Built[] {
  const nullSchema: Built = { code: text('z.null()'), schema: z.null() }
  return inner.flatMap((built) => [
    method(built, 'nullable', [], []),
    union([nullSchema, built]),
    union([built, nullSchema]),
  ])
}

function union(options: Built[]): Built {
  return {
    code: call('z.union', array(options.map((entry) => entry.code))),
    schema: z.union(options.map((entry) => entry.schema) as [z.ZodType, z.ZodType]),
  }
}

function many(built: Built | undefined): Built[] {
  return built ? [built] : []
}

function only(schema: Record<string, unknown>, allowed: string[]): boolean {
  return Object.keys(schema).every((key) => allowed.includes(key))
}

function convertBody(schema: Record<string, unknown>): Built[] {
  const keys = Object.keys(schema)
  if (keys.length === 0) return [{ code: text('z.unknown()'), schema: z.unknown() }]
  if (Array.isArray(schema.anyOf) && keys.length === 1) return convertUnion(schema.anyOf)
  if ('const' in schema && only(schema, ['const', 'type'])) {
    const value = schema.const
    if (!['string', 'number', 'boolean'].includes(typeof value) && value !== null) return []
    return [
      {
        code: call('z.literal', literalCode(value)),
        schema: z.literal(value as string | number | boolean | null),
      },
    ]
  }
  if (Array.isArray(schema.enum) && only(schema, ['enum', 'type'])) {
    const values = schema.enum as unknown[]
    if (values.length === 0 || !values.every((value) => typeof value === 'string')) return []
    return [
      {
        code: call('z.enum', array(values.map(literalCode))),
        schema: z.enum(values as [string, ...string[]]),
      },
    ]
  }
  const type = schema.type
  if (Array.isArray(type)) {
    if (type.length === 2 && type.includes('null')) {
      const other = type.find((entry) => entry !== 'null')
      return nullable(convertBody({ ...schema, type: other }))
    }
    const options: Built[] = []
    for (const entry of type) {
      const [first] = convertBody({ type: entry })
      if (!first || !only(schema, ['type'])) return []
      options.push(first)
    }
    return options.length >= 2 ? [union(options)] : []
  }
  switch (type) {
    case 'string':
      return many(convertString(schema))
    case 'number':
    case 'integer':
      return many(convertNumber(schema, type === 'integer'))
    case 'boolean':
      return only(schema, ['type']) ? [{ code: text('z.boolean()'), schema: z.boolean() }] : []
    case 'null':
      return only(schema, ['type']) ? [{ code: text('z.null()'), schema: z.null() }] : []
    case 'array':
      return many(convertArray(schema))
    case 'object':
      return many(convertObject(schema))
    default:
      return []
  }
}

function convertUnion(options: unknown[]): Built[] {
  const built: Built[] = []
  for (const option of options) {
    if (typeof option !== 'object' || option === null) return []
    const converted = convert(option as Record<string, unknown>)
    if (!converted) return []
    built.push(converted)
  }
  if (built.length < 2) return []
  const isNull = (option: unknown) => canonicalJson(option) === canonicalJson({ type: 'null' })
  const nonNull = options.findIndex((option) => !isNull(option))
  const candidates = [union(built)]
  if (options.length === 2 && options.some(isNull) && nonNull !== -1)
    candidates.push(method(built[nonNull]!, 'nullable', [], []))
  return candidates
}

const formats: Record<string, [string, () => z.ZodType]> = {
  email: ['z.email()', () => z.email()],
  uuid: ['z.uuid()', () => z.uuid()],
  uri: ['z.url()', () => z.url()],
  'date-time': ['z.iso.datetime()', () => z.iso.datetime()],
  date: ['z.iso.date()', () => z.iso.date()],
  time: ['z.iso.time()', () => z.iso.time()],
}

function convertString(schema: Record<string, unknown>): Built | undefined {
  if (!only(schema, ['type', 'minLength', 'maxLength', 'format', 'pattern'])) return undefined
  let built: Built
  if (schema.format !== undefined) {
    const format = formats[String(schema.format)]
    if (!format) return undefined
    built = { code: text(format[0]), schema: format[1]() }
  } else {
    built = { code: text('z.string()'), schema: z.string() }
    if (typeof schema.pattern === 'string') {
      const pattern = schema.pattern
      built = method(
        built,
        'regex',
        [new RegExp(pattern)],
        [concat(text('new RegExp('), text(stringLiteral(pattern)), text(')'))],
      )
    }
  }
  if (typeof schema.minLength === 'number')
    built = method(built, 'min', [schema.minLength], [text(String(schema.minLength))])
  if (typeof schema.maxLength === 'number')
    built = method(built, 'max', [schema.maxLength], [text(String(schema.maxLength))])
  return built
}

function convertNumber(schema: Record<string, unknown>, integer: boolean): Built | undefined {
  const bounds = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']
  if (!only(schema, ['type', ...bounds])) return undefined
  let built: Built = integer
    ? { code: text('z.int()'), schema: z.int() }
    : { code: text('z.number()'), schema: z.number() }
  const checks: [string, string][] = [
    ['minimum', 'min'],
    ['maximum', 'max'],
    ['exclusiveMinimum', 'gt'],
    ['exclusiveMaximum', 'lt'],
    ['multipleOf', 'multipleOf'],
  ]
  for (const [keyword, name] of checks) {
    const value = schema[keyword]
    if (value === undefined) continue
    if (typeof value !== 'number') return undefined
    if (integer && keyword === 'minimum' && value === -safeInteger) continue
    if (integer && keyword === 'maximum' && value === safeInteger) continue
    built = method(built, name, [value], [text(String(value))])
  }
  return built
}

function convertArray(schema: Record<string, unknown>): Built | undefined {
  if (Array.isArray(schema.prefixItems)) {
    if (!only(schema, ['type', 'prefixItems', 'items', 'minItems', 'maxItems'])) return undefined
    const items: Built[] = []
    for (const item of schema.prefixItems) {
      const converted = convert(item as Record<string, unknown>)
      if (!converted) return undefined
      items.push(converted)
    }
    return {
      code: call('z.tuple', array(items.map((item) => item.code))),
      schema: z.tuple(items.map((item) => item.schema) as [z.ZodType]),
    }
  }
  if (!only(schema, ['type', 'items', 'minItems', 'maxItems'])) return undefined
  const items =
    schema.items === undefined
      ? convertBody({})[0]
      : convert(schema.items as Record<string, unknown>)
  if (!items || typeof schema.items === 'boolean') return undefined
  let built: Built = { code: call('z.array', items.code), schema: z.array(items.schema) }
  if (typeof schema.minItems === 'number')
    built = method(built, 'min', [schema.minItems], [text(String(schema.minItems))])
  if (typeof schema.maxItems === 'number')
    built = method(built, 'max', [schema.maxItems], [text(String(schema.maxItems))])
  return built
}

function convertObject(schema: Record<string, unknown>): Built | undefined {
  if (schema.propertyNames !== undefined) {
    if (!only(schema, ['type', 'propertyNames', 'additionalProperties'])) return undefined
    const keys = convert(schema.propertyNames as Record<string, unknown>)
    const values = convert((schema.additionalProperties ?? {}) as Record<string, unknown>)
    if (!keys || !values) return undefined
    return {
      code: call('z.record', keys.code, values.code),
      schema: z.record(keys.schema as z.ZodString, values.schema),
    }
  }
  if (!only(schema, ['type', 'properties', 'required', 'additionalProperties'])) return undefined
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>
  const required = new Set((schema.required ?? []) as string[])
  const shape: Record<string, z.ZodType> = {}
  const entries: Code[] = []
  for (const [key, value] of Object.entries(properties)) {
    let built = convert(value)
    if (!built) return undefined
    if (!required.has(key) && value.default === undefined) built = method(built, 'optional', [], [])
    shape[key] = built.schema
    entries.push(pair(propertyKey(key), built.code))
  }
  const additional = schema.additionalProperties
  if (additional === undefined)
    return { code: call('z.object', object(entries)), schema: z.object(shape) }
  if (additional === false)
    return { code: call('z.strictObject', object(entries)), schema: z.strictObject(shape) }
  if (typeof additional === 'object' && additional !== null && Object.keys(additional).length === 0)
    return { code: call('z.looseObject', object(entries)), schema: z.looseObject(shape) }
  const rest = convert(additional as Record<string, unknown>)
  if (!rest) return undefined
  return method(
    { code: call('z.object', object(entries)), schema: z.object(shape) },
    'catchall',
    [rest.schema],
    [rest.code],
  )
}
