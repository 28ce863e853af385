import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startSmtpTestServer, type SmtpTestServer } from '../../test/fakes/smtp-test-server'
import { smtpConnector } from './create-smtp-connector'
import { closeSmtpTransports } from './smtp-transports'

const login = { user: 'conformance', pass: 'smtp-conformance-secret-19' }
let smtp: SmtpTestServer
beforeAll(async () => (smtp = await startSmtpTestServer(login)))
afterAll(async () => {
  await closeSmtpTransports()
  await smtp.close()
})

const config = (port: number) => ({
  host: '127.0.0.1',
  port,
  auth: { user: login.user, pass: { $secret: 'SMTP_PASSWORD' } },
  from: 'noreply@example.com',
  timeoutMs: 5_000,
})

describeConnectorConformance({
  connector: smtpConnector,
  config: () => config(smtp.port),
  secrets: { SMTP_PASSWORD: login.pass },
  action: {
    name: 'send-email',
    input: { to: 'ok@example.com', subject: 'conformance', text: 't' },
  },
  unreachable: () => config(9),
  rejectedSecrets: { SMTP_PASSWORD: 'smtp-rejected-000' },
  slow: () => ({
    name: 'send-email',
    input: { to: 'hang@example.com', subject: 'held', text: 't' },
    inFlight: () => smtp.holding > 0,
    released: () => smtp.holding === 0,
  }),
  idempotency: {
    // The Message-ID is <key@tessera> with the key percent-encoded.
    lastReceived: () =>
      smtp.lastMessageId === undefined
        ? undefined
        : decodeURIComponent(smtp.lastMessageId.replace(/^<|@tessera>$/g, '')),
    failNext: () => smtp.deferNext(),
  },
})
