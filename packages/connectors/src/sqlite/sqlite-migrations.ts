import { InvalidArgumentError } from '@tessera/core'
import { checkTablePrefix } from '../table-prefix'

export { checkTablePrefix }

/** The table prefix used when none is given. */
export const defaultSqliteTablePrefix = 'tessera_'

/**
 * The schema version this code writes and reads, kept in the `<prefix>meta` table
 * (`key = 'schema_version'`). Version 0 is the schema from before versions (no meta table);
 * version 2 added the conversation threads (tables `threads` and `messages`), version 3 the keyed
 * records (table `records`).
 *
 * @example
 * ```ts
 * import { sqliteSchemaVersion } from '@tessera/connectors/sqlite'
 * console.log(`Tessera SQLite schema v${sqliteSchemaVersion}`)
 * ```
 */
export const sqliteSchemaVersion = 3

/** The names of the store's tables for one prefix. */
export interface SqliteTableNames {
  runs: string
  steps: string
  tasks: string
  scopes: string
  scopeResults: string
  inbox: string
  meta: string
  threads: string
  messages: string
  records: string
}

export function tableNames(prefix: string): SqliteTableNames {
  return {
    runs: `${prefix}runs`,
    steps: `${prefix}steps`,
    tasks: `${prefix}tasks`,
    scopes: `${prefix}scopes`,
    scopeResults: `${prefix}scope_results`,
    inbox: `${prefix}inbox`,
    meta: `${prefix}meta`,
    threads: `${prefix}threads`,
    messages: `${prefix}messages`,
    records: `${prefix}records`,
  }
}

/**
 * The tasks table. WITHOUT ROWID and no index on `run_id`: a commit then writes two pages of it
 * (the row, and its entry in the lease or ready index) instead of four. A run's tasks are found
 * by their ids, which begin with the run id and a slash (`runId/key`, as the engine makes them);
 * the few that might not are in the small `_run_other` index. See {@link runTasks}.
 */
export function tasksTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
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
) WITHOUT ROWID`
}

/** A task whose id does not begin with its run id and a slash. */
const foreignTaskId = `substr(id, 1, length(run_id) + 1) <> run_id || '/'`

/**
 * The condition that selects the tasks of the run bound to `@run`, with two index searches: the
 * primary key range of ids that begin with `<run id>/` (`'/'` is followed by `'0'` in byte
 * order), and the `_run_other` index for any other id.
 */
export const runTasks = `((id >= @run || '/' AND id < @run || '0' AND run_id = @run)
  OR (run_id = @run AND ${foreignTaskId}))`

/** The columns of version 0's tasks table (copied over when it is rebuilt). */
const tasksColumnsV0 = `id, run_id, workflow_id, workflow_version, node_id, key, path, input,
  attempt, available_at, fence, lease_owner, lease_expires_at, last_error`

/** Version 0 → 1, step by step: `[what it does, its statements]`. */
export function upgradeFromV0(t: SqliteTableNames): { step: string; statements: string[] }[] {
  return [
    { step: 'steps.input', statements: [`ALTER TABLE ${t.steps} ADD COLUMN input TEXT`] },
    {
      // WITHOUT ROWID needs a new table: the pending tasks are copied into it.
      step: 'tasks WITHOUT ROWID',
      statements: [
        tasksTable(`${t.tasks}_v1`),
        `INSERT INTO ${t.tasks}_v1 (${tasksColumnsV0}) SELECT ${tasksColumnsV0} FROM ${t.tasks}`,
        `DROP TABLE ${t.tasks}`,
        `ALTER TABLE ${t.tasks}_v1 RENAME TO ${t.tasks}`,
      ],
    },
  ]
}

/** The statement that records a schema version (never lowers it). */
export function versionStatement(t: SqliteTableNames, version: number): string {
  return `INSERT INTO ${t.meta} (key, value) VALUES ('schema_version', ${version})
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value < excluded.value`
}

/**
 * Version 1 → 2: the conversation threads. A thread's row counts its messages (`last_seq`) and
 * holds its summary; its messages are numbered rows of JSON text (`seq` 1, 2, …).
 */
export function upgradeToV2(t: SqliteTableNames): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.threads} (
  id TEXT PRIMARY KEY NOT NULL,
  last_seq INTEGER NOT NULL,
  summary TEXT,
  summary_through INTEGER,
  summary_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS ${t.messages} (
  thread_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  message TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (thread_id, seq)
) WITHOUT ROWID`,
    versionStatement(t, 2),
  ]
}

/**
 * Version 2 → 3: the keyed records, a row per collection and key, the value as JSON text. The
 * key columns keep SQLite's default BINARY collation: keys sort in the byte order of their
 * UTF-8, as in every store.
 */
export function upgradeToV3(t: SqliteTableNames): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.records} (
  collection TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (collection, key)
) WITHOUT ROWID`,
    versionStatement(t, 3),
  ]
}

/** The current schema, each statement idempotent: version 1's, then each upgrade since. */
export function schemaStatements(t: SqliteTableNames): string[] {
  return [...schemaV1(t), ...upgradeToV2(t), ...upgradeToV3(t)]
}

/** The schema of version 1 (shipped as `sql/sqlite/001_init.sql`), each statement idempotent. */
function schemaV1(t: SqliteTableNames): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.meta} (
  key TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${t.runs} (
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
)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${t.runs}_idempotency
  ON ${t.runs} (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${t.runs}_created ON ${t.runs} (created_at, id)`,
    `CREATE INDEX IF NOT EXISTS ${t.runs}_workflow_created
  ON ${t.runs} (workflow_id, created_at, id)`,
    `CREATE INDEX IF NOT EXISTS ${t.runs}_ended ON ${t.runs} (ended_at) WHERE ended_at IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS ${t.steps} (
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
)`,
    tasksTable(t.tasks),
    `CREATE INDEX IF NOT EXISTS ${t.tasks}_run_other ON ${t.tasks} (run_id) WHERE ${foreignTaskId}`,
    `CREATE INDEX IF NOT EXISTS ${t.tasks}_ready ON ${t.tasks} (available_at)
  WHERE lease_owner IS NULL AND parked = 0`,
    `CREATE INDEX IF NOT EXISTS ${t.tasks}_lease ON ${t.tasks} (lease_expires_at)
  WHERE lease_owner IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${t.tasks}_event_wait
  ON ${t.tasks} (wait_name, wait_match_fields, wait_match_key)
  WHERE wait_kind = 'event' AND wait_resolution IS NULL`,
    `CREATE TABLE IF NOT EXISTS ${t.scopes} (
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  expected INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  items TEXT,
  closed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, key)
)`,
    `CREATE TABLE IF NOT EXISTS ${t.scopeResults} (
  run_id TEXT NOT NULL,
  scope_key TEXT NOT NULL,
  idx INTEGER NOT NULL,
  output TEXT,
  PRIMARY KEY (run_id, scope_key, idx)
)`,
    `CREATE TABLE IF NOT EXISTS ${t.inbox} (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  payload TEXT,
  run_id TEXT,
  received_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${t.inbox}_name ON ${t.inbox} (name, received_at)`,
    `CREATE INDEX IF NOT EXISTS ${t.inbox}_expires ON ${t.inbox} (expires_at)`,
    versionStatement(t, 1),
  ]
}

/**
 * The schema of the SQLite store, as SQL statements. `createSqliteStore` applies them itself
 * (unless `migrate: false`); teams that run their own migration tool take the text from here.
 * JSON values (inputs, outputs, errors, items) are stored as JSON text; timestamps as epoch
 * milliseconds. The schema version is recorded in the `<prefix>meta` table.
 *
 * Without `from`, the statements create the current schema in a database that has none of it,
 * and each is idempotent (`CREATE … IF NOT EXISTS`): version 1's (`sql/sqlite/001_init.sql` in
 * the package), then version 2's (`sql/sqlite/002_threads.sql`), then version 3's
 * (`sql/sqlite/003_records.sql`). `from` is the schema version of an existing database; the
 * statements then upgrade it to the current one. From `1` they are the statements of
 * `002_threads.sql` and `003_records.sql`, from `2` those of `003_records.sql` (idempotent).
 * From `0` (created before schema versions, without
 * a meta table) they begin with the columns it lacks (`ALTER TABLE … ADD COLUMN`, not
 * repeatable: run them once). `createSqliteStore` upgrades a database itself, any number of times.
 *
 * @example
 * ```ts
 * import { sqliteMigrations } from '@tessera/connectors/sqlite'
 * // A new database:
 * writeFileSync('migrations/001_tessera.sql', sqliteMigrations({ tablePrefix: 'wf_' }).join(';\n') + ';\n')
 * // One that a release of schema version 2 created (it gains the records table):
 * writeFileSync(
 *   'migrations/003_tessera_records.sql',
 *   sqliteMigrations({ tablePrefix: 'wf_', from: 2 }).join(';\n') + ';\n',
 * )
 * ```
 */
export function sqliteMigrations(options: { tablePrefix?: string; from?: number } = {}): string[] {
  const t = tableNames(
    checkTablePrefix('sqliteMigrations', options.tablePrefix ?? defaultSqliteTablePrefix),
  )
  const from = options.from
  if (from !== undefined && (!Number.isInteger(from) || from < 0 || from > sqliteSchemaVersion)) {
    throw new InvalidArgumentError({
      fn: 'sqliteMigrations',
      argument: 'from',
      expected: `a schema version from 0 to ${sqliteSchemaVersion}`,
      received: from,
    })
  }
  if (from === 1) return [...upgradeToV2(t), ...upgradeToV3(t)]
  if (from === 2) return upgradeToV3(t)
  if (from === sqliteSchemaVersion) return []
  const upgrades = from === 0 ? upgradeFromV0(t).flatMap((upgrade) => upgrade.statements) : []
  return [...upgrades, ...schemaStatements(t)]
}
