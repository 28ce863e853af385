// @tessera/connectors/teams: Microsoft Teams through a webhook or Microsoft Graph, with fetch.
export {
  teamsConnector,
  teamsGraphConnector,
  createTeamsConnector,
  createTeamsGraphConnector,
  type TeamsConnector,
  type TeamsGraphConnector,
  type TeamsConnectorSettings,
} from './create-teams-connector'
export { teamsWebhookConfigSchema, type TeamsWebhookConfig } from './teams-webhook-config'
export {
  teamsGraphConfigSchema,
  defaultGraphBaseUrl,
  type TeamsGraphConfig,
} from './teams-graph-config'
export {
  teamsSendMessageInputSchema,
  teamsSendMessageOutputSchema,
  teamsWebhookPayload,
  type TeamsSendMessageInput,
} from './teams-send-message'
export {
  teamsChannelMessageInputSchema,
  teamsChannelMessageOutputSchema,
  teamsListChannelsInputSchema,
  teamsListChannelsOutputSchema,
  type TeamsChannelMessageInput,
  type TeamsListChannelsInput,
} from './teams-graph-actions'
export { defaultTeamsTimeoutMs } from './teams-http'
