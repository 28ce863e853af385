-- Tessera store for SQLite 3.35+ (better-sqlite3): schema version 2 → 3, default table prefix.
-- Keyed records (StoreV1.putRecord and the rest): the records table. Apply it after
-- 002_threads.sql, to a new database or to one of schema version 2. Every statement is
-- idempotent; the last one records schema version 3.
CREATE TABLE IF NOT EXISTS tessera_records (
  collection TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (collection, key)
) WITHOUT ROWID;

INSERT INTO tessera_meta (key, value) VALUES ('schema_version', 3)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value < excluded.value;
