import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noopLogger } from '@tessera/core'
import { actionRunner, connectorFailure, type ActionCallOptions } from '../../test/action-kit'
import { startSmtpTestServer, type SmtpTestServer } from '../../test/fakes/smtp-test-server'
import { createSmtpConnector, smtpConnector } from './create-smtp-connector'
import { messageIdFor } from './smtp-send-email'
import { closeSmtpTransports } from './smtp-transports'
import type { ResolvedSmtpConfig } from './smtp-transports'
import { freePort } from '../../test/free-port'

const login = { user: 'tessera-app', pass: 'pw-7f3a-smtp-secret' }
let smtp: SmtpTestServer
let config: ResolvedSmtpConfig

beforeAll(async () => {
  smtp = await startSmtpTestServer(login)
  config = {
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    auth: login,
    from: 'Tessera <noreply@example.com>',
    timeoutMs: 10_000,
  }
})
afterAll(async () => {
  await closeSmtpTransports()
  await smtp.close()
})

const sendEmail = smtpConnector.actions['send-email']
const run = actionRunner(
  smtpConnector,
  () => config,
  () => 'run-1:send-email',
)
const send = (input: unknown, options?: ActionCallOptions) => run('send-email', input, options)

describe('SMTP connector: send-email', () => {
  it('sends a complete message that a real SMTP server receives and mailparser reads back', async () => {
    const output = await send(
      {
        to: ['Ada <ada@example.com>', 'bob@example.com'],
        cc: 'audit@example.com',
        bcc: 'archive@example.com',
        replyTo: 'support@example.com',
        subject: 'Your invoice Nº 42',
        text: 'Thank you for your order.',
        html: '<p>Thank you for your <b>order</b>.</p>',
        headers: { 'X-Campaign': 'invoices' },
        attachments: [
          {
            filename: 'invoice.txt',
            content: Buffer.from('Invoice 42: 10 EUR').toString('base64'),
            contentType: 'text/plain',
          },
        ],
      },
      { key: 'run-7:send-invoice' },
    )
    expect(output).toEqual({
      messageId: '<run-7%3Asend-invoice@tessera>',
      accepted: ['ada@example.com', 'bob@example.com', 'audit@example.com', 'archive@example.com'],
      rejected: [],
      response: expect.stringContaining('250'),
    })
    const mail = smtp.mails.at(-1)!
    expect(mail.user).toBe(login.user)
    expect(mail.envelope).toEqual({
      from: 'noreply@example.com',
      to: ['ada@example.com', 'bob@example.com', 'audit@example.com', 'archive@example.com'],
    })
    const parsed = mail.parsed
    expect(parsed.messageId).toBe('<run-7%3Asend-invoice@tessera>')
    expect(parsed.subject).toBe('Your invoice Nº 42')
    expect(parsed.from?.value).toEqual([{ name: 'Tessera', address: 'noreply@example.com' }])
    expect(parsed.replyTo?.text).toBe('support@example.com')
    expect(parsed.text?.trim()).toBe('Thank you for your order.')
    expect(parsed.html).toContain('<b>order</b>')
    expect(parsed.headers.get('x-campaign')).toBe('invoices')
    expect(parsed.headers.has('bcc')).toBe(false)
    expect(
      parsed.attachments.map((a) => [a.filename, a.contentType, a.content.toString()]),
    ).toEqual([['invoice.txt', 'text/plain', 'Invoice 42: 10 EUR']])
  })

  it('reports refused recipients, and fails with invalid-request when all are refused', async () => {
    const partly = await send({
      to: ['ok@example.com', 'nobody@reject.example'],
      subject: 's',
      text: 't',
    })
    expect(partly).toMatchObject({
      accepted: ['ok@example.com'],
      rejected: ['nobody@reject.example'],
    })
    const error = await connectorFailure(
      send({ to: 'nobody@reject.example', subject: 's', text: 't' }),
    )
    expect(error).toMatchObject({ reason: 'invalid-request', status: 550, retryable: false })
  })

  it('maps a deferred recipient (451) to a retryable remote error', async () => {
    const error = await connectorFailure(
      send({ to: 'busy@defer.example', subject: 's', text: 't' }),
    )
    expect(error).toMatchObject({ reason: 'remote', status: 451, retryable: true })
  })

  it('maps a rejected password to unauthorized without the password in the error', async () => {
    const wrong = 'pw-wrong-0000'
    const error = await connectorFailure(
      send(
        { to: 'ok@example.com', subject: 's', text: 't' },
        { config: { ...config, auth: { user: login.user, pass: wrong } } },
      ),
    )
    expect(error).toMatchObject({ reason: 'unauthorized', status: 535 })
    expect(JSON.stringify(error.toJSON())).not.toContain(wrong)
    expect(error.message).not.toContain(wrong)
  })

  it('maps a refused connection to network', async () => {
    const port = await freePort()
    const error = await connectorFailure(
      send({ to: 'ok@example.com', subject: 's', text: 't' }, { config: { ...config, port } }),
    )
    expect(error).toMatchObject({ reason: 'network', retryable: true })
  })

  it('aborts a send in flight: the connection to the server is closed', async () => {
    const controller = new AbortController()
    const closed = smtp.hangingClosed()
    const reached = smtp.hangingData()
    const pending = send(
      { to: 'hang@example.com', subject: 'never answered', text: 't' },
      { signal: controller.signal },
    )
    // The server is reading the message and will never answer it.
    await reached
    controller.abort(new Error('run cancelled'))
    const error = await connectorFailure(pending)
    expect(error.reason).toBe('aborted')
    await closed
    // The pool goes on working after an aborted delivery.
    expect(await send({ to: 'ok@example.com', subject: 'after', text: 't' })).toMatchObject({
      accepted: ['ok@example.com'],
    })
  })

  it('refuses a message without a body, and a header value with a line break', () => {
    expect(sendEmail.input.safeParse({ to: 'a@example.com', subject: 's' }).success).toBe(false)
    expect(
      sendEmail.input.safeParse({
        to: 'a@example.com',
        subject: 's',
        text: 't',
        headers: { 'X-A': 'x\r\nBcc: victim@example.com' },
      }).success,
    ).toBe(false)
  })

  it('takes the password only as a secret reference', () => {
    const stored = { host: 'h', from: 'a@example.com', auth: { user: 'u', pass: 'plain' } }
    expect(smtpConnector.config.safeParse(stored).success).toBe(false)
    expect(
      smtpConnector.config.safeParse({ ...stored, auth: { user: 'u', pass: { $secret: 'P' } } })
        .success,
    ).toBe(true)
  })
})

describe('SMTP connector: check and Message-ID', () => {
  it('check logs in: passes with the right password, unauthorized with a wrong one', async () => {
    const connector = createSmtpConnector({ id: 'mail' })
    const context = { signal: new AbortController().signal, logger: noopLogger }
    await connector.check!({ config, ...context })
    const error = await connectorFailure(
      connector.check!({ config: { ...config, auth: { user: 'x', pass: 'y' } }, ...context }),
    )
    expect(error).toMatchObject({ connector: 'mail', action: 'check', reason: 'unauthorized' })
  })

  it('makes a valid, stable Message-ID from any key', () => {
    expect(messageIdFor('run-1:send')).toBe('<run-1%3Asend@tessera>')
    expect(messageIdFor('a b.c@d<é>', 'example.com')).toBe(
      '<a%20b%2Ec%40d%3C%C3%A9%3E@example.com>',
    )
  })
})

describe('SMTP connector: closing the transports', () => {
  it('a send queued when the pool closes fails with a retryable network error', async () => {
    const single = { ...config, maxConnections: 1 }
    const controller = new AbortController()
    const reached = smtp.hangingData()
    // The only connection is busy with a message the server never answers...
    const held = send(
      { to: 'hang@example.com', subject: 'held', text: 't' },
      { config: single, signal: controller.signal },
    )
    await reached
    // ...so this one waits in the pool's queue when the pool is closed.
    const queued = send({ to: 'ok@example.com', subject: 'queued', text: 't' }, { config: single })
    await closeSmtpTransports()
    const error = await connectorFailure(queued)
    expect(error).toMatchObject({ reason: 'network', retryable: true })
    controller.abort()
    expect((await connectorFailure(held)).reason).toBe('aborted')
  })
})
