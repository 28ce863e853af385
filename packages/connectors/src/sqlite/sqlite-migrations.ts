import { InvalidArgumentError } from '@tessera/core'

/** The table prefix used when none is given. */
export const defaultSqliteTablePrefix = 'tessera_'

/** Checks a table prefix: letters, digits and underscores, not starting with a digit. */
export function checkTablePrefix(fn: string, prefix: unknown): string {
  if (typeof prefix !== 'string' || !/^(?:[A-Za-z_][A-Za-z0-9_]*)?$/.test(prefix)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'tablePrefix',
      expected: 'letters, digits and underscores, not starting with a digit',
      received: prefix,
    })
  }
  return prefix
}

/** The names of the store's tables for one prefix. */
export interface SqliteTableNames {
  runs: string
  steps: string
  tasks: string
  scopes: string
  scopeResults: string
}

export function tableNames(prefix: string): SqliteTableNames {
  return {
    runs: `${prefix}runs`,
    steps: `${prefix}steps`,
    tasks: `${prefix}tasks`,
    scopes: `${prefix}scopes`,
    scopeResults: `${prefix}scope_results`,
  }
}

/**
 * The schema of the SQLite store, as SQL statements (each idempotent: `CREATE … IF NOT EXISTS`).
 * `createSqliteStore` applies them itself unless `migrate: false`; teams that run their own
 * migration tool take the text from here. JSON values (inputs, outputs, errors, items) are
 * stored as JSON text; timestamps as epoch milliseconds.
 *
 * @example
 * ```ts
 * import { sqliteMigrations } from '@tessera/connectors/sqlite'
 * writeFileSync('migrations/001_tessera.sql', sqliteMigrations({ tablePrefix: 'wf_' }).join(';\n') + ';\n')
 * ```
 */
export function sqliteMigrations(options: { tablePrefix?: string } = {}): string[] {
  const t = tableNames(
    checkTablePrefix('sqliteMigrations', options.tablePrefix ?? defaultSqliteTablePrefix),
  )
  return [
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
  PRIMARY KEY (run_id, key)
)`,
    `CREATE TABLE IF NOT EXISTS ${t.tasks} (
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
)`,
    `CREATE INDEX IF NOT EXISTS ${t.tasks}_run ON ${t.tasks} (run_id)`,
    `CREATE INDEX IF NOT EXISTS ${t.tasks}_available ON ${t.tasks} (available_at)
  WHERE lease_owner IS NULL`,
    `CREATE INDEX IF NOT EXISTS ${t.tasks}_lease ON ${t.tasks} (lease_expires_at)
  WHERE lease_owner IS NOT NULL`,
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
  ]
}
