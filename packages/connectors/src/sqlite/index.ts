// @tessera/connectors/sqlite: a durable StoreV1 on SQLite (better-sqlite3, an optional peer
// dependency that only this subpath imports).
export { createSqliteStore, type SqliteStoreOptions, type SqliteStoreTarget } from './sqlite-store'
export {
  sqliteMigrations,
  sqliteSchemaVersion,
  defaultSqliteTablePrefix,
} from './sqlite-migrations'
