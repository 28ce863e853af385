import { afterAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startFakeHubSpot } from '../../test/fakes/hubspot-server'
import { createHubSpotConnector } from './create-hubspot-connector'

// The connector conformance suite on the HubSpot connector, against the local CRM API. HubSpot
// has no idempotency header: create-deal with idempotencyProperty searches for the key, then
// stores it in that deal property, which is where the suite reads it.

const token = 'pat-na1-conformance-secret'
const hubspot = await startFakeHubSpot({ token })
const connector = createHubSpotConnector()
afterAll(async () => {
  await connector.close()
  await hubspot.close()
})

describeConnectorConformance({
  connector,
  config: () => ({ accessToken: { $secret: 'HUBSPOT_TOKEN' }, basePath: hubspot.url }),
  secrets: { HUBSPOT_TOKEN: token },
  action: {
    name: 'create-deal',
    input: { properties: { dealname: 'Conformance' }, idempotencyProperty: 'tessera_key' },
  },
  unreachable: () => ({
    accessToken: { $secret: 'HUBSPOT_TOKEN' },
    basePath: 'http://127.0.0.1:1',
  }),
  rejectedSecrets: { HUBSPOT_TOKEN: 'pat-na1-conformance-wrong' },
  slow: () => {
    const hold = hubspot.holdNext()
    return { name: 'search-contacts', input: {}, inFlight: hold.arrived, released: hold.released }
  },
  idempotency: {
    lastReceived: () => {
      for (const request of [...hubspot.requests].reverse()) {
        if (!request.path.startsWith('/crm/v3/objects/deals')) continue
        const body = request.body as {
          properties?: Record<string, string>
          filterGroups?: { filters: { value?: string }[] }[]
        }
        const key = body.properties?.tessera_key ?? body.filterGroups?.[0]?.filters[0]?.value
        if (key !== undefined) return key
      }
      return undefined
    },
    failNext: () =>
      hubspot.failNext({
        status: 502,
        body: { status: 'error', message: 'Bad gateway', correlationId: 'c', category: 'X' },
      }),
  },
})
