// @tessera/connectors/smtp: email over SMTP, on nodemailer (an optional peer). Node.js only.
export {
  smtpConnector,
  createSmtpConnector,
  type SmtpConnector,
  type SmtpConnectorSettings,
} from './create-smtp-connector'
export { smtpConnectorConfigSchema, type SmtpConnectorConfig } from './smtp-connector-config'
export {
  smtpSendEmailInputSchema,
  smtpSendEmailOutputSchema,
  messageIdFor,
  type SmtpSendEmailInput,
  type SmtpSendEmailOutput,
} from './smtp-send-email'
export { closeSmtpTransports, defaultSmtpTimeoutMs } from './smtp-transports'
