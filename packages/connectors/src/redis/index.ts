// @tessera/connectors/redis: a durable, shared StoreV1 (and task transport) on Redis (ioredis, an
// optional peer dependency that only this subpath imports).
export {
  createRedisStore,
  defaultRedisKeyPrefix,
  redisSchemaVersion,
  type RedisStoreOptions,
  type RedisStoreTarget,
} from './redis-store'
