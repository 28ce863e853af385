import { toJsonSchema, UnsupportedSchemaError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { toGrammarSchema } from './to-grammar-schema'

const anyValue = {
  oneOf: [
    { type: ['string', 'number', 'boolean', 'null'] },
    { type: 'object', additionalProperties: true },
    { type: 'array' },
  ],
}

function failure(schema: unknown, where?: string): UnsupportedSchemaError {
  try {
    toGrammarSchema(schema, 'llama-cpp', where)
  } catch (error) {
    if (UnsupportedSchemaError.isInstance(error)) return error
    throw error
  }
  throw new Error(`expected ${JSON.stringify(schema)} to be unsupported`)
}

describe('toGrammarSchema', () => {
  it('translates what zod writes for objects, arrays, unions, enums, literals and nullables', () => {
    const schema = z.object({
      name: z.string().min(1).max(20),
      age: z.number().int(),
      score: z.number(),
      admin: z.boolean(),
      mood: z.enum(['happy', 'sad']),
      version: z.literal(2),
      nickname: z.string().nullable(),
      tags: z.array(z.string()).max(3),
      pair: z.tuple([z.string(), z.number()]),
      scores: z.record(z.string(), z.number()),
      born: z.iso.date(),
      kind: z.union([z.object({ cat: z.boolean() }), z.object({ dog: z.boolean() })]),
    })
    expect(toGrammarSchema(toJsonSchema(schema), 'llama-cpp')).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 20 },
        age: { type: 'integer' },
        score: { type: 'number' },
        admin: { type: 'boolean' },
        mood: { enum: ['happy', 'sad'] },
        version: { const: 2 },
        nickname: { oneOf: [{ type: 'string' }, { type: 'null' }] },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 3 },
        pair: {
          type: 'array',
          prefixItems: [{ type: 'string' }, { type: 'number' }],
          minItems: 2,
          maxItems: 2,
        },
        scores: { type: 'object', additionalProperties: { type: 'number' } },
        born: { type: 'string', format: 'date' },
        kind: {
          oneOf: [
            { type: 'object', properties: { cat: { type: 'boolean' } }, required: ['cat'] },
            { type: 'object', properties: { dog: { type: 'boolean' } }, required: ['dog'] },
          ],
        },
      },
      required: [
        'name',
        'age',
        'score',
        'admin',
        'mood',
        'version',
        'nickname',
        'tags',
        'pair',
        'scores',
        'born',
        'kind',
      ],
    })
  })

  it('keeps references: $defs, definitions, and "#" for recursive schemas', () => {
    const leaf = z.object({ value: z.number() }).meta({ id: 'Leaf' })
    expect(toGrammarSchema(toJsonSchema(z.object({ a: leaf, b: leaf })), 'llama-cpp')).toEqual({
      type: 'object',
      properties: { a: { $ref: '#/$defs/Leaf' }, b: { $ref: '#/$defs/Leaf' } },
      required: ['a', 'b'],
      $defs: {
        Leaf: { type: 'object', properties: { value: { type: 'number' } }, required: ['value'] },
      },
    })
    expect(
      toGrammarSchema(
        {
          type: 'array',
          items: { $ref: '#/definitions/Item' },
          definitions: { Item: { type: 'null' } },
        },
        'llama-cpp',
      ),
    ).toEqual({ type: 'array', items: { $ref: '#/$defs/Item' }, $defs: { Item: { type: 'null' } } })

    const node: z.ZodType = z.object({
      name: z.string(),
      get children() {
        return z.array(node)
      },
    })
    expect(toGrammarSchema(toJsonSchema(node), 'llama-cpp')).toEqual({
      $ref: '#/$defs/TesseraRoot',
      $defs: {
        TesseraRoot: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/$defs/TesseraRoot' } },
          },
          required: ['name', 'children'],
        },
      },
    })
  })

  it('reads several types, missing types and boolean schemas', () => {
    expect(toGrammarSchema({ type: ['string', 'null'], maxLength: 4 }, 'llama-cpp')).toEqual({
      oneOf: [{ type: 'string', maxLength: 4 }, { type: 'null' }],
    })
    expect(toGrammarSchema({}, 'llama-cpp')).toEqual(anyValue)
    expect(toGrammarSchema(true, 'llama-cpp')).toEqual(anyValue)
    expect(toGrammarSchema({ properties: { a: { type: 'null' } } }, 'llama-cpp')).toEqual({
      type: 'object',
      properties: { a: { type: 'null' } },
    })
    expect(
      toGrammarSchema({ allOf: [{ type: 'boolean' }], description: 'flag' }, 'llama-cpp'),
    ).toEqual({
      type: 'boolean',
    })
  })

  it('accepts zod’s safe-integer bounds, which need no enforcing', () => {
    expect(toGrammarSchema(toJsonSchema(z.number().int()), 'llama-cpp')).toEqual({
      type: 'integer',
    })
  })

  it('rejects what a grammar cannot enforce, with the JSON pointer of the subschema', () => {
    const cases: [unknown, string, string][] = [
      [toJsonSchema(z.object({ code: z.string().regex(/^a/) })), '/properties/code', 'pattern'],
      [toJsonSchema(z.object({ n: z.number().min(1) })), '/properties/n', 'minimum'],
      [toJsonSchema(z.object({ mail: z.email() })), '/properties/mail', 'pattern'],
      [{ type: 'string', format: 'uri' }, '/format', 'uri'],
      [{ not: { type: 'null' } }, '', 'not'],
      [{ allOf: [{ type: 'object' }, { type: 'object' }] }, '/allOf', 'allOf'],
      [{ type: 'array', items: { type: 'number', multipleOf: 2 } }, '/items', 'multipleOf'],
      [{ type: 'array', uniqueItems: true }, '', 'uniqueItems'],
      [{ const: { a: 1 } }, '/const', 'const'],
      [{ enum: [[1]] }, '/enum/0', 'values'],
      [{ type: 'object', propertyNames: { maxLength: 3 } }, '/propertyNames', 'property names'],
      [{ $ref: 'https://example.com/schema' }, '/$ref', 'https://example.com/schema'],
      [{ properties: { 'a/b': false } }, '/properties/a~1b', 'false'],
      [{ type: 'date' }, '/type', 'date'],
      [{ $defs: { D: { pattern: 'x' } }, $ref: '#/$defs/D' }, '/$defs/D', 'pattern'],
    ]
    for (const [schema, path, mention] of cases) {
      const error = failure(schema)
      expect(error.path, JSON.stringify(schema)).toBe(path)
      expect(error.message).toContain(mention)
      expect(error.provider).toBe('llama-cpp')
    }
  })

  it('says where the schema came from', () => {
    const error = failure({ type: 'string', pattern: 'x' }, 'tool "lookup" input schema')
    expect(error.message).toContain('tool "lookup" input schema')
    expect(error.reason).toContain('pattern')
  })
})
