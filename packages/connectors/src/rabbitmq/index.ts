// @tessera/connectors/rabbitmq: publish with publisher confirms, and a consumer trigger that
// starts one run per message (amqplib, an optional peer dependency that only this subpath imports).
export {
  closeRabbitmqConnections,
  createRabbitmqConnector,
  rabbitmqConfigSchema,
  rabbitmqConnectTarget,
  rabbitmqConnector,
  rabbitmqPublishInputSchema,
  rabbitmqPublishOutputSchema,
  type RabbitmqConfig,
  type RabbitmqConnectionSettings,
  type RabbitmqConnector,
  type RabbitmqConnectorSettings,
} from './rabbitmq-connector'
export {
  rabbitmqTrigger,
  type RabbitmqTriggerMessage,
  type RabbitmqTriggerOptions,
} from './rabbitmq-trigger'
