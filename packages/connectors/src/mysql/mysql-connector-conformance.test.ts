import { createPool } from 'mysql2/promise'
import { afterAll, beforeAll, it } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { requireService, uniqueName } from '../../test/services'
import { closeMysqlConnectorPools, mysqlConnector } from './mysql-connector'

// The connector conformance suite on the real MariaDB/MySQL server. The connection URL is the
// secret; a wrong password for root is the rejected credential. The idempotency key reaches the
// server through idempotencyTable, read back through the admin pool.

const uri = 'mysql://root@127.0.0.1:3306/test'
const admin = createPool({ uri, connectionLimit: 2 })
const up = await requireService('MariaDB/MySQL', uri, () => admin.query('SELECT 1'))
const ledger = uniqueName('myconf_idem')
const watchers: ReturnType<typeof setInterval>[] = []

beforeAll(async () => {
  if (up)
    await admin.query(
      `CREATE TABLE IF NOT EXISTS ${ledger} (idempotency_key VARCHAR(255) NOT NULL PRIMARY KEY, result LONGTEXT NULL, created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`,
    )
})
afterAll(async () => {
  watchers.forEach(clearInterval)
  if (up) await admin.query(`DROP TABLE IF EXISTS ${ledger}`)
  await closeMysqlConnectorPools()
  await admin.end()
})

/** Watches the process list for a statement tagged with `marker`. */
function watchStatement(marker: string) {
  const state = { seen: false, gone: false }
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    admin
      .query(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND <> 'Sleep' AND INFO = ?",
        [`SELECT SLEEP(30) AS ${marker}`],
      )
      .then(([rows]) => {
        if ((rows as unknown[]).length > 0) state.seen = true
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
    connector: mysqlConnector,
    config: () => ({ url: { $secret: 'MYSQL_URL' }, idempotencyTable: ledger }),
    secrets: { MYSQL_URL: uri },
    action: { name: 'execute', input: { sql: 'SELECT ? AS one', params: [1] } },
    unreachable: () => ({ host: '127.0.0.1', port: 1, user: 'root', database: 'test' }),
    rejectedSecrets: { MYSQL_URL: 'mysql://root:conformance-wrong@127.0.0.1:3306/test' },
    slow: () => {
      const marker = uniqueName('myconf_sleep')
      const state = watchStatement(marker)
      return {
        name: 'query',
        input: { sql: `SELECT SLEEP(30) AS ${marker}`, params: [] },
        inFlight: () => state.seen,
        released: () => state.gone,
      }
    },
    idempotency: {
      lastReceived: async () => {
        const [rows] = await admin.query(
          `SELECT idempotency_key FROM ${ledger} ORDER BY created_at DESC LIMIT 1`,
        )
        return (rows as { idempotency_key: string }[])[0]?.idempotency_key
      },
    },
  })
else it.skip('MySQL connector conformance (no server)', () => undefined)
