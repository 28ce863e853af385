// Published definitions across processes on real shared stores: a SQLite file and a PostgreSQL
// schema, with a connection per engine and the store as the transport (as `tessera serve
// --no-worker`, `tessera worker` and server replicas have them). The suite lives with core's
// tests (packages/core/test/published-definitions-suite.ts) and runs there on the memory store.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll } from 'vitest'
import type { StoreV1 } from '@tessera/core'
import { createPostgresStore } from '@tessera/connectors/postgres'
import { createSqliteStore } from '@tessera/connectors/sqlite'
import { describePublishedDefinitions } from '../../core/test/published-definitions-suite'
import { requireService, uniqueName, whenUp } from './services'

const dir = mkdtempSync(join(tmpdir(), 'tessera-published-definitions-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

describePublishedDefinitions('SQLite file, a connection per engine', async () => {
  const filename = join(dir, `published-${++files}.db`)
  const stores: StoreV1[] = []
  return {
    connect() {
      const store = createSqliteStore({ filename })
      stores.push(store)
      return { store }
    },
    async close() {
      for (const store of stores) await store.close()
    },
  }
})

const url = 'postgres://postgres@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString: url, max: 2 })
admin.on('error', () => {})
afterAll(() => admin.end())
const up = await requireService('PostgreSQL', url, () => admin.query('SELECT 1'))

whenUp(up, 'PostgreSQL at 127.0.0.1:5432', () =>
  describePublishedDefinitions('PostgreSQL, a connection per engine', async () => {
    const schema = uniqueName('tsr_published')
    // This connection creates the schema; every engine then gets a connection of its own.
    const first = createPostgresStore({ connectionString: url }, { schema })
    await first.ready()
    const stores: StoreV1[] = [first]
    return {
      connect() {
        const store = createPostgresStore({ connectionString: url }, { schema })
        stores.push(store)
        return { store }
      },
      async close() {
        for (const store of stores) await store.close()
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      },
    }
  }),
)
