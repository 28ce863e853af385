import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noopLogger } from '@tessera/core'
import { actionRunner, connectorFailure, type ActionCallOptions } from '../../test/action-kit'
import { startFakeSendgrid, type FakeSendgrid } from '../../test/fakes/sendgrid-server'
import { createSendgridConnector, sendgridConnector } from './create-sendgrid-connector'
import type { ResolvedSendgridConfig } from './sendgrid-connector-config'
import { freePort } from '../../test/free-port'

const apiKey = 'SG.test-key.5f2b9c'
let sendgrid: FakeSendgrid
let config: ResolvedSendgridConfig

beforeAll(async () => {
  sendgrid = await startFakeSendgrid({
    keys: { [apiKey]: ['mail.send', 'user.profile.read'], 'SG.read-only.1': ['user.profile.read'] },
  })
  config = { apiKey, from: 'Shop <shop@example.com>', baseUrl: sendgrid.url }
})
afterAll(() => sendgrid.close())

const sendEmail = sendgridConnector.actions['send-email']
const run = actionRunner(
  sendgridConnector,
  () => config,
  () => 'run-1:send-email',
)
const send = (input: unknown, options?: ActionCallOptions) => run('send-email', input, options)

describe('SendGrid connector: send-email', () => {
  it('posts v3 mail/send with the API key and the idempotency key as a custom arg', async () => {
    const output = await send({
      to: ['Ada <ada@example.com>'],
      cc: 'audit@example.com',
      subject: 'Welcome',
      text: 'Hello, Ada!',
      html: '<p>Hello, Ada!</p>',
      categories: ['onboarding'],
      customArgs: { customer: '42' },
      headers: { 'X-Campaign': 'welcome' },
      attachments: [{ filename: 'terms.txt', content: 'VGVybXM=', type: 'text/plain' }],
    })
    expect(output).toEqual({ statusCode: 202, messageId: expect.stringMatching(/^msg-\d+-sg$/) })
    const request = sendgrid.requests.at(-1)!
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`)
    expect(request.body).toMatchObject({
      from: { email: 'shop@example.com', name: 'Shop' },
      subject: 'Welcome',
      personalizations: [
        { to: [{ email: 'ada@example.com', name: 'Ada' }], cc: [{ email: 'audit@example.com' }] },
      ],
      content: [
        { type: 'text/plain', value: 'Hello, Ada!' },
        { type: 'text/html', value: '<p>Hello, Ada!</p>' },
      ],
      categories: ['onboarding'],
      custom_args: { customer: '42', tessera_idempotency_key: 'run-1:send-email' },
      headers: { 'X-Campaign': 'welcome' },
      attachments: [
        {
          filename: 'terms.txt',
          content: 'VGVybXM=',
          type: 'text/plain',
          disposition: 'attachment',
        },
      ],
    })
  })

  it('sends a dynamic template, and in sandbox mode gets 200', async () => {
    const output = await send(
      {
        to: 'ada@example.com',
        templateId: 'd-0123456789abcdef0123456789abcdef',
        dynamicTemplateData: { name: 'Ada' },
      },
      { config: { ...config, sandboxMode: true } },
    )
    expect(output.statusCode).toBe(200)
    expect(sendgrid.requests.at(-1)?.body).toMatchObject({
      template_id: 'd-0123456789abcdef0123456789abcdef',
      personalizations: [{ dynamic_template_data: { name: 'Ada' } }],
      mail_settings: { sandbox_mode: { enable: true } },
    })
  })

  it('refuses a mail header that would reach the HTTP request (Authorization)', () => {
    const parsed = sendEmail.input.safeParse({
      to: 'a@example.com',
      subject: 's',
      text: 't',
      headers: { Authorization: 'Bearer other' },
    })
    expect(parsed.success).toBe(false)
  })

  it('maps 400 with SendGrid errors to invalid-request naming the field', async () => {
    const error = await connectorFailure(
      send({ to: 'a@example.com', from: 'x@unverified.example', subject: 's', text: 't' }),
    )
    expect(error).toMatchObject({ reason: 'invalid-request', status: 400, retryable: false })
    expect(error.message).toContain(
      'from: The from address does not match a verified Sender Identity',
    )
  })

  it('maps 401 to unauthorized and 403 (no mail.send) too, without the key in the error', async () => {
    const wrong = 'SG.wrong-key.0000'
    const error = await connectorFailure(
      send(
        { to: 'a@example.com', subject: 's', text: 't' },
        { config: { ...config, apiKey: wrong } },
      ),
    )
    expect(error).toMatchObject({ reason: 'unauthorized', status: 401 })
    expect(JSON.stringify(error.toJSON())).not.toContain(wrong)
    const forbidden = await connectorFailure(
      send(
        { to: 'a@example.com', subject: 's', text: 't' },
        { config: { ...config, apiKey: 'SG.read-only.1' } },
      ),
    )
    expect(forbidden).toMatchObject({ reason: 'unauthorized', status: 403 })
  })

  it('maps 429 to rate-limited with Retry-After, and 500 to a retryable remote error', async () => {
    const limited = await connectorFailure(
      send({ to: 'a@ratelimit.example', subject: 's', text: 't' }),
    )
    expect(limited).toMatchObject({ reason: 'rate-limited', status: 429, retryAfterMs: 12_000 })
    const broken = await connectorFailure(send({ to: 'a@fail.example', subject: 's', text: 't' }))
    expect(broken).toMatchObject({ reason: 'remote', status: 500, retryable: true })
  })

  it('aborts a pending request: the connection is closed', async () => {
    const controller = new AbortController()
    const closed = sendgrid.hangingClosed()
    const before = sendgrid.requests.length
    const pending = send(
      { to: 'hang@example.com', subject: 's', text: 't' },
      { signal: controller.signal },
    )
    await expect.poll(() => sendgrid.requests.length).toBe(before + 1)
    controller.abort(new Error('run cancelled'))
    expect((await connectorFailure(pending)).reason).toBe('aborted')
    await closed
  })

  it('maps an unreachable host to network', async () => {
    const port = await freePort()
    const error = await connectorFailure(
      send(
        { to: 'a@example.com', subject: 's', text: 't' },
        { config: { ...config, baseUrl: `http://127.0.0.1:${port}` } },
      ),
    )
    expect(error).toMatchObject({ reason: 'network', retryable: true })
  })

  it('takes the API key only as a secret reference', () => {
    expect(sendgridConnector.config.safeParse({ apiKey: 'SG.x', from: 'a@b.c' }).success).toBe(
      false,
    )
    expect(
      sendgridConnector.config.safeParse({ apiKey: { $secret: 'SENDGRID_API_KEY' }, from: 'a@b.c' })
        .success,
    ).toBe(true)
  })
})

describe('SendGrid connector: check', () => {
  it('reads the scopes: passes with mail.send, unauthorized without it or with a bad key', async () => {
    const connector = createSendgridConnector({ id: 'mail' })
    const context = { signal: new AbortController().signal, logger: noopLogger }
    await connector.check!({ config, ...context })
    expect(sendgrid.requests.at(-1)).toMatchObject({ method: 'GET', url: '/v3/scopes' })
    const readOnly = await connectorFailure(
      connector.check!({ config: { ...config, apiKey: 'SG.read-only.1' }, ...context }),
    )
    expect(readOnly).toMatchObject({ connector: 'mail', action: 'check', reason: 'unauthorized' })
    expect(readOnly.message).toContain('mail.send')
    const bad = await connectorFailure(
      connector.check!({ config: { ...config, apiKey: 'SG.nope' }, ...context }),
    )
    expect(bad).toMatchObject({ reason: 'unauthorized', status: 401 })
  })
})
