-- Tessera store for MySQL 8.0+ / MariaDB 10.6+: schema version 1 → 2, conversation threads.
-- Every statement is idempotent; the last one records the schema version.
CREATE TABLE IF NOT EXISTS tessera_threads (
  id VARBINARY(1020) NOT NULL,
  last_seq BIGINT NOT NULL,
  summary LONGTEXT NULL,
  summary_through BIGINT NULL,
  summary_at BIGINT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tessera_messages (
  thread_id VARBINARY(1020) NOT NULL,
  seq BIGINT NOT NULL,
  message LONGTEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (thread_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO tessera_meta (name, value) VALUES ('schema_version', 2)
  ON DUPLICATE KEY UPDATE value = GREATEST(value, 2);
