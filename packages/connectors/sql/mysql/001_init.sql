-- Tessera store for MySQL 8.0+ / MariaDB 10.6+, schema version 1.
-- Every statement is idempotent; the last one records the schema version.
CREATE TABLE IF NOT EXISTS tessera_meta (
  name VARCHAR(64) NOT NULL,
  value BIGINT NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tessera_runs (
  id VARBINARY(1020) NOT NULL,
  workflow_id VARBINARY(1020) NOT NULL,
  workflow_version TEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  input LONGTEXT NULL,
  output LONGTEXT NULL,
  error LONGTEXT NULL,
  idempotency_key TEXT NULL,
  idempotency_hash BINARY(32) NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  ended_at BIGINT NULL,
  -- Ended runs only (NULL while running or suspended): the retention order.
  retention_at BIGINT AS (IF(status IN ('succeeded', 'failed', 'cancelled'), IFNULL(ended_at, 0), NULL)) STORED,
  PRIMARY KEY (id),
  UNIQUE KEY idempotency (workflow_id, idempotency_hash),
  KEY created (created_at, id),
  KEY workflow_created (workflow_id, created_at, id),
  KEY retention (retention_at, id),
  KEY workflow_retention (workflow_id, retention_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tessera_steps (
  run_id VARBINARY(1020) NOT NULL,
  key_hash BINARY(32) NOT NULL,
  seq BIGINT NOT NULL AUTO_INCREMENT,
  step_key TEXT NOT NULL,
  node_id TEXT NOT NULL,
  path TEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  output LONGTEXT NULL,
  error LONGTEXT NULL,
  input LONGTEXT NULL,
  attempts INT NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT NOT NULL,
  PRIMARY KEY (run_id, key_hash),
  KEY seq (seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tessera_tasks (
  id_hash BINARY(32) NOT NULL,
  seq BIGINT NOT NULL AUTO_INCREMENT,
  id TEXT NOT NULL,
  run_id VARBINARY(1020) NOT NULL,
  workflow_id TEXT NOT NULL,
  workflow_version TEXT NOT NULL,
  node_id TEXT NOT NULL,
  task_key TEXT NOT NULL,
  path TEXT NOT NULL,
  input LONGTEXT NULL,
  attempt INT NOT NULL,
  available_at BIGINT NOT NULL,
  fence BIGINT NOT NULL,
  lease_owner TEXT NULL,
  lease_expires_at BIGINT NULL,
  last_error LONGTEXT NULL,
  wait_spec LONGTEXT NULL,
  wait_resolution LONGTEXT NULL,
  -- 1 while the task is a wait that nothing resolved yet.
  wait_open TINYINT NOT NULL DEFAULT 0,
  -- Unresolved event waits only: SHA-256 of the event name and the wait's match key.
  event_hash BINARY(32) NULL,
  parked TINYINT NOT NULL DEFAULT 0,
  -- When the task can next be claimed: availableAt, or the end of its lease; NULL when parked.
  claim_at BIGINT AS (IF(parked = 0, IF(lease_owner IS NULL, available_at, GREATEST(available_at, IFNULL(lease_expires_at, 0))), NULL)) STORED,
  PRIMARY KEY (id_hash),
  KEY seq (seq),
  KEY run (run_id, seq),
  KEY claim (claim_at),
  KEY event (event_hash, run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tessera_scopes (
  run_id VARBINARY(1020) NOT NULL,
  key_hash BINARY(32) NOT NULL,
  seq BIGINT NOT NULL AUTO_INCREMENT,
  scope_key TEXT NOT NULL,
  expected INT NOT NULL,
  completed INT NOT NULL,
  items LONGTEXT NULL,
  closed TINYINT NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, key_hash),
  KEY seq (seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tessera_scope_results (
  run_id VARBINARY(1020) NOT NULL,
  key_hash BINARY(32) NOT NULL,
  idx INT NOT NULL,
  output LONGTEXT NULL,
  PRIMARY KEY (run_id, key_hash, idx)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tessera_inbox (
  seq BIGINT NOT NULL AUTO_INCREMENT,
  name_hash BINARY(32) NOT NULL,
  event_id TEXT NOT NULL,
  name TEXT NOT NULL,
  payload LONGTEXT NULL,
  run_id VARBINARY(1020) NULL,
  received_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (seq),
  KEY name (name_hash, seq),
  KEY expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per event name: one lock row (fields_hash of zeros), and the match-field sets waits used.
CREATE TABLE IF NOT EXISTS tessera_wait_fields (
  name_hash BINARY(32) NOT NULL,
  fields_hash BINARY(32) NOT NULL,
  fields TEXT NULL,
  PRIMARY KEY (name_hash, fields_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO tessera_meta (name, value) VALUES ('schema_version', 1)
  ON DUPLICATE KEY UPDATE value = GREATEST(value, 1);
