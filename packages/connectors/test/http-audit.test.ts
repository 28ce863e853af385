// The HTTP surface's audit assertions (every state-changing route recorded, denied attempts
// included; a record changed through putRecord found by GET /audit/verify) on the SQLite and
// PostgreSQL stores. The suite lives with core's tests (packages/core/test/http-audit-suite.ts)
// and runs there on the memory store.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll } from 'vitest'
import { createPostgresStore } from '@tessera/connectors/postgres'
import { createSqliteStore } from '@tessera/connectors/sqlite'
import { describeAuditRoutes } from '../../core/test/http-audit-suite'
import { requireService, uniqueName } from './services'

const dir = mkdtempSync(join(tmpdir(), 'tessera-http-audit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

describeAuditRoutes('SQLite store', async () => {
  const store = createSqliteStore({ filename: join(dir, `audit-${++files}.db`) })
  return { store, close: () => store.close() }
})

const url = 'postgres://postgres@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString: url, max: 2 })
admin.on('error', () => {})
afterAll(() => admin.end())
const up = await requireService('PostgreSQL', url, () => admin.query('SELECT 1'))

if (up) {
  describeAuditRoutes('PostgreSQL store', async () => {
    const schema = uniqueName('tsr_audit')
    const store = createPostgresStore({ connectionString: url }, { schema })
    await store.ready()
    return {
      store,
      async close() {
        await store.close()
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      },
    }
  })
}
