// @tessera/connectors/webhook: outgoing, signed webhooks. Web APIs only (fetch, Web Crypto).
export {
  webhookConnector,
  createWebhookConnector,
  webhookConnectorConfigSchema,
  webhookSendInputSchema,
  webhookSendOutputSchema,
  type WebhookConnector,
  type WebhookConnectorSettings,
  type WebhookConnectorConfig,
  type WebhookEnvelope,
} from './create-webhook-connector'
export {
  signWebhookPayload,
  verifyWebhookSignature,
  webhookSignatureHeader,
  type WebhookVerification,
} from './webhook-signature'
