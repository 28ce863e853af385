import { createPool } from 'mysql2/promise'
import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { requireService, uniqueName, whenUp } from '../../test/services'
import { createStatementWatch } from '../../test/statement-watch'
import { closeMysqlConnectorPools, mysqlConnector } from './mysql-connector'

// The connector conformance suite on the real MariaDB/MySQL server. The connection URL is the
// secret; a wrong password for root is the rejected credential. The idempotency key reaches the
// server through idempotencyTable, read back through the admin pool.

const uri = 'mysql://root@127.0.0.1:3306/test'
const admin = createPool({ uri, connectionLimit: 2 })
const up = await requireService('MariaDB/MySQL', uri, () => admin.query('SELECT 1'))
const ledger = uniqueName('myconf_idem')
const statements = createStatementWatch()

beforeAll(async () => {
  if (up)
    await admin.query(
      `CREATE TABLE IF NOT EXISTS ${ledger} (idempotency_key VARCHAR(255) NOT NULL PRIMARY KEY, result LONGTEXT NULL, created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`,
    )
})
afterAll(async () => {
  statements.stop()
  if (up) await admin.query(`DROP TABLE IF EXISTS ${ledger}`)
  await closeMysqlConnectorPools()
  await admin.end()
})

whenUp(up, 'MariaDB/MySQL at 127.0.0.1:3306', () =>
  describeConnectorConformance({
    connector: mysqlConnector,
    config: () => ({ url: { $secret: 'MYSQL_URL' }, idempotencyTable: ledger }),
    secrets: { MYSQL_URL: uri },
    action: { name: 'execute', input: { sql: 'SELECT ? AS one', params: [1] } },
    unreachable: () => ({ host: '127.0.0.1', port: 1, user: 'root', database: 'test' }),
    rejectedSecrets: { MYSQL_URL: 'mysql://root:conformance-wrong@127.0.0.1:3306/test' },
    slow: () => {
      const marker = uniqueName('myconf_sleep')
      // Watches the process list for the statement tagged with the marker.
      const watched = statements.watch(async () => {
        const [rows] = await admin.query(
          "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND <> 'Sleep' AND INFO = ?",
          [`SELECT SLEEP(30) AS ${marker}`],
        )
        return (rows as unknown[]).length > 0
      })
      return {
        name: 'query',
        input: { sql: `SELECT SLEEP(30) AS ${marker}`, params: [] },
        ...watched,
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
  }),
)
