import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { UnsupportedSchemaError, toJsonSchema } from '@tessera/core'
import { toStrictJsonSchema } from './to-strict-json-schema'

const strict = (schema: Record<string, unknown>) =>
  toStrictJsonSchema(schema, { provider: 'openai' })
function failure(schema: Record<string, unknown>): UnsupportedSchemaError {
  try {
    strict(schema)
  } catch (error) {
    if (UnsupportedSchemaError.isInstance(error)) return error
    throw error
  }
  throw new Error('Expected an UnsupportedSchemaError')
}

describe('toStrictJsonSchema', () => {
  it('closes objects, requires every property and makes the optional ones nullable', () => {
    const schema = toJsonSchema(
      z.object({
        name: z.string(),
        nickname: z.string().optional(),
        kind: z.enum(['a', 'b']).optional(),
        maybe: z.string().nullable().optional(),
        tag: z.literal('x').optional(),
      }),
    )
    expect(strict(schema).schema).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string' },
        nickname: { type: ['string', 'null'] },
        kind: { type: ['string', 'null'], enum: ['a', 'b', null] },
        maybe: { type: ['string', 'null'] },
        tag: { anyOf: [{ type: 'string', const: 'x' }, { type: 'null' }] },
      },
      required: ['name', 'nickname', 'kind', 'maybe', 'tag'],
      additionalProperties: false,
    })
  })

  it('restores answers: removes the added nulls, keeps nulls the original allowed, keeps the value when nothing changed', () => {
    const { restore } = strict(
      toJsonSchema(
        z.object({
          nickname: z.string().optional(),
          maybe: z.string().nullable().optional(),
          items: z.array(z.object({ id: z.number(), note: z.string().optional() })),
        }),
      ),
    )
    expect(
      restore({
        nickname: null,
        maybe: null,
        items: [
          { id: 1, note: null },
          { id: 2, note: 'n' },
        ],
      }),
    ).toEqual({
      maybe: null,
      items: [{ id: 1 }, { id: 2, note: 'n' }],
    })
    const untouched = { nickname: 'x', maybe: null, items: [{ id: 1, note: 'a' }] }
    expect(restore(untouched)).toBe(untouched)
  })

  it('turns oneOf into anyOf and restores through the branch that fits', () => {
    const { schema, restore } = strict({
      type: 'object',
      properties: {
        shape: toJsonSchema(
          z.discriminatedUnion('kind', [
            z.object({ kind: z.literal('circle'), radius: z.number().optional() }),
            z.object({ kind: z.literal('square'), side: z.number() }),
          ]),
        ),
      },
      required: ['shape'],
    })
    const shape = (schema.properties as any).shape
    expect(shape.oneOf).toBeUndefined()
    expect(shape.anyOf).toHaveLength(2)
    expect(restore({ shape: { kind: 'circle', radius: null } })).toEqual({
      shape: { kind: 'circle' },
    })
  })

  it('follows recursive and $defs references', () => {
    const Node: z.ZodType<{ name: string; note?: string; children?: unknown[] }> = z.object({
      name: z.string(),
      note: z.string().optional(),
      children: z.array(z.lazy(() => Node)).optional(),
    })
    const { schema, restore } = strict(toJsonSchema(Node))
    expect((schema.properties as any).children).toEqual({
      type: ['array', 'null'],
      items: { $ref: '#' },
    })
    expect(
      restore({ name: 'a', note: null, children: [{ name: 'b', note: null, children: null }] }),
    ).toEqual({ name: 'a', children: [{ name: 'b' }] })

    const withDefs = strict({
      type: 'object',
      properties: { home: { $ref: '#/$defs/place' } },
      required: ['home'],
      $defs: { place: { type: 'object', properties: { city: { type: 'string' } } } },
    })
    expect(withDefs.schema.$defs).toEqual({
      place: {
        type: 'object',
        properties: { city: { type: ['string', 'null'] } },
        required: ['city'],
        additionalProperties: false,
      },
    })
    expect(withDefs.restore({ home: { city: null } })).toEqual({ home: {} })
  })

  it('drops annotations and moves length constraints into the description', () => {
    const { schema } = strict({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        code: { type: 'string', minLength: 2, maxLength: 3, default: 'NO', description: 'Country' },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, examples: [['a']] },
      },
      required: ['code', 'tags'],
    })
    expect(schema).toEqual({
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Country (minLength: 2, maxLength: 3)' },
        tags: { type: 'array', items: { type: 'string' }, description: '(uniqueItems: true)' },
      },
      required: ['code', 'tags'],
      additionalProperties: false,
    })
  })

  it('names the path of what strict mode cannot express', () => {
    expect(failure(toJsonSchema(z.object({ scores: z.record(z.string(), z.number()) }))).path).toBe(
      '/properties/scores/additionalProperties',
    )
    const date = failure(toJsonSchema(z.object({ at: z.date() })))
    expect(date.path).toBe('/properties/at')
    expect(date.message).toContain('accepts any value')
    expect(
      failure(toJsonSchema(z.object({ pair: z.tuple([z.string(), z.number()]) }))).path,
    ).toMatch(/^\/properties\/pair\//)
    expect(
      failure({ type: 'object', properties: { a: { allOf: [{ type: 'string' }] } } }),
    ).toMatchObject({
      path: '/properties/a/allOf',
      provider: 'openai',
    })
    expect(failure({ type: 'string' }).message).toContain('the root must be an object schema')
    expect(failure({ anyOf: [{ type: 'object' }] }).message).toContain('the root must be an object')
    expect(
      failure({ type: 'object', properties: { r: { $ref: 'https://example.com/s.json' } } }).path,
    ).toBe('/properties/r/$ref')
  })
})
