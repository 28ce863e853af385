// Opening a database: the schema-version guard and the forward migration.
import type Database from 'better-sqlite3'
import { StoreError } from '@tessera/core'
import { provider } from './sqlite-errors'
import {
  schemaStatements,
  upgradeFromV0,
  sqliteSchemaVersion,
  type SqliteTableNames,
} from './sqlite-migrations'
import { metaVersion, type Row } from './sqlite-rows'

/**
 * The schema version of the store's tables in `db`: `undefined` when there are none, `0` for the
 * tables of the version without a meta table.
 */
function schemaVersion(db: Database.Database, t: SqliteTableNames): number | undefined {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck()
  if (exists.get(t.meta) === undefined) return exists.get(t.runs) === undefined ? undefined : 0
  const row = db.prepare(`SELECT * FROM ${t.meta} WHERE key = 'schema_version'`).get() as
    Row | undefined
  return row === undefined ? 0 : metaVersion(t.meta, row)
}

function refuseNewer(version: number | undefined, t: SqliteTableNames) {
  if (version !== undefined && version > sqliteSchemaVersion) {
    throw new StoreError(
      provider,
      `The database has schema version ${version} (table ${t.meta}), newer than the version ` +
        `${sqliteSchemaVersion} this version of @tessera/connectors knows: upgrade ` +
        `@tessera/connectors to open it. Nothing was written.`,
    )
  }
}

/**
 * Brings the store's tables in `db` to the current schema, in one IMMEDIATE transaction
 * (concurrent openers wait for each other): creates them, or adds what an older version lacks
 * (version 0's columns, then every table since: the current schema's statements are idempotent).
 * Refuses, writing nothing, a database whose schema version is newer than this code's.
 * Idempotent: a database at the current version is only read.
 */
export function migrate(db: Database.Database, t: SqliteTableNames): void {
  db.transaction(() => {
    const version = schemaVersion(db, t)
    refuseNewer(version, t)
    if (version === sqliteSchemaVersion) return
    if (version === 0) {
      // Tables of version 0: each upgrade step runs unless the database already has its result.
      const done = {
        'steps.input': () =>
          (db.prepare(`PRAGMA table_info(${t.steps})`).all() as { name: string }[]).some(
            (column) => column.name === 'input',
          ),
        'tasks WITHOUT ROWID': () =>
          /WITHOUT\s+ROWID/i.test(
            String(
              db
                .prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`)
                .pluck()
                .get(t.tasks) ?? '',
            ),
          ),
      } as Record<string, () => boolean>
      for (const { step, statements } of upgradeFromV0(t)) {
        if (!done[step]!()) for (const statement of statements) db.exec(statement)
      }
    }
    for (const statement of schemaStatements(t)) db.exec(statement)
  }).immediate()
}

/**
 * With `migrate: false`: only checks that the schema the caller applied is not newer than
 * this code, and not older (statements are prepared next, and fail on missing tables).
 */
export function checkSchema(db: Database.Database, t: SqliteTableNames): void {
  const version = schemaVersion(db, t)
  refuseNewer(version, t)
  if (version !== undefined && version < sqliteSchemaVersion) {
    throw new StoreError(
      provider,
      `The database has schema version ${version}, older than the version ` +
        `${sqliteSchemaVersion} this code needs: apply sqliteMigrations({ from: ${version} }) ` +
        'or open it with migrate: true.',
    )
  }
}
