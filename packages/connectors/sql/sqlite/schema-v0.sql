-- Test fixture: the SQLite store's schema before schema versions (no <prefix>meta table),
-- exactly as sqliteMigrations() produced it (default prefix tessera_) up to commit 81419f2.
-- The migration tests create a database from it and open it with the current code.
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
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS tessera_tasks_run ON tessera_tasks (run_id);
CREATE INDEX IF NOT EXISTS tessera_tasks_available ON tessera_tasks (available_at)
  WHERE lease_owner IS NULL;
CREATE INDEX IF NOT EXISTS tessera_tasks_lease ON tessera_tasks (lease_expires_at)
  WHERE lease_owner IS NOT NULL;
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
