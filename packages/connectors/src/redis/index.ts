// @tessera/connectors/redis: a durable, shared StoreV1 (and task transport) on Redis (ioredis, an
// optional peer dependency that only this subpath imports).
export {
  createRedisStore,
  defaultRedisKeyPrefix,
  redisSchemaVersion,
  type RedisStoreOptions,
  type RedisStoreTarget,
} from './redis-store'
export {
  createRedisConnector,
  redisConnector,
  closeRedisConnectorClients,
  type RedisConnector,
  type RedisConnectorSettings,
} from './redis-connector'
export { redisConnectorConfigSchema, type RedisConnectorConfig } from './redis-connector-config'
export { redisIdempotencyField } from './redis-connector-actions'
export { redisCommandAllowlist, type RedisAllowedCommand } from './redis-command-allowlist'
export {
  redisStreamTrigger,
  type RedisStreamEntry,
  type RedisStreamTriggerOptions,
} from './redis-stream-trigger'
