import { InvalidArgumentError, StructuredOutputError, ValidationError } from '@tessera/core'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createScriptedModel } from '../../scripted-model/create-scripted-model'
import { createTransformerAgent } from './create-transformer-agent'

const person = z.object({ first: z.string(), last: z.string(), country: z.string() })
const contact = z.object({
  id: z.string(),
  fullName: z.string(),
  countryCode: z.string().length(2),
})
const people = [
  { first: 'Ada', last: 'Lovelace', country: 'United Kingdom' },
  { first: 'Grace', last: 'Hopper', country: 'United States' },
  { first: 'Emmy', last: 'Noether', country: 'Germany' },
]
const records = (...items: unknown[]) => JSON.stringify({ records: items })

function crmAgent(model: ReturnType<typeof createScriptedModel>, batchSize = 20) {
  return createTransformerAgent({
    model,
    input: person,
    output: contact,
    batchSize,
    mapping: {
      id: (record) => `${record.last}-${record.first}`.toLowerCase(),
      countryCode: 'ISO 3166-1 alpha-2 code of the country',
    },
  })
}

describe('createTransformerAgent', () => {
  it('computes function mappings in code, asks the model for the rest, and validates each record', async () => {
    const model = createScriptedModel([
      records(
        { fullName: 'Ada Lovelace', countryCode: 'GB' },
        { fullName: 'Grace Hopper', countryCode: 'US' },
        { fullName: 'Emmy Noether', countryCode: 'DE' },
      ),
    ])
    const { output } = await crmAgent(model).generate(people)
    expect(output).toEqual([
      { id: 'lovelace-ada', fullName: 'Ada Lovelace', countryCode: 'GB' },
      { id: 'hopper-grace', fullName: 'Grace Hopper', countryCode: 'US' },
      { id: 'noether-emmy', fullName: 'Emmy Noether', countryCode: 'DE' },
    ])
    expectTypeOf(output).toEqualTypeOf<z.output<typeof contact>[]>()

    const request = model.calls[0]!
    // The computed field is not asked of the model.
    const schema = request.responseFormat!.schema as {
      properties: {
        records: { items: { properties: Record<string, unknown>; required: string[] } }
      }
    }
    expect(Object.keys(schema.properties.records.items.properties)).toEqual([
      'fullName',
      'countryCode',
    ])
    expect(request.messages[0]!.content).toContain(
      '- countryCode: ISO 3166-1 alpha-2 code of the country',
    )
    expect(request.messages[1]!.content).toBe(
      people.map((record, index) => `${index + 1}. ${JSON.stringify(record)}`).join('\n'),
    )
  })

  it('sends batches of batchSize, and redoes a batch record by record when the count is wrong', async () => {
    const model = createScriptedModel([
      records({ fullName: 'Ada Lovelace', countryCode: 'GB' }), // batch 1 of 2 records: one missing
      records({ fullName: 'Ada Lovelace', countryCode: 'GB' }),
      records({ fullName: 'Grace Hopper', countryCode: 'US' }),
      records({ fullName: 'Emmy Noether', countryCode: 'DE' }), // batch 2
    ])
    const { output } = await crmAgent(model, 2).generate(people)
    expect(output.map((record) => record.countryCode)).toEqual(['GB', 'US', 'DE'])
    expect(model.calls.map((call) => call.messages[1]!.content)).toEqual([
      `1. ${JSON.stringify(people[0])}\n2. ${JSON.stringify(people[1])}`,
      `1. ${JSON.stringify(people[0])}`,
      `1. ${JSON.stringify(people[1])}`,
      `1. ${JSON.stringify(people[2])}`,
    ])
  })

  it('repairs a record the output schema rejects; a record still wrong fails with StructuredOutputError', async () => {
    const model = createScriptedModel([
      records({ fullName: 'Ada Lovelace', countryCode: 'United Kingdom' }),
      records({ fullName: 'Ada Lovelace', countryCode: 'GB' }),
    ])
    const { output } = await crmAgent(model).generate(people.slice(0, 1))
    expect(output[0]!.countryCode).toBe('GB')
    expect(model.calls[1]!.messages.at(-1)!.content).toMatch(/at "records\.0\.countryCode"/)

    const empty = createScriptedModel([records(), records()])
    const error = await crmAgent(empty, 1)
      .generate(people.slice(0, 1))
      .catch((caught: unknown) => caught)
    expect(StructuredOutputError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/record 0 came back as 0 records/)
  })

  it('calls no model when every field is computed; a computed value the schema rejects is a ValidationError', async () => {
    const model = createScriptedModel([])
    const local = createTransformerAgent({
      model,
      input: person,
      output: z.object({ name: z.string(), initials: z.string().length(2) }),
      mapping: {
        name: (record) => `${record.first} ${record.last}`,
        initials: (record) =>
          record.first === 'Emmy' ? 'E' : `${record.first[0]}${record.last[0]}`,
      },
    })
    const { output } = await local.generate(people.slice(0, 2))
    expect(output).toEqual([
      { name: 'Ada Lovelace', initials: 'AL' },
      { name: 'Grace Hopper', initials: 'GH' },
    ])
    expect(model.calls).toHaveLength(0)
    const error = await local.generate(people).catch((caught: unknown) => caught)
    expect(ValidationError.isInstance(error)).toBe(true)
    expect((error as ValidationError).issues[0]!.path).toBe('2.initials')
  })

  it('validates the input records and the settings', async () => {
    const agent = crmAgent(createScriptedModel([]))
    const error = await agent
      .generate([{ first: 'Ada' }] as never)
      .catch((caught: unknown) => caught)
    expect(ValidationError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(
      /Agent "transformer" received invalid input at "0\.last"/,
    )

    const model = createScriptedModel([])
    const attempts: [() => unknown, RegExp][] = [
      [
        () => createTransformerAgent({ model, input: person, output: undefined as never }),
        /"output"/,
      ],
      [
        () =>
          createTransformerAgent({
            model,
            input: person,
            output: z.string(),
            mapping: { length: () => 1 } as never,
          }),
        /"output" must be a z\.object/,
      ],
      [
        () =>
          createTransformerAgent({
            model,
            input: person,
            output: contact,
            mapping: { nope: () => 1 } as never,
          }),
        /mapping\.nope/,
      ],
      [
        () => createTransformerAgent({ model, input: person, output: contact, batchSize: 0 }),
        /batchSize/,
      ],
      [
        () =>
          createTransformerAgent({
            model,
            input: person,
            output: contact,
            examples: [
              { input: people[0]!, output: { id: 'x', fullName: 'y', countryCode: 'GBR' } },
            ],
          }),
        /examples\[0\]\.output/,
      ],
    ]
    for (const [attempt, message] of attempts) {
      let caught: unknown
      try {
        attempt()
      } catch (caughtError) {
        caught = caughtError
      }
      expect(InvalidArgumentError.isInstance(caught)).toBe(true)
      expect((caught as Error).message).toMatch(message)
    }
  })
})
