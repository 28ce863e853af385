import { InvalidArgumentError, StructuredOutputError, ValidationError } from '@tessera/core'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { createScriptedModel } from '../../scripted-model/create-scripted-model'
import { createMessageDrafterAgent } from './create-message-drafter-agent'
import { MissingPlaceholderError } from './missing-placeholder-error'

const templates = {
  delayed: {
    subject: 'Order {{orderId}} is delayed',
    body: 'Your order {{orderId}} will now arrive on {{date}}.',
  },
} as const

const values = { orderId: 'A-17', date: '3 June' }

describe('createMessageDrafterAgent: email', () => {
  it('fills the template in code, asks for the tone, and appends the signature', async () => {
    const model = createScriptedModel([
      JSON.stringify({
        subject: 'Order A-17 is delayed',
        body: 'Dear Ada,\n\nWe are sorry: your order A-17 will now arrive on 3 June.\n\nKind regards,',
      }),
    ])
    const drafter = createMessageDrafterAgent({
      model,
      channel: 'email',
      tone: 'empathetic',
      templates,
      signature: 'Acme Support',
    })
    const { output } = await drafter.generate({ template: 'delayed', values, recipient: 'Ada' })
    expect(output).toEqual({
      subject: 'Order A-17 is delayed',
      body: 'Dear Ada,\n\nWe are sorry: your order A-17 will now arrive on 3 June.\n\nKind regards,\n\nAcme Support',
      placeholdersFilled: ['orderId', 'date'],
    })
    expectTypeOf(output.subject).toEqualTypeOf<string>()

    const request = model.calls[0]!
    const system = request.messages[0]!.content as string
    expect(system).toContain("Tone: Empathetic: acknowledge the reader's situation")
    expect(system).toContain('a subject line of under 80 characters')
    expect(system).toContain('do not sign')
    expect(request.messages[1]!.content).toBe(
      'Recipient: Ada\n\nValues:\n- orderId: A-17\n- date: 3 June\n\n' +
        'Template (filled in; keep its content):\nSubject: Order A-17 is delayed\n\nYour order A-17 will now arrive on 3 June.',
    )
    const schema = request.responseFormat!.schema as { required: string[] }
    expect(schema.required).toEqual(['subject', 'body'])
  })

  it('a missing placeholder fails with MissingPlaceholderError before any model call', async () => {
    const model = createScriptedModel([])
    const drafter = createMessageDrafterAgent({
      model,
      channel: 'email',
      tone: 'formal',
      templates,
    })
    const error = await drafter
      .generate({ template: 'delayed', values: { date: '3 June' } })
      .catch((caught: unknown) => caught)
    expect(MissingPlaceholderError.isInstance(error)).toBe(true)
    expect((error as MissingPlaceholderError).placeholders).toEqual(['orderId'])
    expect((error as Error).message).toMatch(/Template "delayed" needs a value for \{\{orderId\}\}/)
    expect(model.calls).toHaveLength(0)
  })

  it('sends a draft that changed a filled value back once, then fails with StructuredOutputError', async () => {
    const changed = JSON.stringify({
      subject: 'Your order is delayed',
      body: 'It arrives on June 3rd.',
    })
    const model = createScriptedModel([
      changed,
      JSON.stringify({ subject: 'Order A-17 is delayed', body: 'Order A-17 arrives on 3 June.' }),
    ])
    const drafter = createMessageDrafterAgent({
      model,
      channel: 'email',
      tone: 'concise',
      templates,
    })
    const { output } = await drafter.generate({ template: 'delayed', values })
    expect(output.body).toBe('Order A-17 arrives on 3 June.')
    const repair = model.calls[1]!.messages[1]!.content as string
    expect(repair).toContain('left out or changed these values')
    expect(repair).toContain('- orderId: A-17\n- date: 3 June')

    const stubborn = createScriptedModel([changed, changed])
    const error = await createMessageDrafterAgent({
      model: stubborn,
      channel: 'email',
      tone: 'concise',
      templates,
    })
      .generate({ template: 'delayed', values })
      .catch((caught: unknown) => caught)
    expect(StructuredOutputError.isInstance(error)).toBe(true)
    expect((error as StructuredOutputError).issues.map((issue) => issue.expected)).toEqual([
      'the text "A-17"',
      'the text "3 June"',
    ])
  })

  it('as-is templates are the message: no model call', async () => {
    const model = createScriptedModel([])
    const drafter = createMessageDrafterAgent({
      model,
      channel: 'email',
      tone: 'formal',
      templates,
      templateMode: 'as-is',
      signature: 'Acme',
    })
    const { output } = await drafter.generate({ template: 'delayed', values })
    expect(output).toEqual({
      subject: 'Order A-17 is delayed',
      body: 'Your order A-17 will now arrive on 3 June.\n\nAcme',
      placeholdersFilled: ['orderId', 'date'],
    })
    expect(model.calls).toHaveLength(0)
  })

  it('validates the request: a brief or a known template', async () => {
    const drafter = createMessageDrafterAgent({
      model: createScriptedModel([]),
      channel: 'email',
      tone: 'formal',
      templates,
    })
    for (const request of [{}, { template: 'unknown' }]) {
      const error = await drafter.generate(request as never).catch((caught: unknown) => caught)
      expect(ValidationError.isInstance(error)).toBe(true)
    }
  })
})

describe('createMessageDrafterAgent: Slack', () => {
  it('drafts from a brief and converts the answer to Slack mrkdwn', async () => {
    const model = createScriptedModel([
      JSON.stringify({
        body: '**Deploy done** for <@U42>\n- API v2 is live\n- see [notes](https://x.io/n)',
      }),
    ])
    const drafter = createMessageDrafterAgent({ model, channel: 'slack', tone: 'friendly' })
    const { output } = await drafter.generate({
      brief: 'Tell the team v2 is deployed',
      recipient: '#eng',
    })
    expect(output).toEqual({
      body: '*Deploy done* for <@U42>\n• API v2 is live\n• see <https://x.io/n|notes>',
      placeholdersFilled: [],
    })
    expect(output).not.toHaveProperty('subject')
    const request = model.calls[0]!
    expect(request.messages[0]!.content).toContain('Slack mrkdwn')
    expect(request.messages[1]!.content).toBe(
      'Brief:\nTell the team v2 is deployed\n\nRecipient: #eng',
    )
    expect((request.responseFormat!.schema as { required: string[] }).required).toEqual(['body'])
  })

  it('refuses bad settings', () => {
    const model = createScriptedModel([])
    const attempts: [unknown, RegExp][] = [
      [{ model, channel: 'sms', tone: 'formal' }, /"channel"/],
      [{ model, channel: 'slack', tone: '' }, /"tone"/],
      [{ model, channel: 'slack', tone: 'formal', templates: { a: 7 } }, /templates\.a/],
      [
        {
          model,
          channel: 'email',
          tone: 'formal',
          templates: { a: 'no subject' },
          templateMode: 'as-is',
        },
        /templates\.a\.subject/,
      ],
    ]
    for (const [settings, message] of attempts) {
      let caught: unknown
      try {
        createMessageDrafterAgent(settings as never)
      } catch (error) {
        caught = error
      }
      expect(InvalidArgumentError.isInstance(caught)).toBe(true)
      expect((caught as Error).message).toMatch(message)
    }
  })
})
