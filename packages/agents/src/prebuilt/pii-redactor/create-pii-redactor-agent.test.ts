import {
  createEngine,
  createMemoryStore,
  createWorkflow,
  InvalidArgumentError,
  StructuredOutputError,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { agentStep } from '../../agent/agent-step'
import { defineAgent } from '../../agent/define-agent'
import { agentAsTool } from '../../multi-agent/agent-as-tool'
import { createScriptedModel } from '../../scripted-model/create-scripted-model'
import { createPiiRedactorAgent } from './create-pii-redactor-agent'

const secrets = {
  email: 'ada.lovelace@example.co.uk',
  phone: '+44 20 7946 0958',
  card: '4111 1111 1111 1111',
  iban: 'DE89 3704 0044 0532 0130 00',
  key: 'sk-proj-4f9aQ2x7LmN3pR8sT1uV',
  nationalId: 'AB 12 34 56 C',
}
const letter =
  `Dear support, I am Ada Lovelace (${secrets.email}, ${secrets.phone}). ` +
  `Please refund card ${secrets.card} to IBAN ${secrets.iban}. NI number ${secrets.nationalId}. ` +
  `Ship to 12 St James's Square, London SW1Y 4JH. Our key is ${secrets.key}. Thanks, Ada Lovelace`

const findings = (...items: { type: string; text: string }[]) => JSON.stringify({ findings: items })

describe('createPiiRedactorAgent without a model', () => {
  it('masks what the patterns find and calls no model', async () => {
    const redactor = createPiiRedactorAgent()
    expect(redactor.model.provider).toBe('none')
    const { output, steps } = await redactor.generate(letter)
    expect(steps).toEqual([])
    expect(output.text).toBe(
      'Dear support, I am Ada Lovelace ([EMAIL], [PHONE]). Please refund card [CREDIT_CARD] to IBAN [IBAN]. ' +
        "NI number [NATIONAL_ID]. Ship to 12 St James's Square, London SW1Y 4JH. Our key is [SECRET]. Thanks, Ada Lovelace",
    )
    expect(
      output.findings.map((finding) => [
        finding.type,
        letter.slice(finding.start, finding.end),
        finding.source,
      ]),
    ).toEqual([
      ['email', secrets.email, 'detector'],
      ['phone', secrets.phone, 'detector'],
      ['credit-card', secrets.card, 'detector'],
      ['iban', secrets.iban, 'detector'],
      ['national-id', secrets.nationalId, 'detector'],
      ['secret', secrets.key, 'detector'],
    ])
  })

  it('masks with asterisks or a function, and only the types asked for', async () => {
    const stars = await createPiiRedactorAgent({ mask: 'asterisks', types: ['email'] }).generate(
      `mail ${secrets.email} or call ${secrets.phone}`,
    )
    expect(stars.output.text).toBe(
      `mail ${'*'.repeat(secrets.email.length)} or call ${secrets.phone}`,
    )
    const custom = await createPiiRedactorAgent({
      mask: (finding) => `<${finding.type}>`,
    }).generate(`call ${secrets.phone}`)
    expect(custom.output.text).toBe('call <phone>')
  })
})

describe('createPiiRedactorAgent with a model', () => {
  it('sends the model only text the detector already masked, and masks every occurrence it answers', async () => {
    const model = createScriptedModel([
      findings(
        { type: 'name', text: 'Ada Lovelace' },
        { type: 'address', text: "12 St James's Square, London SW1Y 4JH" },
      ),
    ])
    const { output } = await createPiiRedactorAgent({ model }).generate(letter)

    // No value the detector found reached the model, in any message.
    const sent = JSON.stringify(model.calls)
    for (const value of Object.values(secrets)) expect(sent).not.toContain(value)
    const request = model.calls[0]!
    expect(request.messages[1]!.content).toBe(
      'Dear support, I am Ada Lovelace ([EMAIL], [PHONE]). Please refund card [CREDIT_CARD] to IBAN [IBAN]. ' +
        "NI number [NATIONAL_ID]. Ship to 12 St James's Square, London SW1Y 4JH. Our key is [SECRET]. Thanks, Ada Lovelace",
    )
    const schema = request.responseFormat!.schema as {
      properties: { findings: { items: { properties: { type: { enum: string[] } } } } }
    }
    expect(schema.properties.findings.items.properties.type.enum).toEqual([
      'name',
      'address',
      'date-of-birth',
    ])

    expect(output.text).toBe(
      'Dear support, I am [NAME] ([EMAIL], [PHONE]). Please refund card [CREDIT_CARD] to IBAN [IBAN]. ' +
        'NI number [NATIONAL_ID]. Ship to [ADDRESS]. Our key is [SECRET]. Thanks, [NAME]',
    )
    const byModel = output.findings.filter((finding) => finding.source === 'model')
    expect(
      byModel.map((finding) => [finding.type, letter.slice(finding.start, finding.end)]),
    ).toEqual([
      ['name', 'Ada Lovelace'],
      ['address', "12 St James's Square, London SW1Y 4JH"],
      ['name', 'Ada Lovelace'],
    ])
  })

  it('ignores answers that are not in the text, tags, and matches inside longer words; splits spans around tags', async () => {
    const model = createScriptedModel([
      findings(
        { type: 'name', text: 'Grace Hopper' },
        { type: 'name', text: '[EMAIL]' },
        { type: 'name', text: 'Ann' },
        { type: 'name', text: `Ann Smith [EMAIL]` },
      ),
    ])
    const input = `Annual report by Ann Smith ${secrets.email}`
    const { output } = await createPiiRedactorAgent({ model, modelTypes: ['name'] }).generate(input)
    expect(output.text).toBe('Annual report by [NAME] [EMAIL]')
    expect(
      output.findings.map((finding) => [finding.type, input.slice(finding.start, finding.end)]),
    ).toEqual([
      ['name', 'Ann Smith'],
      ['email', secrets.email],
    ])
  })

  it('repairs a type outside modelTypes, then fails with StructuredOutputError', async () => {
    const wrong = findings({ type: 'ssn', text: 'x' })
    const model = createScriptedModel([wrong, findings()])
    const { output } = await createPiiRedactorAgent({ model }).generate('Nothing personal here.')
    expect(output).toEqual({ text: 'Nothing personal here.', findings: [] })
    expect(model.calls[1]!.messages.at(-1)!.content).toMatch(/findings\.0\.type/)

    const stubborn = createScriptedModel([wrong, wrong, wrong])
    const error = await createPiiRedactorAgent({ model: stubborn })
      .generate('Nothing personal here.')
      .catch((caught: unknown) => caught)
    expect(StructuredOutputError.isInstance(error)).toBe(true)
  })

  it('refuses unknown types and masks', () => {
    const model = createScriptedModel([])
    for (const [settings, argument] of [
      [{ types: ['name'] }, 'types'],
      [{ model, modelTypes: ['email'] }, 'modelTypes'],
      [{ mask: 'hash' }, 'mask'],
    ] as const) {
      let caught: unknown
      try {
        createPiiRedactorAgent(settings as never)
      } catch (error) {
        caught = error
      }
      expect(InvalidArgumentError.isInstance(caught)).toBe(true)
      expect((caught as InvalidArgumentError).argument).toBe(argument)
    }
  })
})

describe('createPiiRedactorAgent as a sub-agent', () => {
  it('through agentAsTool inside an agent step, its own code runs: its model never receives detected PII', async () => {
    const redactorModel = createScriptedModel([
      findings(
        { type: 'name', text: 'Ada Lovelace' },
        { type: 'address', text: "12 St James's Square, London SW1Y 4JH" },
      ),
    ])
    const intakeModel = createScriptedModel([
      {
        content: [
          { type: 'tool-call', toolCallId: 'r1', toolName: 'redact', input: { input: letter } },
        ],
      },
      // The step fails once after the redaction, and is retried: the redaction is replayed.
      new Error('the intake model is down'),
      'Filed the redacted ticket.',
    ])
    const intake = defineAgent({
      id: 'intake',
      instructions: 'Redact the ticket, then file it.',
      model: intakeModel,
      tools: { redact: agentAsTool(createPiiRedactorAgent({ model: redactorModel })) },
    })
    const engine = createEngine({ store: createMemoryStore() })
    const workflow = createWorkflow({ id: 'tickets', input: z.string() })
      .then(agentStep(intake, { retry: { attempts: 2, backoff: { type: 'fixed', initial: 1 } } }))
      .commit()
    try {
      const run = await engine.start(workflow, 'File the ticket you receive.')
      expect(await run.result()).toBe('Filed the redacted ticket.')
      expect((await run.steps()).map((step) => step.key).sort()).toEqual([
        'intake',
        'intake~d:agent:r1:find:model:1',
        'intake~d:model:1',
        'intake~d:model:2',
      ])
    } finally {
      await engine.close()
    }

    // One call of the redactor's model, replayed on the retry; no detected value in it.
    expect(intakeModel.calls).toHaveLength(3)
    expect(redactorModel.calls).toHaveLength(1)
    const sent = JSON.stringify(redactorModel.calls)
    for (const value of Object.values(secrets)) expect(sent).not.toContain(value)
    expect(redactorModel.calls[0]!.messages[1]!.content).toContain('([EMAIL], [PHONE])')
    // The intake model gets the masked text back as the tool's result.
    const toolMessage = intakeModel.calls
      .at(-1)!
      .messages.find((message) => message.role === 'tool')
    expect(toolMessage!.content).toMatchObject([
      {
        toolCallId: 'r1',
        output: {
          text:
            'Dear support, I am [NAME] ([EMAIL], [PHONE]). Please refund card [CREDIT_CARD] to IBAN [IBAN]. ' +
            'NI number [NATIONAL_ID]. Ship to [ADDRESS]. Our key is [SECRET]. Thanks, [NAME]',
        },
      },
    ])
  })
})
