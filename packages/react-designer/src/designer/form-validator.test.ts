import { customizeValidator } from '@rjsf/validator-ajv8'
import type { RJSFSchema } from '@rjsf/utils'
import { toJSONSchema, z } from 'zod'
import { describe, expect, it } from 'vitest'
import type { DefinitionNode } from '@tessera/core/definition'
import { describedRegistry, orderReview } from '../../test/designer-fixtures'
import { findNode } from './definition-edits'
import { createFormValidator } from './form-validator'
import { nodeFormData, nodeFormSchema } from './node-form-schema'

// The reference is @rjsf/validator-ajv8, the validator rjsf documents (it compiles code, so the
// designer no longer ships it): what the form shows must not change.
const ajv = customizeValidator()
const validator = createFormValidator()
const registry = describedRegistry()
const shown = (result: { errors: { property?: string; message?: string; stack: string }[] }) =>
  result.errors
    .map((error) => `${error.property ?? ''} | ${error.message ?? ''} | ${error.stack}`)
    .sort()

const stepNode: DefinitionNode = { type: 'step', id: 'notify', step: 'notify' }
const foreach = findNode(orderReview.definition, 'each-line')!.node

describe('createFormValidator', () => {
  const forms: { name: string; schema: RJSFSchema; data: Record<string, unknown>[] }[] = [
    {
      name: 'a step node',
      schema: nodeFormSchema(stepNode, registry) as RJSFSchema,
      data: [
        nodeFormData(stepNode),
        { id: 'charge card!', step: 'notify' },
        { step: 'nope', timeoutMs: 0 },
        { id: 'a', step: 'notify', retry: { attempts: 0, type: 'linear', factor: 0.5 } },
      ],
    },
    {
      name: 'a foreach node',
      schema: nodeFormSchema(foreach, registry) as RJSFSchema,
      data: [nodeFormData(foreach), { id: 'each-line', concurrency: 0 }, { id: '' }],
    },
    {
      name: 'a component configuration from zod',
      schema: toJSONSchema(
        z.object({
          url: z.url(),
          method: z.enum(['GET', 'POST']),
          headers: z.record(z.string(), z.string()).optional(),
          retries: z.int().min(0).max(5).default(2),
          body: z.union([z.string(), z.object({ json: z.unknown() })]).optional(),
        }),
        { target: 'draft-7' },
      ) as RJSFSchema,
      data: [
        { url: 'https://example.com', method: 'GET', retries: 1 },
        { url: 'nope', method: 'PUT', retries: 9, headers: { a: 1 }, body: 3 },
        {},
      ],
    },
  ]

  for (const { name, schema, data } of forms)
    it(`shows what @rjsf/validator-ajv8 shows for ${name}`, () => {
      for (const formData of data) {
        const expected = ajv.validateFormData(formData, schema)
        const actual = validator.validateFormData(formData, schema)
        expect(shown(actual), JSON.stringify(formData)).toEqual(shown(expected))
        expect(actual.errorSchema).toEqual(expected.errorSchema)
      }
    })

  it('puts a pattern error on the field, named by its title', () => {
    const schema = nodeFormSchema(stepNode, registry) as RJSFSchema
    const result = validator.validateFormData({ id: 'charge card!', step: 'notify' }, schema)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatchObject({
      name: 'pattern',
      property: '.id',
      stack: '\'Node id\' must match pattern "^[A-Za-z0-9][A-Za-z0-9_.:/-]*$"',
    })
    expect(result.errorSchema.id?.__errors).toEqual([
      'must match pattern "^[A-Za-z0-9][A-Za-z0-9_.:/-]*$"',
    ])
  })

  it('answers isValid against the root schema, as rjsf asks for oneOf / anyOf options', () => {
    const root: RJSFSchema = { $defs: { positive: { type: 'integer', minimum: 1 } } }
    expect(validator.isValid({ $ref: '#/$defs/positive' }, 2 as never, root)).toBe(true)
    expect(validator.isValid({ $ref: '#/$defs/positive' }, 0 as never, root)).toBe(false)
    expect(validator.isValid({ $ref: '#/$defs/missing' }, 0 as never, root)).toBe(false)
  })

  it('reports a schema it cannot read as a form error instead of throwing', () => {
    const result = validator.validateFormData({ a: 1 }, {
      properties: { a: { $ref: 'https://example.com/a.json' } },
    } as RJSFSchema)
    expect(result.errors.map((error) => error.stack)).toEqual([
      expect.stringMatching(/Expected a local \$ref/),
    ])
    expect(result.errorSchema.$schema?.__errors).toHaveLength(1)
  })

  it('runs transformErrors and customValidate as rjsf documents', () => {
    const schema: RJSFSchema = {
      type: 'object',
      properties: { a: { type: 'string', minLength: 2 }, b: { type: 'string' } },
    }
    const validate = (using: typeof validator) =>
      using.validateFormData(
        { a: 'x', b: 'y' },
        schema,
        (data, errors) => {
          if (data?.b !== 'z') errors.b?.addError('b must be z')
          return errors
        },
        (errors) => errors.map((error) => ({ ...error, message: `custom: ${error.message}` })),
      )
    const result = validate(validator)
    expect(result.errorSchema).toMatchObject({
      a: { __errors: ['custom: must NOT have fewer than 2 characters'] },
      b: { __errors: ['b must be z'] },
    })
    expect(result.errorSchema).toEqual(validate(ajv).errorSchema)
  })
})
