// @tessera/connectors/mysql: a durable StoreV1 (and task transport) on MySQL 8.0+ / MariaDB
// 10.6+ (mysql2, an optional peer dependency that only this subpath imports).
export {
  createMysqlStore,
  type MysqlStore,
  type MysqlStoreOptions,
  type MysqlStoreTarget,
} from './mysql-store'
export { mysqlMigrations, defaultMysqlTablePrefix, mysqlSchemaVersion } from './mysql-migrations'
