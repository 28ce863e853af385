// @tessera/connectors/mqtt: MQTT 5 publish, and a consumer trigger on a persistent session with
// manual acknowledgements (mqtt, an optional peer dependency that only this subpath imports).
export {
  closeMqttConnections,
  createMqttConnector,
  mqttConfigSchema,
  mqttConnector,
  mqttIdempotencyProperty,
  mqttPublishInputSchema,
  mqttPublishOutputSchema,
  type MqttConfig,
  type MqttConnector,
  type MqttConnectorSettings,
} from './mqtt-connector'
export { mqttTrigger, type MqttTriggerMessage, type MqttTriggerOptions } from './mqtt-trigger'
