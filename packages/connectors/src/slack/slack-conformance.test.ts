import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startFakeSlack, type FakeSlack } from '../../test/fakes/slack-server'
import { slackConnector } from './create-slack-connector'

const token = 'xoxb-conformance-secret-77'
let slack: FakeSlack
beforeAll(async () => (slack = await startFakeSlack({ tokens: [token] })))
afterAll(() => slack.close())

const lastKey = () => {
  const metadata = slack.requests.findLast((r) => r.method === 'chat.postMessage')?.args.metadata
  if (typeof metadata !== 'string') return undefined
  return (JSON.parse(metadata) as { event_payload?: { idempotencyKey?: string } }).event_payload
    ?.idempotencyKey
}

describeConnectorConformance({
  connector: slackConnector,
  config: () => ({ token: { $secret: 'SLACK_BOT_TOKEN' }, baseUrl: slack.url }),
  secrets: { SLACK_BOT_TOKEN: token },
  action: { name: 'send-message', input: { channel: 'C0001', text: 'conformance' } },
  unreachable: () => ({
    token: { $secret: 'SLACK_BOT_TOKEN' },
    baseUrl: 'http://127.0.0.1:9/api/',
  }),
  rejectedSecrets: { SLACK_BOT_TOKEN: 'xoxb-rejected-000' },
  slow: () => ({
    name: 'send-message',
    input: { channel: 'C_HANG', text: 'held' },
    inFlight: () => slack.holding > 0,
    released: () => slack.holding === 0,
  }),
  idempotency: { lastReceived: lastKey, failNext: () => slack.failNext(503) },
})
