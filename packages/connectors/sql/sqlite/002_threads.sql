-- Tessera store for SQLite 3.35+ (better-sqlite3): schema version 1 → 2, default table prefix.
-- Conversation threads (StoreV1.appendThreadMessages and the rest): the threads and messages
-- tables. Apply it after 001_init.sql, to a new database or to one of schema version 1. Every
-- statement is idempotent; the last one records schema version 2.
CREATE TABLE IF NOT EXISTS tessera_threads (
  id TEXT PRIMARY KEY NOT NULL,
  last_seq INTEGER NOT NULL,
  summary TEXT,
  summary_through INTEGER,
  summary_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS tessera_messages (
  thread_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  message TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (thread_id, seq)
) WITHOUT ROWID;

INSERT INTO tessera_meta (key, value) VALUES ('schema_version', 2)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value < excluded.value;
