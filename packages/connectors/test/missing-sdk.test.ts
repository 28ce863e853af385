import { describe, expect, it, vi } from 'vitest'
import { noopLogger } from '@tessera/core'
import { mysqlConnector } from '../src/mysql/mysql-connector'
import { postgresConnector } from '../src/postgres/postgres-connector'
import { redisConnector } from '../src/redis/redis-connector'
import { s3Connector } from '../src/s3/s3-connector'
import { sendgridConnector } from '../src/sendgrid'
import { slackConnector } from '../src/slack'
import { smtpConnector } from '../src/smtp'
import { twilioConnector } from '../src/twilio'
import { connectorFailure } from './action-kit'

// The drivers and SDKs are optional peers: without one, the first action fails with
// invalid-config and names the package to install. Each import below fails the way Node's does
// for a package that is not there. (The connector modules import their SDK's types only.)
const { missing } = vi.hoisted(() => ({
  missing: (name: string) => () => {
    throw Object.assign(new Error(`Cannot find package '${name}'`), {
      code: 'ERR_MODULE_NOT_FOUND',
    })
  },
}))
vi.mock('pg', missing('pg'))
vi.mock('mysql2/promise', missing('mysql2'))
vi.mock('ioredis', missing('ioredis'))
vi.mock('@aws-sdk/client-s3', missing('@aws-sdk/client-s3'))
vi.mock('@slack/web-api', missing('@slack/web-api'))
vi.mock('nodemailer', missing('nodemailer'))
vi.mock('@sendgrid/mail', missing('@sendgrid/mail'))
vi.mock('twilio', missing('twilio'))

const context = {
  signal: new AbortController().signal,
  idempotencyKey: 'run-1:step',
  logger: noopLogger,
}

/** Runs `action` of `connector` with an already resolved configuration and parsed input. */
function call(
  connector: { actions: Record<string, { run: unknown }> },
  action: string,
  config: Record<string, unknown>,
  input: unknown,
): Promise<unknown> {
  const run = connector.actions[action]!.run as (context: unknown) => Promise<unknown>
  return run({ ...context, config, input })
}

describe('connectors without their driver or SDK', () => {
  it.each([
    [
      'pg',
      'PostgreSQL',
      () =>
        call(postgresConnector, 'query', { host: '127.0.0.1' }, { sql: 'SELECT 1', params: [] }),
    ],
    [
      'mysql2',
      'MySQL / MariaDB',
      () => call(mysqlConnector, 'query', { host: '127.0.0.1' }, { sql: 'SELECT 1', params: [] }),
    ],
    ['ioredis', 'Redis', () => call(redisConnector, 'get', { host: '127.0.0.1' }, { key: 'a' })],
    [
      '@aws-sdk/client-s3',
      'S3',
      () => call(s3Connector, 'get-object', { region: 'us-east-1', bucket: 'b' }, { key: 'a' }),
    ],
    [
      '@slack/web-api',
      'Slack',
      () => call(slackConnector, 'send-message', { token: 'xoxb-1' }, { channel: 'C1', text: 'x' }),
    ],
    [
      'nodemailer',
      'SMTP',
      () =>
        call(
          smtpConnector,
          'send-email',
          { host: '127.0.0.1', from: 'a@example.com' },
          { to: 'b@example.com', subject: 's', text: 't' },
        ),
    ],
    [
      '@sendgrid/mail',
      'SendGrid',
      () =>
        call(
          sendgridConnector,
          'send-email',
          { apiKey: 'SG.x', from: 'a@example.com' },
          { to: 'b@example.com', subject: 's', text: 't' },
        ),
    ],
    [
      'twilio',
      'Twilio',
      () =>
        call(
          twilioConnector,
          'send-sms',
          { accountSid: `AC${'0'.repeat(32)}`, authToken: 't', from: '+15005550006' },
          { to: '+15558675310', body: 'x' },
        ),
    ],
  ])('%s missing: invalid-config naming the package', async (pkg, name, run) => {
    const error = await connectorFailure(run())
    expect(error).toMatchObject({ reason: 'invalid-config', retryable: false })
    expect(error.message).toContain(`install ${pkg} to use the ${name} connector`)
  })
})
