-- Tessera store for SQLite 3.35+ (better-sqlite3), schema version 1, default table prefix.
-- Every statement is idempotent; the last one records the schema version. A database of
-- schema version 0 needs sqliteMigrations({ from: 0 }) instead (or createSqliteStore, which
-- migrates it itself).
CREATE TABLE IF NOT EXISTS tessera_meta (
  key TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS tessera_runs (
  id TEXT PRIMARY KEY NOT NULL,
  workflow_id TEXT NOT NULL,
  workflow_version TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  error TEXT,
  idempotency_key TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  ended_at INTEGER
);

CREATE UNIQUE INDEX IF NOT EXISTS tessera_runs_idempotency
  ON tessera_runs (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE INDEX IF NOT EXISTS tessera_runs_created ON tessera_runs (created_at, id);

CREATE INDEX IF NOT EXISTS tessera_runs_workflow_created
  ON tessera_runs (workflow_id, created_at, id);

CREATE INDEX IF NOT EXISTS tessera_runs_ended ON tessera_runs (ended_at) WHERE ended_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS tessera_steps (
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  node_id TEXT NOT NULL,
  path TEXT NOT NULL,
  status TEXT NOT NULL,
  output TEXT,
  error TEXT,
  attempts INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  input TEXT,
  PRIMARY KEY (run_id, key)
);

CREATE TABLE IF NOT EXISTS tessera_tasks (
  id TEXT PRIMARY KEY NOT NULL,
  run_id TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  workflow_version TEXT NOT NULL,
  node_id TEXT NOT NULL,
  key TEXT NOT NULL,
  path TEXT NOT NULL,
  input TEXT,
  attempt INTEGER NOT NULL,
  available_at INTEGER NOT NULL,
  fence INTEGER NOT NULL,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  last_error TEXT,
  wait_kind TEXT,
  wait_name TEXT,
  wait_match TEXT,
  wait_match_fields TEXT,
  wait_match_key TEXT,
  wait_resolution TEXT,
  parked INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS tessera_tasks_run_other ON tessera_tasks (run_id) WHERE substr(id, 1, length(run_id) + 1) <> run_id || '/';

CREATE INDEX IF NOT EXISTS tessera_tasks_ready ON tessera_tasks (available_at)
  WHERE lease_owner IS NULL AND parked = 0;

CREATE INDEX IF NOT EXISTS tessera_tasks_lease ON tessera_tasks (lease_expires_at)
  WHERE lease_owner IS NOT NULL;

CREATE INDEX IF NOT EXISTS tessera_tasks_event_wait
  ON tessera_tasks (wait_name, wait_match_fields, wait_match_key)
  WHERE wait_kind = 'event' AND wait_resolution IS NULL;

CREATE TABLE IF NOT EXISTS tessera_scopes (
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  expected INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  items TEXT,
  closed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, key)
);

CREATE TABLE IF NOT EXISTS tessera_scope_results (
  run_id TEXT NOT NULL,
  scope_key TEXT NOT NULL,
  idx INTEGER NOT NULL,
  output TEXT,
  PRIMARY KEY (run_id, scope_key, idx)
);

CREATE TABLE IF NOT EXISTS tessera_inbox (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  payload TEXT,
  run_id TEXT,
  received_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS tessera_inbox_name ON tessera_inbox (name, received_at);

CREATE INDEX IF NOT EXISTS tessera_inbox_expires ON tessera_inbox (expires_at);

INSERT INTO tessera_meta (key, value) VALUES ('schema_version', 1)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value < excluded.value;
