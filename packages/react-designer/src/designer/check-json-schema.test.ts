import { customizeValidator } from '@rjsf/validator-ajv8'
import type { RJSFSchema } from '@rjsf/utils'
import { describe, expect, it } from 'vitest'
import { checkJsonSchema, type JsonSchema } from './check-json-schema'

// The reference: @rjsf/validator-ajv8 (ajv with rjsf's options), which the designer used before
// and which compiles code. The interpreter must report the same errors.
const ajv = customizeValidator()
const summary = (errors: { instancePath: string; keyword: string; message?: string }[]) =>
  errors.map((error) => `${error.instancePath} ${error.keyword}: ${error.message}`).sort()

const cases: { name: string; schema: JsonSchema; values: unknown[] }[] = [
  {
    name: 'types',
    schema: {
      type: 'object',
      properties: { a: { type: 'integer' }, b: { type: ['string', 'null'] } },
    },
    values: [{ a: 1, b: null }, { a: 1.5, b: 2 }, { a: '1' }, [], 'x'],
  },
  {
    name: 'strings',
    schema: { type: 'string', minLength: 2, maxLength: 4, pattern: '^[a-z]+$' },
    values: ['ab', 'a', 'abcde', 'AB', 'A', '😀😀'],
  },
  {
    name: 'numbers',
    schema: { type: 'number', minimum: 1, maximum: 10, multipleOf: 0.5 },
    values: [1, 0, 11, 2.25, 10],
  },
  {
    name: 'exclusive bounds',
    schema: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 5 },
    values: [0, 5, 2],
  },
  {
    name: 'required and additional properties',
    schema: {
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: { type: 'string' } },
      additionalProperties: false,
    },
    values: [{ id: 'a', name: 'b' }, {}, { id: 'a', name: 'b', extra: 1 }],
  },
  {
    name: 'enum and const',
    schema: {
      type: 'object',
      properties: { kind: { enum: ['a', 'b'] }, fixed: { const: { x: [1] } } },
    },
    values: [
      { kind: 'a', fixed: { x: [1] } },
      { kind: 'c', fixed: { x: [2] } },
    ],
  },
  {
    name: 'arrays',
    schema: {
      type: 'array',
      items: { type: 'integer', minimum: 0 },
      minItems: 1,
      maxItems: 3,
      uniqueItems: true,
    },
    values: [[1, 2], [], [1, 1], [1, 2, 3, 4], [-1]],
  },
  {
    // rjsf's ajv speaks draft-07: tuples as an items array with additionalItems.
    name: 'tuples',
    schema: {
      type: 'array',
      items: [{ type: 'string' }, { type: 'number' }],
      additionalItems: false,
    },
    values: [
      ['a', 1],
      ['a', 'b'],
      ['a', 1, true],
    ],
  },
  {
    name: 'contains',
    schema: { type: 'array', contains: { type: 'string' } },
    values: [
      [1, 'a'],
      [1, 2],
    ],
  },
  {
    name: 'anyOf, oneOf, allOf, not',
    schema: {
      type: 'object',
      properties: {
        any: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        one: { oneOf: [{ type: 'integer' }, { type: 'number', minimum: 2 }] },
        all: { allOf: [{ minLength: 1 }, { maxLength: 2 }] },
        none: { not: { type: 'string' } },
      },
    },
    values: [
      { any: 'a', one: 1, all: 'ab', none: 1 },
      { any: true, one: 3, all: '', none: 'x' },
      { one: 1.5, all: 'abc' },
    ],
  },
  {
    name: 'if / then / else',
    schema: {
      type: 'object',
      if: { properties: { kind: { const: 'a' } } },
      then: { required: ['a'] },
      else: { required: ['b'] },
    },
    values: [{ kind: 'a', a: 1 }, { kind: 'a' }, { kind: 'b' }, { kind: 'b', b: 1 }],
  },
  {
    name: '$ref and $defs',
    schema: {
      $defs: { positive: { type: 'integer', minimum: 1 } },
      type: 'object',
      properties: {
        count: { $ref: '#/$defs/positive' },
        list: { type: 'array', items: { $ref: '#/$defs/positive' } },
      },
    },
    values: [
      { count: 1, list: [2] },
      { count: 0, list: [1, -1] },
    ],
  },
  {
    name: 'formats',
    schema: {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email' },
        date: { type: 'string', format: 'date' },
        uri: { type: 'string', format: 'uri' },
        uuid: { type: 'string', format: 'uuid' },
      },
    },
    values: [
      {
        email: 'ada@example.com',
        date: '2026-11-26',
        uri: 'https://example.com/a',
        uuid: '3f1c1d9e-2b7a-4c1e-9d8f-0a1b2c3d4e5f',
      },
      { email: 'ada', date: '26/11/2026', uri: 'not a uri', uuid: 'x' },
    ],
  },
  {
    name: 'dependencies, patternProperties, propertyNames, property counts',
    schema: {
      type: 'object',
      dependencies: { card: ['billing'] },
      patternProperties: { '^n_': { type: 'number' } },
      propertyNames: { maxLength: 8 },
      minProperties: 1,
      maxProperties: 3,
    },
    values: [
      { card: 1, billing: 2 },
      { card: 1 },
      {},
      { n_a: 'x' },
      { a: 1, b: 2, c: 3, d: 4 },
      { longer_name: 1 },
    ],
  },
  {
    name: 'type and enum together, nested objects in arrays',
    schema: {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['a', 'b'] },
        lines: {
          type: 'array',
          items: {
            type: 'object',
            required: ['sku'],
            properties: { sku: { type: 'string', minLength: 1 }, qty: { type: 'integer' } },
          },
        },
      },
    },
    values: [
      { mode: 1, lines: [{ sku: '' }, { qty: 1.5 }, 'x'] },
      { mode: 'a', lines: [] },
    ],
  },
  {
    name: 'oneOf between object shapes, as rjsf renders a choice',
    schema: {
      type: 'object',
      properties: {
        condition: {
          oneOf: [
            {
              type: 'object',
              required: ['function'],
              properties: { function: { type: 'string' } },
            },
            {
              type: 'object',
              required: ['expression'],
              properties: { expression: { type: 'string' } },
            },
          ],
        },
      },
    },
    values: [
      { condition: { function: 'f' } },
      { condition: {} },
      { condition: { function: 'f', expression: 'e' } },
      { condition: { function: 1 } },
    ],
  },
  {
    name: 'nullable values and defaults from zod',
    schema: {
      type: 'object',
      properties: {
        note: { anyOf: [{ type: 'string', maxLength: 3 }, { type: 'null' }] },
        size: { type: 'number', default: 1, exclusiveMinimum: 0 },
      },
      additionalProperties: false,
    },
    values: [{ note: null, size: 2 }, { note: 'long', size: 0 }, { other: true }],
  },
]

describe('checkJsonSchema', () => {
  for (const { name, schema, values } of cases)
    it(`reports what ajv reports: ${name}`, () => {
      for (const value of values) {
        const expected = ajv.rawValidation(schema as RJSFSchema, value).errors ?? []
        expect(summary(checkJsonSchema(schema, value)), JSON.stringify(value)).toEqual(
          summary(expected),
        )
      }
    })

  it('reports what ajv reports on 400 drawn schemas and values', () => {
    // A seeded generator (mulberry32): the same draws on every run, so a failure reproduces.
    let seed = 20_261_126
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
    }
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
    const values: unknown[] = [
      0,
      1,
      2.5,
      -3,
      12,
      '',
      'ab',
      'abcdef',
      'A1',
      true,
      null,
      [],
      [1, 'a'],
      [2, 2],
      {},
      { a: 1 },
      { b: 'x', c: null },
    ]
    const keywordPool: [string, () => unknown][] = [
      [
        'type',
        () =>
          pick([
            'string',
            'number',
            'integer',
            'object',
            'array',
            'boolean',
            'null',
            ['string', 'null'],
          ]),
      ],
      ['minimum', () => pick([0, 1, 2])],
      ['exclusiveMaximum', () => pick([2, 10])],
      ['multipleOf', () => pick([2, 0.5])],
      ['minLength', () => pick([1, 3])],
      ['maxLength', () => pick([2, 5])],
      ['pattern', () => pick(['^[a-z]+$', '\\d'])],
      ['enum', () => [pick(values), pick(values)]],
      ['const', () => pick(values)],
      ['minItems', () => 1],
      ['uniqueItems', () => true],
      ['items', () => draw(1)],
      ['required', () => [pick(['a', 'b'])]],
      ['properties', () => ({ a: draw(1), b: draw(1) })],
      ['additionalProperties', () => pick([false, { type: 'string' }])],
      ['maxProperties', () => 1],
      ['anyOf', () => [draw(1), draw(1)]],
      ['oneOf', () => [draw(1), draw(1)]],
      ['allOf', () => [draw(1)]],
      ['not', () => draw(1)],
    ]
    function draw(depth: number): Record<string, unknown> {
      const schema: Record<string, unknown> = {}
      const count = 1 + Math.floor(random() * (depth === 0 ? 4 : 2))
      for (let index = 0; index < count; index += 1) {
        const [keyword, make] = pick(keywordPool)
        if (
          depth > 0 &&
          ['items', 'properties', 'anyOf', 'oneOf', 'allOf', 'not'].includes(keyword)
        )
          continue
        schema[keyword] = make()
      }
      return schema
    }
    for (let round = 0; round < 400; round += 1) {
      const schema = draw(0)
      const value = pick(values)
      const reference = ajv.rawValidation(schema as RJSFSchema, value)
      // A drawn schema ajv refuses (an enum with duplicates...) is not a case: the form's
      // schemas come from the designer and the registry, and are not checked against the
      // meta-schema.
      if (reference.validationError) continue
      const expected = reference.errors ?? []
      expect(summary(checkJsonSchema(schema, value)), JSON.stringify({ schema, value })).toEqual(
        summary(expected),
      )
    }
  })

  it('reports the pattern error the designer form shows for a bad node id', () => {
    const schema = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z]+$' } } }
    expect(checkJsonSchema(schema, { id: 'charge card!' })).toEqual([
      {
        instancePath: '/id',
        schemaPath: '#/properties/id/pattern',
        keyword: 'pattern',
        params: { pattern: '^[a-z]+$' },
        message: 'must match pattern "^[a-z]+$"',
        parentSchema: { type: 'string', pattern: '^[a-z]+$' },
      },
    ])
  })

  it('reads draft 2020-12 tuples (prefixItems, then items)', () => {
    const schema = {
      type: 'array',
      prefixItems: [{ type: 'string' }, { type: 'number' }],
      items: false,
    }
    expect(checkJsonSchema(schema, ['a', 1])).toEqual([])
    expect(summary(checkJsonSchema(schema, ['a', 'b', true]))).toEqual([
      ' items: must NOT have more than 2 items',
      '/1 type: must be number',
    ])
    const open = { type: 'array', prefixItems: [{ type: 'string' }], items: { type: 'number' } }
    expect(summary(checkJsonSchema(open, ['a', 1, 'b']))).toEqual(['/2 type: must be number'])
  })

  it('resolves references against the root schema it is given', () => {
    const root = { $defs: { name: { type: 'string' } } }
    expect(checkJsonSchema({ $ref: '#/$defs/name' }, 1, { rootSchema: root })).toHaveLength(1)
    expect(checkJsonSchema({ $ref: '#/$defs/name' }, 'a', { rootSchema: root })).toEqual([])
  })

  it('stops at the first error when asked', () => {
    const schema = { type: 'object', required: ['a', 'b', 'c'] }
    expect(checkJsonSchema(schema, {})).toHaveLength(3)
    expect(checkJsonSchema(schema, {}, { firstErrorOnly: true })).toHaveLength(1)
  })

  it('says where a reference it cannot resolve is', () => {
    expect(() =>
      checkJsonSchema({ properties: { a: { $ref: 'https://example.com/s.json' } } }, { a: 1 }),
    ).toThrow(
      /Expected a local \$ref \("#\/\.\.\."\), got "https:\/\/example\.com\/s\.json" at #\/properties\/a/,
    )
    expect(() => checkJsonSchema({ $ref: '#/$defs/missing' }, 1)).toThrow(/found none/)
  })

  it('refuses a reference loop instead of overflowing the stack', () => {
    expect(() =>
      checkJsonSchema({ $defs: { a: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' }, 1),
    ).toThrow(/the \$refs at .* loop/)
  })
})
