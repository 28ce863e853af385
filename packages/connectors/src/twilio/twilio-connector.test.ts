import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noopLogger } from '@tessera/core'
import { actionRunner, connectorFailure, type ActionCallOptions } from '../../test/action-kit'
import { startFakeTwilio, type FakeTwilio } from '../../test/fakes/twilio-server'
import { createTwilioConnector, twilioConnector } from './create-twilio-connector'
import type { ResolvedTwilioConfig } from './twilio-connector-config'
import { freePort } from '../../test/free-port'

const accountSid = 'AC0123456789abcdef0123456789abcdef'
const authToken = 'twilio-token-8c1d'
let twilio: FakeTwilio
let config: ResolvedTwilioConfig

beforeAll(async () => {
  twilio = await startFakeTwilio({ accountSid, authToken })
  config = { accountSid, authToken, from: '+15005550006', baseUrl: twilio.url }
})
afterAll(() => twilio.close())

const run = actionRunner(
  twilioConnector,
  () => config,
  () => 'run-1:send-sms',
)
const send = (input: unknown, options?: ActionCallOptions) => run('send-sms', input, options)

describe('Twilio connector: send-sms', () => {
  it('creates a Message through the SDK with Basic auth and form fields', async () => {
    const output = await send({
      to: '+15558675310',
      body: 'Your order has shipped.',
      statusCallback: 'https://example.com/twilio/status',
    })
    expect(output).toEqual({
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      status: 'queued',
      to: '+15558675310',
      from: '+15005550006',
      segments: 1,
    })
    const request = twilio.requests.at(-1)!
    expect(request).toMatchObject({
      method: 'POST',
      path: `/2010-04-01/Accounts/${accountSid}/Messages.json`,
      form: {
        To: ['+15558675310'],
        From: ['+15005550006'],
        Body: ['Your order has shipped.'],
        StatusCallback: ['https://example.com/twilio/status'],
      },
    })
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(request.headers['user-agent']).toMatch(/^twilio-node\//)
  })

  it('sends through a Messaging Service when "from" is an MG SID, with media URLs repeated', async () => {
    const service = 'MG0123456789abcdef0123456789abcdef'
    const output = await send(
      {
        to: '+15558675310',
        body: 'Photo',
        mediaUrl: ['https://example.com/a.png', 'https://example.com/b.png'],
      },
      { config: { ...config, from: service } },
    )
    expect(output).toMatchObject({ status: 'accepted', from: null })
    expect(twilio.requests.at(-1)?.form).toMatchObject({
      MessagingServiceSid: [service],
      MediaUrl: ['https://example.com/a.png', 'https://example.com/b.png'],
    })
    expect(twilio.requests.at(-1)?.form.From).toBeUndefined()
  })

  it('maps 21211 (invalid To) to invalid-request with the Twilio code as status', async () => {
    const error = await connectorFailure(send({ to: '+15005550001', body: 'x' }))
    expect(error).toMatchObject({ reason: 'invalid-request', status: 21211, retryable: false })
    expect(error.message).toContain('is not a valid phone number')
  })

  it('maps 20003 to unauthorized without the auth token in the error', async () => {
    const wrong = 'wrong-token-4444'
    const error = await connectorFailure(
      send({ to: '+15558675310', body: 'x' }, { config: { ...config, authToken: wrong } }),
    )
    expect(error).toMatchObject({ reason: 'unauthorized', status: 20003 })
    expect(JSON.stringify(error.toJSON())).not.toContain(wrong)
    expect(error.message).not.toContain(wrong)
  })

  it('maps 429 to rate-limited with Retry-After, and 500 to a retryable remote error', async () => {
    const limited = await connectorFailure(send({ to: '+15005559429', body: 'x' }))
    expect(limited).toMatchObject({
      reason: 'rate-limited',
      status: 20429,
      retryAfterMs: 3000,
      retryable: true,
    })
    const broken = await connectorFailure(send({ to: '+15005559500', body: 'x' }))
    expect(broken).toMatchObject({ reason: 'remote', status: 20500, retryable: true })
  })

  it('aborts a pending request: the connection is closed', async () => {
    const controller = new AbortController()
    const closed = twilio.hangingClosed()
    const before = twilio.requests.length
    const pending = send({ to: '+15005559999', body: 'x' }, { signal: controller.signal })
    await expect.poll(() => twilio.requests.length).toBe(before + 1)
    controller.abort(new Error('run cancelled'))
    expect((await connectorFailure(pending)).reason).toBe('aborted')
    await closed
  })

  it('maps an unreachable host to network', async () => {
    const port = await freePort()
    const error = await connectorFailure(
      send(
        { to: '+15558675310', body: 'x' },
        { config: { ...config, baseUrl: `http://127.0.0.1:${port}` } },
      ),
    )
    expect(error).toMatchObject({ reason: 'network', retryable: true })
  })

  it('takes the auth token only as a secret reference, and checks the SID shape', () => {
    const stored = { accountSid, authToken: { $secret: 'TWILIO_AUTH_TOKEN' }, from: '+15005550006' }
    expect(twilioConnector.config.safeParse(stored).success).toBe(true)
    expect(twilioConnector.config.safeParse({ ...stored, authToken: 'x' }).success).toBe(false)
    expect(twilioConnector.config.safeParse({ ...stored, accountSid: 'SK123' }).success).toBe(false)
  })
})

describe('Twilio connector: check', () => {
  it('fetches the account: passes with the right token, unauthorized with a wrong one', async () => {
    const connector = createTwilioConnector({ id: 'sms' })
    const context = { signal: new AbortController().signal, logger: noopLogger }
    await connector.check!({ config, ...context })
    expect(twilio.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: `/2010-04-01/Accounts/${accountSid}.json`,
    })
    const error = await connectorFailure(
      connector.check!({ config: { ...config, authToken: 'nope' }, ...context }),
    )
    expect(error).toMatchObject({ connector: 'sms', action: 'check', reason: 'unauthorized' })
  })
})
