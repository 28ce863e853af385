import pg from 'pg'
import { afterAll, beforeAll, it } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { requireService, uniqueName } from '../../test/services'
import { closePostgresConnectorPools, postgresConnector } from './postgres-connector'

// The connector conformance suite on the real PostgreSQL server. The connection string is the
// secret; a role that does not exist is the rejected credential. The idempotency key reaches
// the server through idempotencyTable, read back through the admin pool.

const url = 'postgres://postgres:conformance-pg-password@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 2 })
const up = await requireService('PostgreSQL', url, () => admin.query('SELECT 1'))
const ledger = uniqueName('pgconf_idem')
const watchers: ReturnType<typeof setInterval>[] = []

beforeAll(async () => {
  if (up)
    await admin.query(
      `CREATE TABLE IF NOT EXISTS ${ledger} (idempotency_key text PRIMARY KEY, result jsonb, created_at timestamptz NOT NULL DEFAULT now())`,
    )
})
afterAll(async () => {
  watchers.forEach(clearInterval)
  if (up) await admin.query(`DROP TABLE IF EXISTS ${ledger}`)
  await closePostgresConnectorPools()
  await admin.end()
})

/** Watches pg_stat_activity for a statement tagged with `marker`. */
function watchStatement(marker: string) {
  const state = { seen: false, gone: false }
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    admin
      .query("SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1", [
        `SELECT pg_sleep(30) AS ${marker}%`,
      ])
      .then((result) => {
        if (result.rowCount! > 0) state.seen = true
        else if (state.seen) {
          state.gone = true
          clearInterval(timer)
        }
      })
      .catch(() => undefined)
      .finally(() => (busy = false))
  }, 20)
  watchers.push(timer)
  return state
}

if (up)
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
      const state = watchStatement(marker)
      return {
        name: 'query',
        input: { sql: `SELECT pg_sleep(30) AS ${marker}`, params: [] },
        inFlight: () => state.seen,
        released: () => state.gone,
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
  })
else it.skip('PostgreSQL connector conformance (no server)', () => undefined)
