import { UnsupportedSchemaError } from '@tessera/core'

type Schema = Record<string, unknown>

/** A JSON Schema in strict form, and the way back from answers to the original schema. */
export interface StrictJsonSchema {
  /** The strict schema to send. */
  schema: Schema
  /**
   * Removes from an answer the `null`s that stand for properties the original schema left
   * optional, so that the answer validates against the original schema. Returns the value itself
   * when there was nothing to remove.
   */
  restore(value: unknown): unknown
}

/** Options of {@link toStrictJsonSchema}. */
export interface StrictJsonSchemaOptions {
  /** The provider, for the errors. */
  provider: string
  /** Where the schema is used, for the errors (e.g. `responseFormat`, `tool "lookup"`). */
  use?: string
}

/** Keywords that only annotate: dropped, they do not constrain the answer. */
const annotations = new Set([
  '$schema',
  '$id',
  '$comment',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
])
/** Keywords strict mode accepts. */
const accepted = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  '$ref',
  '$defs',
  'definitions',
  'title',
  'description',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
])
/** Constraints strict mode rejects but that do not change the shape: moved into the description. */
const described = new Set(['minLength', 'maxLength', 'uniqueItems'])

/** How to walk an answer back to the original schema, mirroring the schema. */
type RestorePlan =
  | { kind: 'object'; properties: Map<string, RestorePlan>; addedNull: Set<string> }
  | { kind: 'array'; items: RestorePlan }
  | { kind: 'any-of'; branches: RestorePlan[] }
  | { kind: 'ref'; target: string }
  | { kind: 'leaf' }

interface Walk {
  options: StrictJsonSchemaOptions
  definitions: Map<string, RestorePlan>
}

/**
 * Converts a JSON Schema to the strict dialect of OpenAI's structured outputs (and strict tools):
 * every object closed (`additionalProperties: false`) with every property required. A property
 * the original left optional becomes required and nullable (`type: ['string', 'null']`, or an
 * `anyOf` with `{ type: 'null' }`), and {@link StrictJsonSchema.restore} removes those `null`s
 * from the answer. `oneOf` becomes `anyOf`; annotations (`$schema`, `default`, `examples`, …) are
 * dropped; `minLength`, `maxLength` and `uniqueItems` move into the description. What strict mode
 * cannot express throws an `UnsupportedSchemaError` naming the JSON pointer: open objects and
 * records (`additionalProperties` other than `false`), schemas that accept anything (`{}`, which
 * zod gives for dates and transforms), tuples, `allOf`, `not`, conditionals, a root that is not an
 * object, and any other keyword outside the dialect.
 *
 * @example
 * ```ts
 * const strict = toStrictJsonSchema(
 *   { type: 'object', properties: { city: { type: 'string' }, note: { type: 'string' } }, required: ['city'] },
 *   { provider: 'openai' },
 * )
 * strict.schema // { type: 'object', properties: { city: …, note: { type: ['string', 'null'] } }, required: ['city', 'note'], additionalProperties: false }
 * strict.restore({ city: 'Oslo', note: null }) // { city: 'Oslo' }
 * ```
 */
export function toStrictJsonSchema(
  schema: Schema,
  options: StrictJsonSchemaOptions,
): StrictJsonSchema {
  const walk: Walk = { options, definitions: new Map() }
  if (!isObject(schema) || !isObjectSchema(schema) || 'anyOf' in schema || 'oneOf' in schema) {
    throw unsupported(walk, '', 'the root must be an object schema ({ type: "object", … })')
  }
  const { schema: converted, plan } = convert(schema, '', walk)
  const resolve = (target: string): RestorePlan | undefined =>
    target === '#' ? plan : walk.definitions.get(target)
  return {
    schema: converted,
    restore: (value) => restoreWith(value, plan, resolve, 0),
  }
}

function convert(node: unknown, path: string, walk: Walk): { schema: Schema; plan: RestorePlan } {
  if (!isObject(node)) {
    throw unsupported(
      walk,
      path,
      `expected a schema object, found ${JSON.stringify(node) ?? String(node)}`,
    )
  }
  if ('additionalProperties' in node && node.additionalProperties !== false) {
    throw unsupported(
      walk,
      `${path}/additionalProperties`,
      'an open object or a record (additionalProperties other than false) has no strict form: strict mode needs every property named',
    )
  }
  const notes: string[] = []
  for (const [key, value] of Object.entries(node)) {
    if (described.has(key)) notes.push(`${key}: ${JSON.stringify(value)}`)
    else if (!annotations.has(key) && !accepted.has(key)) {
      throw unsupported(walk, `${path}/${escape(key)}`, `the keyword "${key}" has no strict form`)
    }
  }
  const constrains = ['type', 'properties', 'enum', 'const', 'anyOf', 'oneOf', '$ref'].some(
    (key) => key in node,
  )
  if (!constrains) {
    throw unsupported(
      walk,
      path,
      'a schema that accepts any value (no type, enum, const, anyOf or $ref) has no strict form',
    )
  }

  const out: Schema = {}
  let plan: RestorePlan = { kind: 'leaf' }
  for (const key of ['title', 'description', 'type', 'enum', 'const', 'pattern', 'format']) {
    if (key in node) out[key] = node[key]
  }
  for (const key of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']) {
    if (key in node) out[key] = node[key]
  }
  if (notes.length > 0) {
    const description = typeof node.description === 'string' ? `${node.description} ` : ''
    out.description = `${description}(${notes.join(', ')})`
  }

  for (const key of ['$defs', 'definitions'] as const) {
    const definitions = node[key]
    if (definitions === undefined) continue
    if (!isObject(definitions)) {
      throw unsupported(walk, `${path}/${key}`, 'expected an object of schemas')
    }
    const converted: Schema = {}
    for (const [name, definition] of Object.entries(definitions)) {
      const result = convert(definition, `${path}/${key}/${escape(name)}`, walk)
      converted[name] = result.schema
      walk.definitions.set(`#/${key}/${name}`, result.plan)
    }
    out[key] = converted
  }

  if (typeof node.$ref === 'string') {
    if (!node.$ref.startsWith('#')) {
      throw unsupported(
        walk,
        `${path}/$ref`,
        `only local references ("#…") work, found "${node.$ref}"`,
      )
    }
    out.$ref = node.$ref
    plan = { kind: 'ref', target: node.$ref }
  }

  const branches = node.anyOf ?? node.oneOf
  if (branches !== undefined) {
    const key = 'anyOf' in node ? 'anyOf' : 'oneOf'
    if (!Array.isArray(branches) || branches.length === 0) {
      throw unsupported(walk, `${path}/${key}`, 'expected a non-empty array of schemas')
    }
    const converted = branches.map((branch, index) =>
      convert(branch, `${path}/${key}/${index}`, walk),
    )
    out.anyOf = converted.map((branch) => branch.schema)
    plan = { kind: 'any-of', branches: converted.map((branch) => branch.plan) }
  }

  if (isObjectSchema(node)) {
    const properties = node.properties ?? {}
    if (!isObject(properties)) {
      throw unsupported(walk, `${path}/properties`, 'expected an object of schemas')
    }
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : [])
    const convertedProperties: Schema = {}
    const objectPlan: RestorePlan & { kind: 'object' } = {
      kind: 'object',
      properties: new Map(),
      addedNull: new Set(),
    }
    for (const [name, property] of Object.entries(properties)) {
      const result = convert(property, `${path}/properties/${escape(name)}`, walk)
      objectPlan.properties.set(name, result.plan)
      if (required.has(name) || acceptsNull(result.schema)) {
        convertedProperties[name] = result.schema
      } else {
        convertedProperties[name] = withNull(result.schema)
        objectPlan.addedNull.add(name)
      }
    }
    out.properties = convertedProperties
    out.required = Object.keys(convertedProperties)
    out.additionalProperties = false
    plan = objectPlan
  }

  if (isArraySchema(node)) {
    if (!isObject(node.items)) {
      throw unsupported(
        walk,
        `${path}/items`,
        'an array needs one schema for its items (tuples have no strict form)',
      )
    }
    const items = convert(node.items, `${path}/items`, walk)
    out.items = items.schema
    if (node.minItems !== undefined) out.minItems = node.minItems
    if (node.maxItems !== undefined) out.maxItems = node.maxItems
    plan = { kind: 'array', items: items.plan }
  }
  return { schema: out, plan }
}

function restoreWith(
  value: unknown,
  plan: RestorePlan,
  resolve: (target: string) => RestorePlan | undefined,
  depth: number,
): unknown {
  if (depth > 64) return value
  switch (plan.kind) {
    case 'leaf':
      return value
    case 'ref': {
      const target = resolve(plan.target)
      return target ? restoreWith(value, target, resolve, depth + 1) : value
    }
    case 'array': {
      if (!Array.isArray(value)) return value
      const items = value.map((item) => restoreWith(item, plan.items, resolve, depth + 1))
      return items.every((item, index) => item === value[index]) ? value : items
    }
    case 'any-of': {
      const fits = plan.branches
        .map((branch) => dereference(branch, resolve))
        .find((branch) =>
          Array.isArray(value)
            ? branch?.kind === 'array'
            : isObject(value) &&
              branch?.kind === 'object' &&
              Object.keys(value).every((key) => branch.properties.has(key)),
        )
      return fits ? restoreWith(value, fits, resolve, depth + 1) : value
    }
    case 'object': {
      if (!isObject(value)) return value
      let changed = false
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value)) {
        if (item === null && plan.addedNull.has(key)) {
          changed = true
          continue
        }
        const property = plan.properties.get(key)
        const restored = property ? restoreWith(item, property, resolve, depth + 1) : item
        if (restored !== item) changed = true
        out[key] = restored
      }
      return changed ? out : value
    }
  }
}

function dereference(
  plan: RestorePlan,
  resolve: (target: string) => RestorePlan | undefined,
): RestorePlan | undefined {
  let current: RestorePlan | undefined = plan
  for (let hops = 0; current?.kind === 'ref' && hops < 16; hops++) current = resolve(current.target)
  return current
}

/** The schema, also accepting `null`. */
function withNull(schema: Schema): Schema {
  const simple = !('$ref' in schema) && !('const' in schema) && !('anyOf' in schema)
  if (simple && (typeof schema.type === 'string' || Array.isArray(schema.type))) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type]
    return {
      ...schema,
      type: [...types, 'null'],
      ...(Array.isArray(schema.enum) ? { enum: [...(schema.enum as unknown[]), null] } : {}),
    }
  }
  if (Array.isArray(schema.anyOf) && !('$ref' in schema) && !('const' in schema)) {
    return { ...schema, anyOf: [...(schema.anyOf as unknown[]), { type: 'null' }] }
  }
  return { anyOf: [schema, { type: 'null' }] }
}

function acceptsNull(schema: Schema): boolean {
  if (schema.type === 'null') return true
  if (Array.isArray(schema.type) && schema.type.includes('null')) return true
  if ('const' in schema && schema.const === null) return true
  if (Array.isArray(schema.enum) && schema.enum.includes(null) && !('type' in schema)) return true
  return Array.isArray(schema.anyOf) && schema.anyOf.some((branch) => acceptsNull(branch as Schema))
}

function isObjectSchema(schema: Schema): boolean {
  return (
    schema.type === 'object' ||
    (Array.isArray(schema.type) && schema.type.includes('object')) ||
    'properties' in schema
  )
}

function isArraySchema(schema: Schema): boolean {
  return schema.type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array'))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Escapes a JSON-pointer segment. */
function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}

function unsupported(walk: Walk, path: string, reason: string): UnsupportedSchemaError {
  const use = walk.options.use ? ` (${walk.options.use}, strict mode)` : ' (strict mode)'
  return new UnsupportedSchemaError({
    provider: walk.options.provider,
    path,
    reason: `${reason}${use}`,
  })
}
