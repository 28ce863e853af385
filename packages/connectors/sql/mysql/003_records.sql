-- Tessera store for MySQL 8.0+ / MariaDB 10.6+: schema version 2 → 3, keyed records.
-- Every statement is idempotent; the last one records the schema version.
CREATE TABLE IF NOT EXISTS tessera_records (
  collection VARBINARY(256) NOT NULL,
  record_key VARBINARY(1020) NOT NULL,
  value LONGTEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (collection, record_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO tessera_meta (name, value) VALUES ('schema_version', 3)
  ON DUPLICATE KEY UPDATE value = GREATEST(value, 3);
