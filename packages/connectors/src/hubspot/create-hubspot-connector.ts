import { defineConnector } from '@tessera/core'
import { abortableCall, HubSpotClients, hubspotError } from './hubspot-client'
import { hubspotConfigSchema } from './hubspot-config'
import {
  createContactAction,
  searchContactsAction,
  updateContactAction,
} from './hubspot-contact-actions'
import { createDealAction } from './hubspot-deal-action'

/**
 * Settings of {@link createHubSpotConnector}.
 *
 * @example
 * ```ts
 * const settings: HubSpotConnectorSettings = { id: 'hubspot-eu' }
 * ```
 */
export interface HubSpotConnectorSettings {
  /** Default `hubspot`. Give each instance its own id to register several in one engine. */
  id?: string
}

/**
 * Creates a HubSpot CRM connector on `@hubspot/api-client` (an optional peer, loaded on first
 * use, with its internal retries off so the engine owns retries): `create-contact`,
 * `update-contact`, `search-contacts` (filter groups, `after` cursor) and `create-deal`. Every
 * call can be aborted: it gets an HTTP agent of its own, destroyed on abort. `check` lists one
 * contact.
 *
 * @example
 * ```ts
 * import { createHubSpotConnector } from '@tessera/connectors/hubspot'
 *
 * const hubspot = createHubSpotConnector()
 * const workflow = createWorkflow({ id: 'signup', input: z.object({ email: z.string() }) })
 *   .map(({ input }) => ({ properties: { email: input.email }, ifExists: 'update' as const }))
 *   .action(hubspot, 'create-contact', { accessToken: { $secret: 'HUBSPOT_TOKEN' } })
 *   .commit()
 * ```
 */
export function createHubSpotConnector(settings: HubSpotConnectorSettings = {}) {
  const id = settings.id ?? 'hubspot'
  const clients = new HubSpotClients(id)
  const actionSettings = { connectorId: id, clients }
  const connector = defineConnector({
    id,
    name: 'HubSpot',
    description: 'Contacts and deals in the HubSpot CRM',
    docs: 'https://tessera.dev/docs/connectors/hubspot',
    config: hubspotConfigSchema,
    actions: {
      'create-contact': createContactAction(actionSettings),
      'update-contact': updateContactAction(actionSettings),
      'search-contacts': searchContactsAction(actionSettings),
      'create-deal': createDealAction(actionSettings),
    },
    async check({ config, signal }) {
      try {
        const client = await clients.get(config, 'check')
        await abortableCall(
          config,
          signal,
        )((options) =>
          client.crm.contacts.basicApi.getPage(
            1,
            undefined,
            undefined,
            undefined,
            undefined,
            false,
            options,
          ),
        )
      } catch (error) {
        throw hubspotError(id, 'check', error, signal)
      }
    },
  })
  return Object.freeze({
    ...connector,
    /** Forgets the cached clients. */
    close: async (): Promise<void> => clients.clear(),
  })
}

/**
 * The HubSpot connector (see {@link createHubSpotConnector}).
 *
 * @example
 * ```ts
 * engine.register(hubspotConnector)
 * ```
 */
export const hubspotConnector = /* @__PURE__ */ createHubSpotConnector()

/**
 * The connector that {@link createHubSpotConnector} returns.
 *
 * @example
 * ```ts
 * const hubspot: HubSpotConnector = createHubSpotConnector()
 * ```
 */
export type HubSpotConnector = ReturnType<typeof createHubSpotConnector>
