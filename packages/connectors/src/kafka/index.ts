// @tessera/connectors/kafka: produce with acks=-1, and a consumer-group trigger that commits an
// offset only after the run is durably started (kafkajs, an optional peer dependency that only
// this subpath imports).
export { kafkaConfigSchema, type KafkaConfigInput } from './kafka-client'
export {
  closeKafkaProducers,
  createKafkaConnector,
  kafkaConnector,
  kafkaIdempotencyHeader,
  kafkaProduceInputSchema,
  kafkaProduceOutputSchema,
  type KafkaConnector,
  type KafkaConnectorSettings,
} from './kafka-connector'
export { kafkaTrigger, type KafkaTriggerMessage, type KafkaTriggerOptions } from './kafka-trigger'
