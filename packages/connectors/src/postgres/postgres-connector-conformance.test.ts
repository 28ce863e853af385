import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { requireService, uniqueName, whenUp } from '../../test/services'
import { createStatementWatch } from '../../test/statement-watch'
import { closePostgresConnectorPools, postgresConnector } from './postgres-connector'

// The connector conformance suite on the real PostgreSQL server. The connection string is the
// secret; a role that does not exist is the rejected credential. The idempotency key reaches
// the server through idempotencyTable, read back through the admin pool.

const url = 'postgres://postgres:conformance-pg-password@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 2 })
const up = await requireService('PostgreSQL', url, () => admin.query('SELECT 1'))
const ledger = uniqueName('pgconf_idem')
const statements = createStatementWatch()

beforeAll(async () => {
  if (up)
    await admin.query(
      `CREATE TABLE IF NOT EXISTS ${ledger} (idempotency_key text PRIMARY KEY, result jsonb, created_at timestamptz NOT NULL DEFAULT now())`,
    )
})
afterAll(async () => {
  statements.stop()
  if (up) await admin.query(`DROP TABLE IF EXISTS ${ledger}`)
  await closePostgresConnectorPools()
  await admin.end()
})

whenUp(up, 'PostgreSQL at 127.0.0.1:5432', () =>
  describeConnectorConformance({
    connector: postgresConnector,
    config: () => ({ connectionString: { $secret: 'PG_URL' }, idempotencyTable: ledger }),
    secrets: { PG_URL: url },
    action: {
      name: 'execute',
      input: { sql: 'SELECT $1::int AS one', params: [1] },
    },
    unreachable: () => ({ host: '127.0.0.1', port: 1, user: 'postgres', database: 'test' }),
    rejectedSecrets: { PG_URL: 'postgres://no_such_role:conformance-wrong@127.0.0.1:5432/test' },
    slow: () => {
      const marker = uniqueName('pgconf_sleep')
      // Watches pg_stat_activity for the statement tagged with the marker.
      const watched = statements.watch(async () => {
        const result = await admin.query(
          "SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1",
          [`SELECT pg_sleep(30) AS ${marker}%`],
        )
        return result.rowCount! > 0
      })
      return {
        name: 'query',
        input: { sql: `SELECT pg_sleep(30) AS ${marker}`, params: [] },
        ...watched,
      }
    },
    idempotency: {
      lastReceived: async () => {
        const result = await admin.query<{ idempotency_key: string }>(
          `SELECT idempotency_key FROM ${ledger} ORDER BY created_at DESC LIMIT 1`,
        )
        return result.rows[0]?.idempotency_key
      },
    },
  }),
)
