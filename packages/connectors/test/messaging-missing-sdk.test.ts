import { describe, expect, it, vi } from 'vitest'
import { ConnectorError, noopLogger } from '@tessera/core'
import { slackConnector } from '../src/slack'
import { smtpConnector } from '../src/smtp'
import { sendgridConnector } from '../src/sendgrid'
import { twilioConnector } from '../src/twilio'

// The SDKs are optional peers: when one is not installed, the first action fails with
// invalid-config and says which package to install. Each import below fails the way Node's
// does for a package that is not there.
const { missing } = vi.hoisted(() => ({
  missing: (name: string) => () => {
    throw Object.assign(new Error(`Cannot find package '${name}'`), {
      code: 'ERR_MODULE_NOT_FOUND',
    })
  },
}))
vi.mock('@slack/web-api', missing('@slack/web-api'))
vi.mock('nodemailer', missing('nodemailer'))
vi.mock('@sendgrid/mail', missing('@sendgrid/mail'))
vi.mock('twilio', missing('twilio'))

const context = {
  signal: new AbortController().signal,
  idempotencyKey: 'run-1:step',
  logger: noopLogger,
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(ConnectorError.isInstance(error), String(error)).toBe(true)
  return error as ConnectorError
}

describe('messaging connectors without their SDK', () => {
  it.each([
    [
      '@slack/web-api',
      'Slack',
      () =>
        slackConnector.actions['send-message'].run({
          ...context,
          config: { token: 'xoxb-1' },
          input: { channel: 'C1', text: 'x' },
        }),
    ],
    [
      'nodemailer',
      'SMTP',
      () =>
        smtpConnector.actions['send-email'].run({
          ...context,
          config: { host: '127.0.0.1', from: 'a@example.com' },
          input: { to: 'b@example.com', subject: 's', text: 't' },
        }),
    ],
    [
      '@sendgrid/mail',
      'SendGrid',
      () =>
        sendgridConnector.actions['send-email'].run({
          ...context,
          config: { apiKey: 'SG.x', from: 'a@example.com' },
          input: { to: 'b@example.com', subject: 's', text: 't' },
        }),
    ],
    [
      'twilio',
      'Twilio',
      () =>
        twilioConnector.actions['send-sms'].run({
          ...context,
          config: { accountSid: `AC${'0'.repeat(32)}`, authToken: 't', from: '+15005550006' },
          input: { to: '+15558675310', body: 'x' },
        }),
    ],
  ])('%s missing: invalid-config naming the package', async (pkg, name, call) => {
    const error = await failure(call())
    expect(error).toMatchObject({ reason: 'invalid-config', retryable: false })
    expect(error.message).toContain(`install ${pkg} to use the ${name} connector`)
  })
})
