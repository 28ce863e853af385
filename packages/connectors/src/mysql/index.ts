// @tessera/connectors/mysql: a durable StoreV1 (and task transport) on MySQL 8.0+ / MariaDB
// 10.6+ (mysql2, an optional peer dependency that only this subpath imports).
export {
  createMysqlStore,
  type MysqlStore,
  type MysqlStoreOptions,
  type MysqlStoreTarget,
} from './mysql-store'
export { mysqlMigrations, defaultMysqlTablePrefix, mysqlSchemaVersion } from './mysql-migrations'
export {
  createMysqlConnector,
  mysqlConnector,
  closeMysqlConnectorPools,
  type MysqlConnector,
  type MysqlConnectorSettings,
} from './mysql-connector'
export { mysqlConnectorConfigSchema, type MysqlConnectorConfig } from './mysql-connector-config'
export {
  mysqlStatementInputSchema,
  mysqlTransactionInputSchema,
  mysqlQueryOutputSchema,
  mysqlExecuteOutputSchema,
  mysqlTransactionOutputSchema,
  type MysqlStatementInput,
  type MysqlTransactionInput,
  type MysqlQueryOutput,
  type MysqlExecuteOutput,
  type MysqlTransactionOutput,
} from './mysql-connector-schemas'
