// @tessera/connectors/nats: core publish, JetStream publish (Nats-Msg-Id dedupe) and
// request/reply, and a JetStream consumer trigger (@nats-io/transport-node and
// @nats-io/jetstream, optional peer dependencies that only this subpath imports).
export {
  closeNatsConnections,
  createNatsConnector,
  natsConnector,
  natsJetstreamPublishOutputSchema,
  natsPublishInputSchema,
  natsRequestInputSchema,
  natsRequestOutputSchema,
  type NatsConnector,
  type NatsConnectorSettings,
} from './nats-connector'
export { natsConfigSchema, type NatsConfig } from './nats-connection'
export { natsTrigger, type NatsTriggerMessage, type NatsTriggerOptions } from './nats-trigger'
