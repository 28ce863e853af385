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
export {
  createPostgresConnector,
  postgresConnector,
  closePostgresConnectorPools,
  type PostgresConnector,
  type PostgresConnectorSettings,
} from './postgres-connector'
export {
  postgresConnectorConfigSchema,
  type PostgresConnectorConfig,
} from './postgres-connector-config'
export {
  postgresStatementInputSchema,
  postgresTransactionInputSchema,
  postgresQueryOutputSchema,
  postgresExecuteOutputSchema,
  postgresTransactionOutputSchema,
  type PostgresStatementInput,
  type PostgresTransactionInput,
  type PostgresQueryOutput,
  type PostgresExecuteOutput,
  type PostgresTransactionOutput,
} from './postgres-connector-schemas'
