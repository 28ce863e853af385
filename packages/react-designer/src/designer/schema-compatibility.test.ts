import { describe, expect, it } from 'vitest'
import { schemaMismatch } from './schema-compatibility'

const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
})

describe('schemaMismatch', () => {
  it('accepts matching, wider and unknown schemas', () => {
    expect(schemaMismatch({ type: 'integer' }, { type: 'number' })).toBeUndefined()
    expect(schemaMismatch({ type: 'string' }, {})).toBeUndefined()
    expect(schemaMismatch(undefined, { type: 'string' })).toBeUndefined()
    expect(
      schemaMismatch(
        object({ id: { type: 'string' }, total: { type: 'number' } }),
        object({ id: { type: 'string' } }),
      ),
    ).toBeUndefined()
  })

  it('names the type or the missing property that does not fit, with its path', () => {
    expect(schemaMismatch({ type: 'string' }, { type: 'object' })).toBe(
      'expected object, got string',
    )
    expect(
      schemaMismatch(object({ sent: { type: 'boolean' } }), object({ id: { type: 'string' } })),
    ).toBe('expected a property "id", which the output lacks')
    expect(
      schemaMismatch(
        object({ order: object({ id: { type: 'number' } }) }),
        object({ order: object({ id: { type: 'string' } }) }),
      ),
    ).toBe('expected string, got number at .order.id')
  })
})
