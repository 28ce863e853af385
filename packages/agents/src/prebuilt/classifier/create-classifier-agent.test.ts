import { InvalidArgumentError, StructuredOutputError } from '@tessera/core'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createScriptedModel } from '../../scripted-model/create-scripted-model'
import { createClassifierAgent } from './create-classifier-agent'

const labels = {
  billing: 'Invoices, refunds, double charges',
  shipping: 'Delivery, parcels, tracking',
} as const

const systemOf = (model: ReturnType<typeof createScriptedModel>, call = 0) =>
  model.calls[call]!.messages[0]!.content as string

describe('createClassifierAgent', () => {
  it('sends the labels as an enum and their descriptions, and returns the parsed answer', async () => {
    const model = createScriptedModel([
      JSON.stringify({ label: 'billing', confidence: 0.93, reasons: ['"charged twice"'] }),
    ])
    const agent = createClassifierAgent({
      model,
      labels,
      instructions: 'Refund requests are billing.',
    })
    const { output } = await agent.generate('I was charged twice for order 7')
    expect(output).toEqual({ label: 'billing', confidence: 0.93, reasons: ['"charged twice"'] })
    expectTypeOf(output.label).toEqualTypeOf<'billing' | 'shipping'>()

    const request = model.calls[0]!
    const schema = request.responseFormat!.schema as {
      properties: Record<string, Record<string, unknown>>
      required: string[]
    }
    expect(schema.properties.label!.enum).toEqual(['billing', 'shipping'])
    expect(schema.required).toEqual(['label', 'confidence', 'reasons'])
    // Numeric bounds stay out of the JSON Schema (not every provider can enforce them).
    expect(schema.properties.confidence).not.toHaveProperty('maximum')
    const system = systemOf(model)
    expect(system).toContain('- "billing": Invoices, refunds, double charges')
    expect(system).toContain('exactly one label')
    expect(system).toContain('Refund requests are billing.')
    expect(request.messages[1]).toEqual({
      role: 'user',
      content: 'I was charged twice for order 7',
    })
  })

  it('sends an answer outside the labels back for repair, then fails with StructuredOutputError', async () => {
    const invented = JSON.stringify({ label: 'refunds', confidence: 0.9, reasons: ['refund'] })
    const model = createScriptedModel([
      invented,
      JSON.stringify({ label: 'shipping', confidence: 1.7, reasons: ['late'] }),
      JSON.stringify({ label: 'shipping', confidence: 0.7, reasons: ['late parcel'] }),
    ])
    const agent = createClassifierAgent({ model, labels })
    const { output } = await agent.generate('Where is my parcel?')
    expect(output).toEqual({ label: 'shipping', confidence: 0.7, reasons: ['late parcel'] })
    const repair = model.calls[1]!.messages.at(-1)!.content as string
    expect(repair).toMatch(/at "label"/)
    const secondRepair = model.calls[2]!.messages.at(-1)!.content as string
    expect(secondRepair).toContain('confidence must be a number from 0 to 1')

    const stubborn = createScriptedModel([invented, invented, invented])
    const error = await createClassifierAgent({ model: stubborn, labels })
      .generate('Where is my parcel?')
      .catch((caught: unknown) => caught)
    expect(StructuredOutputError.isInstance(error)).toBe(true)
    expect((error as StructuredOutputError).attempts).toBe(3)
    expect((error as StructuredOutputError).issues[0]!.path).toBe('label')
  })

  it('with allowUnknown, offers "unknown"; multi-label answers a list without repeats', async () => {
    const single = createScriptedModel([
      JSON.stringify({ label: 'unknown', confidence: 0.4, reasons: ['about the weather'] }),
    ])
    const unknownAgent = createClassifierAgent({ model: single, labels, allowUnknown: true })
    const { output } = await unknownAgent.generate('Nice weather today')
    expect(output.label).toBe('unknown')
    expectTypeOf(output.label).toEqualTypeOf<'billing' | 'shipping' | 'unknown'>()
    expect(systemOf(single)).toContain('answer "unknown"')

    const multi = createScriptedModel([
      JSON.stringify({ labels: ['billing', 'billing'], confidence: 0.8, reasons: ['x'] }),
      JSON.stringify({ labels: ['billing', 'shipping'], confidence: 0.8, reasons: ['both'] }),
    ])
    const multiAgent = createClassifierAgent({
      model: multi,
      labels: [
        { name: 'billing', description: 'Money' },
        { name: 'shipping', description: 'Parcels' },
      ],
      multiLabel: true,
    })
    const answer = await multiAgent.generate('Refund the late parcel')
    expect(answer.output.labels).toEqual(['billing', 'shipping'])
    expectTypeOf(answer.output.labels).toEqualTypeOf<('billing' | 'shipping')[]>()
    expect(model(multi, 1)).toContain('each label may appear only once')
    const schema = multi.calls[0]!.responseFormat!.schema as {
      properties: { labels: { items: { enum: string[] }; minItems: number } }
    }
    expect(schema.properties.labels.items.enum).toEqual(['billing', 'shipping'])
    expect(schema.properties.labels.minItems).toBe(1)
  })

  it('takes object inputs and examples, shown as JSON', async () => {
    const model = createScriptedModel([
      JSON.stringify({ label: 'shipping', confidence: 0.9, reasons: ['tracking'] }),
    ])
    const agent = createClassifierAgent({
      model,
      labels,
      input: z.object({ subject: z.string(), body: z.string() }),
      examples: [{ input: { subject: 'Refund', body: 'Please refund me' }, label: 'billing' }],
    })
    await agent.generate({ subject: 'Tracking', body: 'No update since Monday' })
    expect(systemOf(model)).toContain('"subject": "Refund"')
    expect(systemOf(model)).toContain('Answer: "billing"')
    expect(JSON.parse(model.calls[0]!.messages[1]!.content as string)).toEqual({
      subject: 'Tracking',
      body: 'No update since Monday',
    })
  })

  it('refuses bad settings with InvalidArgumentError naming the argument', () => {
    const model = createScriptedModel([])
    const cases: [unknown, RegExp][] = [
      [{ model, labels: {} }, /"labels" must be at least one choice/],
      [{ model, labels: [{ name: 'a', description: '' }] }, /labels\[0\]\.description/],
      [
        {
          model,
          labels: [
            { name: 'a', description: 'A' },
            { name: 'a', description: 'B' },
          ],
        },
        /labels\[1\]\.name/,
      ],
      [{ model, labels, examples: [{ input: 'x', label: 'returns' }] }, /examples\[0\]\.label/],
    ]
    for (const [settings, message] of cases) {
      let caught: unknown
      try {
        createClassifierAgent(settings as never)
      } catch (error) {
        caught = error
      }
      expect(InvalidArgumentError.isInstance(caught)).toBe(true)
      expect((caught as Error).message).toMatch(message)
    }
  })
})

function model(scripted: ReturnType<typeof createScriptedModel>, call: number): string {
  return scripted.calls[call]!.messages.at(-1)!.content as string
}
