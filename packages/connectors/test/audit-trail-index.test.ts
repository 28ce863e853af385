// The audit trail's index on the stores that keep records across processes: SQLite, PostgreSQL,
// MariaDB/MySQL and Redis. The suite lives with core's tests (packages/core/test/
// audit-trail-suite.ts) and runs there on the memory store. Each test gets empty tables (a
// schema, a table prefix, a key prefix) and a second connection to them for the tests that
// append from two "processes".
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { createPool } from 'mysql2/promise'
import pg from 'pg'
import { afterAll } from 'vitest'
import type { StoreV1 } from '@tessera/core'
import { createMysqlStore } from '@tessera/connectors/mysql'
import { createPostgresStore } from '@tessera/connectors/postgres'
import { createRedisStore } from '@tessera/connectors/redis'
import { createSqliteStore } from '@tessera/connectors/sqlite'
import { describeAuditTrailIndex } from '../../core/test/audit-trail-suite'
import { requireService, uniqueName, whenUp } from './services'
import { pingRedis } from './redis-probe'

/** Closes every store of a test, then drops what they stored. */
const closing = (stores: StoreV1[], drop: () => Promise<unknown>) => async () => {
  for (const store of stores) await store.close()
  await drop()
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-audit-index-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

describeAuditTrailIndex('SQLite store', async () => {
  const filename = join(dir, `audit-${++files}.db`)
  const stores = [createSqliteStore({ filename })]
  return {
    store: stores[0]!,
    async another() {
      stores.push(createSqliteStore({ filename }))
      return stores.at(-1)!
    },
    close: closing(stores, async () => undefined),
  }
})

const postgresUrl = 'postgres://postgres@127.0.0.1:5432/test'
const postgres = new pg.Pool({ connectionString: postgresUrl, max: 2 })
postgres.on('error', () => {})
afterAll(() => postgres.end())
const postgresUp = await requireService('PostgreSQL', postgresUrl, () => postgres.query('SELECT 1'))
whenUp(postgresUp, `PostgreSQL at ${postgresUrl}`, () =>
  describeAuditTrailIndex('PostgreSQL store', async () => {
    const schema = uniqueName('tsr_audit_index')
    const connect = async () => {
      const store = createPostgresStore({ connectionString: postgresUrl }, { schema })
      await store.ready()
      return store
    }
    const stores: StoreV1[] = [await connect()]
    return {
      store: stores[0]!,
      async another() {
        stores.push(await connect())
        return stores.at(-1)!
      },
      close: closing(stores, () => postgres.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)),
    }
  }),
)

const mysqlUri = process.env.TESSERA_MYSQL_URI ?? 'mysql://root@127.0.0.1:3306/test'
const mysql = createPool({ uri: mysqlUri, connectionLimit: 2 })
afterAll(() => mysql.end())
const mysqlUp = await requireService('MariaDB/MySQL', mysqlUri, () => mysql.query('SELECT 1'))
whenUp(mysqlUp, `MariaDB/MySQL at ${mysqlUri}`, () =>
  describeAuditTrailIndex('MariaDB/MySQL store', async () => {
    const tablePrefix = `${uniqueName('tsr_ai')}_`
    const stores: StoreV1[] = [createMysqlStore({ uri: mysqlUri }, { tablePrefix })]
    return {
      store: stores[0]!,
      async another() {
        stores.push(createMysqlStore({ uri: mysqlUri }, { tablePrefix }))
        return stores.at(-1)!
      },
      close: closing(stores, async () => {
        const [rows] = await mysql.query(
          `SELECT table_name AS name FROM information_schema.tables
            WHERE table_schema = DATABASE() AND table_name LIKE ?`,
          [`${tablePrefix.replace(/_/g, '\\_')}%`],
        )
        const names = (rows as { name: string }[]).map((row) => row.name)
        if (names.length > 0) await mysql.query(`DROP TABLE IF EXISTS ${names.join(', ')}`)
      }),
    }
  }),
)

const redisUrl = 'redis://127.0.0.1:6379'
const redisUp = await requireService('Redis', redisUrl, () => pingRedis(redisUrl))
const redis = redisUp ? new Redis(redisUrl) : undefined
afterAll(async () => {
  await redis?.quit()
})
whenUp(redisUp, `Redis at ${redisUrl}`, () =>
  describeAuditTrailIndex('Redis store', async () => {
    const keyPrefix = `${uniqueName('tsr_audit_index')}:`
    const stores: StoreV1[] = [createRedisStore({ url: redisUrl }, { keyPrefix })]
    return {
      store: stores[0]!,
      async another() {
        stores.push(createRedisStore({ url: redisUrl }, { keyPrefix }))
        return stores.at(-1)!
      },
      close: closing(stores, async () => {
        let cursor = '0'
        do {
          const [next, keys] = await redis!.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000)
          if (keys.length > 0) await redis!.unlink(...keys)
          cursor = next
        } while (cursor !== '0')
      }),
    }
  }),
)
