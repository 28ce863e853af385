// @tessera/connectors/sendgrid: the SendGrid connector, on @sendgrid/mail (an optional peer).
export {
  sendgridConnector,
  createSendgridConnector,
  type SendgridConnector,
  type SendgridConnectorSettings,
} from './create-sendgrid-connector'
export {
  sendgridConnectorConfigSchema,
  type SendgridConnectorConfig,
} from './sendgrid-connector-config'
export {
  sendgridSendEmailInputSchema,
  sendgridSendEmailOutputSchema,
  sendgridIdempotencyArg,
  type SendgridSendEmailInput,
  type SendgridSendEmailOutput,
} from './sendgrid-send-email'
export { defaultSendgridTimeoutMs } from './sendgrid-client'
