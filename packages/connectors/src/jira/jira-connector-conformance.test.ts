import { afterAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startFakeJira } from '../../test/fakes/jira-server'
import { createJiraConnector } from './create-jira-connector'
import { jiraIdempotencyProperty } from './jira-issue-actions'

// The connector conformance suite on the Jira connector (basic auth), against the local Jira API.
// The idempotency key travels as the created issue's tessera.idempotency property.

const credentials = { email: 'bot@acme.test', apiToken: 'atl-conformance-secret', pat: 'pat-x' }
const jira = await startFakeJira(credentials)
const connector = createJiraConnector()
afterAll(async () => {
  await connector.close()
  await jira.close()
})

const config = (host: string) => ({
  host,
  email: credentials.email,
  apiToken: { $secret: 'JIRA_API_TOKEN' },
})

describeConnectorConformance({
  connector,
  config: () => config(jira.url),
  secrets: { JIRA_API_TOKEN: credentials.apiToken },
  action: {
    name: 'create-issue',
    input: { projectKey: 'OPS', issueType: 'Task', summary: 'Conformance' },
  },
  unreachable: () => config('http://127.0.0.1:1'),
  rejectedSecrets: { JIRA_API_TOKEN: 'atl-conformance-wrong' },
  slow: () => {
    const hold = jira.holdNext()
    return {
      name: 'get-issue',
      input: { issueKey: 'OPS-1' },
      inFlight: hold.arrived,
      released: hold.released,
    }
  },
  idempotency: {
    lastReceived: () => {
      const request = jira.requests.findLast(
        (seen) => seen.method === 'POST' && seen.path === '/rest/api/3/issue',
      )
      const properties = (request?.body as { properties?: { key: string; value: any }[] })
        ?.properties
      return properties?.find((property) => property.key === jiraIdempotencyProperty)?.value
        ?.idempotencyKey
    },
    failNext: () => jira.failNext({ status: 503, body: { errorMessages: ['Try again'] } }),
  },
})
