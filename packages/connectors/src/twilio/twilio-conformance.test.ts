import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startFakeTwilio, type FakeTwilio } from '../../test/fakes/twilio-server'
import { twilioConnector } from './create-twilio-connector'

const accountSid = 'AC00000000000000000000000000000c0f'
const authToken = 'twilio-conformance-secret-5'
let twilio: FakeTwilio
beforeAll(async () => (twilio = await startFakeTwilio({ accountSid, authToken })))
afterAll(() => twilio.close())

const config = (baseUrl: string) => ({
  accountSid,
  authToken: { $secret: 'TWILIO_AUTH_TOKEN' },
  from: '+15005550006',
  baseUrl,
})

describeConnectorConformance({
  connector: twilioConnector,
  config: () => config(twilio.url),
  secrets: { TWILIO_AUTH_TOKEN: authToken },
  action: { name: 'send-sms', input: { to: '+15558675310', body: 'conformance' } },
  unreachable: () => config('http://127.0.0.1:9'),
  rejectedSecrets: { TWILIO_AUTH_TOKEN: 'twilio-rejected-000' },
  slow: () => ({
    name: 'send-sms',
    input: { to: '+15005559999', body: 'held' },
    inFlight: () => twilio.holding > 0,
    released: () => twilio.holding === 0,
  }),
  idempotency: {
    unsupported:
      'the Twilio Messages API has no idempotency key, header or metadata field: a retried step can send a second SMS (see docs/connectors/twilio.md)',
  },
})
