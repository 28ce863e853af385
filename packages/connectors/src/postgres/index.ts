// @tessera/connectors/postgres: a durable StoreV1 on PostgreSQL (pg, an optional peer dependency
// that only this subpath imports).
export {
  createPostgresStore,
  isRetryablePostgresError,
  type PostgresStore,
  type PostgresStoreOptions,
  type PostgresStoreTarget,
} from './postgres-store'
export {
  postgresMigrations,
  defaultPostgresSchema,
  defaultPostgresTablePrefix,
  postgresSchemaVersion,
} from './postgres-migrations'
