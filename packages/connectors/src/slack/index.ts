// @tessera/connectors/slack: the Slack connector, on @slack/web-api (an optional peer).
export {
  slackConnector,
  createSlackConnector,
  type SlackConnector,
  type SlackConnectorSettings,
} from './create-slack-connector'
export { slackConnectorConfigSchema, type SlackConnectorConfig } from './slack-connector-config'
export {
  slackSendMessageInputSchema,
  slackMessageOutputSchema,
  type SlackSendMessageInput,
  type SlackMessageOutput,
} from './slack-send-message'
export { slackUpdateMessageInputSchema, type SlackUpdateMessageInput } from './slack-update-message'
export {
  slackListChannelsInputSchema,
  slackListChannelsOutputSchema,
  type SlackListChannelsInput,
  type SlackListChannelsOutput,
} from './slack-list-channels'
export {
  slackAddReactionInputSchema,
  slackAddReactionOutputSchema,
  type SlackAddReactionInput,
} from './slack-add-reaction'
export { defaultSlackTimeoutMs } from './slack-web-client'
