import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startFakeSendgrid, type FakeSendgrid } from '../../test/fakes/sendgrid-server'
import { sendgridConnector } from './create-sendgrid-connector'

const apiKey = 'SG.conformance-secret.42'
let sendgrid: FakeSendgrid
beforeAll(async () => (sendgrid = await startFakeSendgrid({ keys: { [apiKey]: ['mail.send'] } })))
afterAll(() => sendgrid.close())

const config = (baseUrl: string) => ({
  apiKey: { $secret: 'SENDGRID_API_KEY' },
  from: 'shop@example.com',
  baseUrl,
})

describeConnectorConformance({
  connector: sendgridConnector,
  config: () => config(sendgrid.url),
  secrets: { SENDGRID_API_KEY: apiKey },
  action: { name: 'send-email', input: { to: 'ada@example.com', subject: 'Hi', text: 't' } },
  unreachable: () => config('http://127.0.0.1:9'),
  rejectedSecrets: { SENDGRID_API_KEY: 'SG.rejected.000' },
  slow: () => ({
    name: 'send-email',
    input: { to: 'hang@example.com', subject: 'held', text: 't' },
    inFlight: () => sendgrid.holding > 0,
    released: () => sendgrid.holding === 0,
  }),
  idempotency: {
    lastReceived: () => {
      const args = sendgrid.requests.at(-1)?.body?.custom_args as Record<string, string> | undefined
      return args?.tessera_idempotency_key
    },
    failNext: () => sendgrid.failNext(),
  },
})
