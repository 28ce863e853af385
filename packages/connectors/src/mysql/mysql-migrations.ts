import { InvalidArgumentError } from '@tessera/core'
import { checkTablePrefix as checkSqlTablePrefix } from '../table-prefix'

/**
 * The table prefix used when none is given.
 *
 * @example
 * ```ts
 * import { defaultMysqlTablePrefix } from '@tessera/connectors/mysql'
 * console.log(`${defaultMysqlTablePrefix}runs`) // tessera_runs
 * ```
 */
export const defaultMysqlTablePrefix = 'tessera_'

/**
 * The schema version this code writes and reads, kept in the `<prefix>meta` table
 * (`name = 'schema_version'`). A database with a newer version is refused. Version 2 added the
 * conversation threads (tables `threads` and `messages`), version 3 the keyed records (table
 * `records`).
 *
 * @example
 * ```ts
 * import { mysqlSchemaVersion } from '@tessera/connectors/mysql'
 * console.log(`Tessera MySQL schema v${mysqlSchemaVersion}`)
 * ```
 */
export const mysqlSchemaVersion = 3

/** The longest prefix: `<prefix>scope_results` must fit MySQL's 64-character identifiers. */
const maxPrefixLength = 50

/** Checks a table prefix (at most 50 characters: MySQL names are at most 64). */
export function checkTablePrefix(fn: string, prefix: unknown): string {
  return checkSqlTablePrefix(fn, prefix, maxPrefixLength)
}

/** The names of the store's tables for one prefix. */
export interface MysqlTableNames {
  meta: string
  runs: string
  steps: string
  tasks: string
  scopes: string
  scopeResults: string
  inbox: string
  waitFields: string
  threads: string
  messages: string
  records: string
}

export function tableNames(prefix: string): MysqlTableNames {
  return {
    meta: `${prefix}meta`,
    runs: `${prefix}runs`,
    steps: `${prefix}steps`,
    tasks: `${prefix}tasks`,
    scopes: `${prefix}scopes`,
    scopeResults: `${prefix}scope_results`,
    inbox: `${prefix}inbox`,
    waitFields: `${prefix}wait_fields`,
    threads: `${prefix}threads`,
    messages: `${prefix}messages`,
    records: `${prefix}records`,
  }
}

const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin'

/**
 * The schema of the MySQL / MariaDB store, as SQL statements, each idempotent
 * (`CREATE TABLE IF NOT EXISTS`, indexes inline; a statement after each version's tables
 * records its schema version without ever lowering it). `createMysqlStore` applies them itself
 * unless `migrate: false`; teams that run their own migration tool take the text from here, or
 * from the default-prefix files in the package: `sql/mysql/001_init.sql` (version 1),
 * `sql/mysql/002_threads.sql` (version 1 → 2, the conversation threads) and
 * `sql/mysql/003_records.sql` (version 2 → 3, the keyed records).
 *
 * Without `from`, the statements create the current schema: version 1's, then each upgrade's.
 * `from` is the schema version of existing tables: the statements then upgrade them (from `1`:
 * those of `002_threads.sql` and `003_records.sql`; from `2`: those of `003_records.sql`; from
 * the current version: none).
 *
 * Ids (runs, workflows) are `VARBINARY(1020)`: 255 characters of UTF-8, compared byte for byte.
 * Keys that can be long (task ids, step and scope keys, event names and match keys) are indexed
 * by their SHA-256 in a `BINARY(32)` column. JSON values are `LONGTEXT` (parsed by the store),
 * timestamps `BIGINT` epoch milliseconds.
 *
 * @example
 * ```ts
 * import { mysqlMigrations } from '@tessera/connectors/mysql'
 * // A new database:
 * writeFileSync('migrations/001_tessera.sql', mysqlMigrations({ tablePrefix: 'wf_' }).join(';\n\n') + ';\n')
 * // Tables that a release of schema version 2 created:
 * const upgrade = mysqlMigrations({ tablePrefix: 'wf_', from: 2 })
 * writeFileSync('migrations/003_tessera_records.sql', upgrade.join(';\n\n') + ';\n')
 * ```
 */
export function mysqlMigrations(options: { tablePrefix?: string; from?: number } = {}): string[] {
  const t = tableNames(
    checkTablePrefix('mysqlMigrations', options.tablePrefix ?? defaultMysqlTablePrefix),
  )
  const from = options.from
  if (from !== undefined && (!Number.isInteger(from) || from < 1 || from > mysqlSchemaVersion)) {
    throw new InvalidArgumentError({
      fn: 'mysqlMigrations',
      argument: 'from',
      expected: `a schema version from 1 to ${mysqlSchemaVersion}`,
      received: from,
    })
  }
  if (from === mysqlSchemaVersion) return []
  if (from === 1) return [...threadTables(t), ...recordTables(t)]
  if (from === 2) return recordTables(t)
  return [...schemaV1(t), ...threadTables(t), ...recordTables(t)]
}

/**
 * Version 2 → 3: the keyed records, a row per collection and key, the value as JSON text.
 * Collection and key are `VARBINARY`: compared byte for byte, so keys sort in the byte order of
 * their UTF-8 (a `_bin` collation would ignore trailing spaces).
 */
function recordTables(t: MysqlTableNames): string[] {
  return [
    `-- Tessera store for MySQL 8.0+ / MariaDB 10.6+: schema version 2 → 3, keyed records.
-- Every statement is idempotent; the last one records the schema version.
CREATE TABLE IF NOT EXISTS ${t.records} (
  collection VARBINARY(256) NOT NULL,
  record_key VARBINARY(1020) NOT NULL,
  value LONGTEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (collection, record_key)
) ${table}`,
    `INSERT INTO ${t.meta} (name, value) VALUES ('schema_version', 3)
  ON DUPLICATE KEY UPDATE value = GREATEST(value, 3)`,
  ]
}

/**
 * Version 1 → 2: the conversation threads. A thread's row counts its messages (`last_seq`) and
 * holds its summary (JSON text); its messages are numbered rows of JSON text.
 */
function threadTables(t: MysqlTableNames): string[] {
  return [
    `-- Tessera store for MySQL 8.0+ / MariaDB 10.6+: schema version 1 → 2, conversation threads.
-- Every statement is idempotent; the last one records the schema version.
CREATE TABLE IF NOT EXISTS ${t.threads} (
  id VARBINARY(1020) NOT NULL,
  last_seq BIGINT NOT NULL,
  summary LONGTEXT NULL,
  summary_through BIGINT NULL,
  summary_at BIGINT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (id)
) ${table}`,
    `CREATE TABLE IF NOT EXISTS ${t.messages} (
  thread_id VARBINARY(1020) NOT NULL,
  seq BIGINT NOT NULL,
  message LONGTEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (thread_id, seq)
) ${table}`,
    `INSERT INTO ${t.meta} (name, value) VALUES ('schema_version', 2)
  ON DUPLICATE KEY UPDATE value = GREATEST(value, 2)`,
  ]
}

/** The statements of schema version 1 (`sql/mysql/001_init.sql` for the default prefix). */
function schemaV1(t: MysqlTableNames): string[] {
  return [
    `-- Tessera store for MySQL 8.0+ / MariaDB 10.6+, schema version 1.
-- Every statement is idempotent; the last one records the schema version.
CREATE TABLE IF NOT EXISTS ${t.meta} (
  name VARCHAR(64) NOT NULL,
  value BIGINT NOT NULL,
  PRIMARY KEY (name)
) ${table}`,
    `CREATE TABLE IF NOT EXISTS ${t.runs} (
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
) ${table}`,
    `CREATE TABLE IF NOT EXISTS ${t.steps} (
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
) ${table}`,
    `CREATE TABLE IF NOT EXISTS ${t.tasks} (
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
) ${table}`,
    `CREATE TABLE IF NOT EXISTS ${t.scopes} (
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
) ${table}`,
    `CREATE TABLE IF NOT EXISTS ${t.scopeResults} (
  run_id VARBINARY(1020) NOT NULL,
  key_hash BINARY(32) NOT NULL,
  idx INT NOT NULL,
  output LONGTEXT NULL,
  PRIMARY KEY (run_id, key_hash, idx)
) ${table}`,
    `CREATE TABLE IF NOT EXISTS ${t.inbox} (
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
) ${table}`,
    `-- Per event name: one lock row (fields_hash of zeros), and the match-field sets waits used.
CREATE TABLE IF NOT EXISTS ${t.waitFields} (
  name_hash BINARY(32) NOT NULL,
  fields_hash BINARY(32) NOT NULL,
  fields TEXT NULL,
  PRIMARY KEY (name_hash, fields_hash)
) ${table}`,
    `INSERT INTO ${t.meta} (name, value) VALUES ('schema_version', 1)
  ON DUPLICATE KEY UPDATE value = GREATEST(value, 1)`,
  ]
}

/**
 * The statements for one prefix as one script (with `from: 1` and the default prefix, the text
 * of `sql/mysql/002_threads.sql`).
 */
export function mysqlMigrationScript(
  options: { tablePrefix?: string; from?: number } = {},
): string {
  return `${mysqlMigrations(options).join(';\n\n')};\n`
}
