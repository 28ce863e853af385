import { describe, expect, it } from 'vitest'
import { schemaCompatibility } from './schema-compatibility'

const summary = (output: Record<string, unknown>, input: Record<string, unknown>) =>
  schemaCompatibility(output, input).map(
    (conflict) => `${conflict.severity} ${conflict.code}: ${conflict.message}`,
  )

describe('schemaCompatibility', () => {
  it('fits equal and wider types; an integer is a number', () => {
    expect(summary({ type: 'integer' }, { type: 'number' })).toEqual([])
    expect(summary({ type: 'string' }, { type: ['string', 'null'] })).toEqual([])
    expect(summary({ const: 'a' }, { type: 'string' })).toEqual([])
    expect(summary({ enum: [1, 2] }, { type: 'integer' })).toEqual([])
  })

  it('errs on types with nothing in common, warns on types that only partly fit', () => {
    expect(summary({ type: 'string' }, { type: 'object' })).toEqual([
      'error type_mismatch: expected object, got string',
    ])
    expect(summary({ type: 'number' }, { type: 'integer' })).toEqual([
      'error type_mismatch: expected integer, got number',
    ])
    expect(summary({ anyOf: [{ type: 'string' }, { type: 'null' }] }, { type: 'string' })).toEqual([
      'warning type_mismatch: expected string, may get null',
    ])
  })

  it('checks the properties an object input requires, by how sure the output is', () => {
    const input = {
      type: 'object',
      properties: { id: { type: 'string' }, count: { type: 'number' } },
      required: ['id', 'count'],
    }
    expect(
      summary(
        {
          type: 'object',
          properties: { id: { type: 'number' } },
          required: ['id'],
          additionalProperties: false,
        },
        input,
      ),
    ).toEqual([
      'error type_mismatch: expected string, got number at id',
      'error missing_input: the input needs "count", which the previous output never has',
    ])
    expect(
      summary({ type: 'object', properties: { id: { type: 'string' }, count: {} } }, input),
    ).toEqual([
      'warning missing_input: the input needs "id", which is optional in the previous output',
      'warning missing_input: the input needs "count", which is optional in the previous output',
    ])
    expect(summary({ type: 'object', properties: { id: { type: 'string' } } }, input)).toEqual([
      'warning missing_input: the input needs "id", which is optional in the previous output',
      'warning missing_input: the input needs "count", which the previous output does not declare',
    ])
  })

  it('compares nested objects and array items with their path', () => {
    const output = {
      type: 'object',
      properties: { lines: { type: 'array', items: { type: 'string' } } },
      required: ['lines'],
      additionalProperties: false,
    }
    const input = {
      type: 'object',
      properties: { lines: { type: 'array', items: { type: 'object' } } },
      required: ['lines'],
    }
    expect(summary(output, input)).toEqual([
      'error type_mismatch: expected object, got string at lines[]',
    ])
  })

  it('takes what it cannot read as fitting', () => {
    expect(summary({}, { type: 'object', required: ['id'] })).toEqual([])
    expect(summary({ $ref: '#/$defs/order' }, { type: 'string' })).toEqual([])
    expect(summary({ allOf: [{ type: 'string' }] }, { type: 'number' })).toEqual([])
    expect(summary({ type: 'object' }, { type: 'object', required: ['id'] })).toEqual([])
  })
})
