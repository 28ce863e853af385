// @tessera/connectors/twilio: the Twilio SMS connector, on twilio (an optional peer).
export {
  twilioConnector,
  createTwilioConnector,
  type TwilioConnector,
  type TwilioConnectorSettings,
} from './create-twilio-connector'
export { twilioConnectorConfigSchema, type TwilioConnectorConfig } from './twilio-connector-config'
export {
  twilioSendSmsInputSchema,
  twilioSendSmsOutputSchema,
  type TwilioSendSmsInput,
  type TwilioSendSmsOutput,
} from './twilio-send-sms'
export { TwilioFetchClient } from './twilio-http-client'
export { defaultTwilioTimeoutMs } from './twilio-client'
