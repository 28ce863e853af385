import { afterAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startFakeTeams, type FakeTeams } from '../../test/fakes/teams-server'
import { teamsConnector, teamsGraphConnector } from './create-teams-connector'

const graphToken = 'graph-conformance-secret-3'
const teamId = 'team-conformance'
// Started before the suites are declared: the webhook URL (a secret value) names its port.
const teams: FakeTeams = await startFakeTeams({ token: graphToken, teamId })
afterAll(() => teams.close())

// The webhook URL is the only credential and the only address, so the "unreachable" config
// is the same webhook with a timeout shorter than the test webhook's 200 ms answer (reason
// timeout); the held call is a card the test server never answers.
const webhook = { webhookUrl: { $secret: 'TEAMS_WEBHOOK_URL' } }

describeConnectorConformance({
  connector: teamsConnector,
  config: () => webhook,
  secrets: {
    TEAMS_WEBHOOK_URL: `${teams.url}/webhook/delayed`,
  },
  action: { name: 'send-message', input: { text: 'conformance' } },
  unreachable: () => ({ ...webhook, timeoutMs: 20 }),
  // A Workflows webhook URL with a signature it does not accept.
  rejectedSecrets: {
    TEAMS_WEBHOOK_URL: `${teams.url}/workflows/f1/triggers/manual/paths/invoke?sig=rejected-sig`,
  },
  slow: () => ({
    name: 'send-message',
    input: { text: 'hang' },
    inFlight: () => teams.holding > 0,
    released: () => teams.holding === 0,
  }),
  idempotency: {
    lastReceived: () => {
      const key = teams.requests.at(-1)?.headers['idempotency-key']
      return typeof key === 'string' ? key : undefined
    },
    failNext: () => teams.failNext(),
  },
})

const graphConfig = (baseUrl: string) => ({ token: { $secret: 'GRAPH_TOKEN' }, baseUrl })

describeConnectorConformance({
  connector: teamsGraphConnector,
  config: () => graphConfig(`${teams.url}/v1.0`),
  secrets: { GRAPH_TOKEN: graphToken },
  action: {
    name: 'send-channel-message',
    input: { teamId, channelId: '19:channel1@thread.tacv2', content: 'conformance' },
  },
  unreachable: () => graphConfig('http://127.0.0.1:9/v1.0'),
  rejectedSecrets: { GRAPH_TOKEN: 'graph-rejected-000' },
  slow: () => ({
    name: 'send-channel-message',
    input: { teamId, channelId: '19:channel1@thread.tacv2', content: 'hang' },
    inFlight: () => teams.holding > 0,
    released: () => teams.holding === 0,
  }),
  idempotency: {
    unsupported:
      'Graph has no idempotency key for chat messages; the connector sends a GUID derived from the key as client-request-id, for tracing only',
  },
})
