// @tessera/connectors/hubspot: the HubSpot CRM on @hubspot/api-client (an optional peer, loaded
// lazily). Node.js only (the SDK uses node-fetch and Node's HTTP agents).
export {
  createHubSpotConnector,
  hubspotConnector,
  type HubSpotConnector,
  type HubSpotConnectorSettings,
} from './create-hubspot-connector'
export { hubspotConfigSchema, type HubSpotConfig } from './hubspot-config'
export { hubspotObjectSchema, type HubSpotObject } from './hubspot-schemas'
