import { InvalidArgumentError, StructuredOutputError, toJsonSchema } from '@tessera/core'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createScriptedModel } from '../../scripted-model/create-scripted-model'
import { createExtractorAgent } from './create-extractor-agent'

const invoice = z.object({
  invoiceNumber: z.string(),
  total: z.number().describe('Amount due, in the invoice currency'),
  currency: z.string().describe('ISO 4217 code'),
  dueDate: z.string().nullable().describe('YYYY-MM-DD, or null when not stated'),
})

const text = 'Invoice INV-7 from Acme. Total due: €1,250.00 by 1 March 2025.'

describe('createExtractorAgent', () => {
  it('asks for the schema as structured output and returns the validated value', async () => {
    const model = createScriptedModel([
      JSON.stringify({
        invoiceNumber: 'INV-7',
        total: 1250,
        currency: 'EUR',
        dueDate: '2025-03-01',
      }),
    ])
    const agent = createExtractorAgent({
      model,
      schema: invoice,
      instructions: 'Amounts use a dot as the decimal separator.',
    })
    const { output } = await agent.generate(text)
    expect(output).toEqual({
      invoiceNumber: 'INV-7',
      total: 1250,
      currency: 'EUR',
      dueDate: '2025-03-01',
    })
    expectTypeOf(output).toEqualTypeOf<z.output<typeof invoice>>()

    const request = model.calls[0]!
    const { $schema: _dialect, ...expected } = toJsonSchema(invoice)
    expect(request.responseFormat).toEqual({ type: 'json', schema: expected, name: 'extractor' })
    const system = request.messages[0]!.content as string
    expect(system).toContain('Never guess or invent a value')
    expect(system).toContain('Amounts use a dot as the decimal separator.')
    expect(request.messages[1]).toEqual({ role: 'user', content: text })
  })

  it('puts checked examples in the instructions and refuses examples the schema rejects', async () => {
    const model = createScriptedModel([
      JSON.stringify({ invoiceNumber: 'INV-7', total: 1250, currency: 'EUR', dueDate: null }),
    ])
    const example = {
      text: 'Bill B-1, 20 USD',
      output: { invoiceNumber: 'B-1', total: 20, currency: 'USD', dueDate: null },
    }
    await createExtractorAgent({ model, schema: invoice, examples: [example] }).generate(text)
    expect(model.calls[0]!.messages[0]!.content).toContain(
      'Text:\nBill B-1, 20 USD\nOutput:\n{"invoiceNumber":"B-1","total":20,"currency":"USD","dueDate":null}',
    )

    let caught: unknown
    try {
      createExtractorAgent({
        model,
        schema: invoice,
        examples: [{ text: 'x', output: { ...example.output, total: '20' as never } }],
      })
    } catch (error) {
      caught = error
    }
    expect(InvalidArgumentError.isInstance(caught)).toBe(true)
    expect((caught as Error).message).toMatch(/examples\[0\]\.output.*"total"/)
  })

  it('repairs an invalid answer, and fails with StructuredOutputError when repairs run out', async () => {
    const model = createScriptedModel([
      'Sure! The invoice number is INV-7.',
      JSON.stringify({ invoiceNumber: 'INV-7', total: '1,250', currency: 'EUR', dueDate: null }),
      JSON.stringify({ invoiceNumber: 'INV-7', total: 1250, currency: 'EUR', dueDate: null }),
    ])
    const { output } = await createExtractorAgent({ model, schema: invoice }).generate(text)
    expect(output.total).toBe(1250)
    expect(model.calls).toHaveLength(3)
    expect(model.calls[1]!.messages.at(-1)!.content).toMatch(/not valid JSON/)
    expect(model.calls[2]!.messages.at(-1)!.content).toMatch(/at "total"/)

    const stubborn = createScriptedModel(['no', 'still no'])
    const error = await createExtractorAgent({
      model: stubborn,
      schema: invoice,
      repairAttempts: 1,
    })
      .generate(text)
      .catch((caught: unknown) => caught)
    expect(StructuredOutputError.isInstance(error)).toBe(true)
    expect((error as StructuredOutputError).attempts).toBe(2)
    expect((error as StructuredOutputError).text).toBe('still no')
  })

  it('refuses a missing schema', () => {
    const model = createScriptedModel([])
    expect(() => createExtractorAgent({ model, schema: undefined as never })).toThrow(
      /"schema" must be a zod schema/,
    )
  })
})
