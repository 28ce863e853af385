import { createPool, type Pool } from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, mapSecrets } from '@tessera/core'
import { actionRunner, checkRunner, connectorFailure, rejection } from '../../test/action-kit'
import { requireService, uniqueName } from '../../test/services'
import { waitFor } from '../../test/wait-for'
import { closeMysqlConnectorPools, createMysqlConnector, mysqlConnector } from './mysql-connector'
import { mysqlConnectorConfigSchema } from './mysql-connector-config'
import { runStatement } from './mysql-connector-session'

const uri = 'mysql://root@127.0.0.1:3306/test'
const admin: Pool = createPool({ uri, connectionLimit: 2 })
const up = await requireService('MariaDB/MySQL', uri, () => admin.query('SELECT 1'))

const table = uniqueName('myconn_orders')
const ledger = uniqueName('myconn_idem')
const config = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' }

const run = actionRunner(mysqlConnector, () => config)

async function sleeping(marker: string): Promise<unknown[]> {
  const [rows] = await admin.query(
    "SELECT ID, INFO FROM information_schema.PROCESSLIST WHERE COMMAND <> 'Sleep' AND INFO LIKE ?",
    [`%SLEEP(10) AS ${marker}%`],
  )
  return (rows as unknown[]).filter(
    (row) => !String((row as { INFO?: string }).INFO ?? '').includes('PROCESSLIST'),
  )
}

describe.runIf(up)('the MySQL/MariaDB connector against a real server', () => {
  beforeAll(async () => {
    await admin.query(
      `CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(200) NOT NULL UNIQUE, quantity INT NOT NULL, created DATETIME NOT NULL DEFAULT '2024-05-01 10:00:00', data BLOB NULL)`,
    )
  })
  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}`)
    await admin.query(`DROP TABLE IF EXISTS ${ledger}`)
    await closeMysqlConnectorPools()
    await admin.end()
  })

  it('describes itself, and refuses credentials written into the configuration', () => {
    expect(mysqlConnector).toMatchObject({ id: 'mysql', kind: 'connector' })
    expect(Object.keys(mysqlConnector.actions)).toEqual(['query', 'execute', 'transaction'])
    const schema = mysqlConnectorConfigSchema
    expect(schema.safeParse({ url: { $secret: 'SHOP_MYSQL_URL' } }).success).toBe(true)
    expect(schema.safeParse({ url: uri }).success).toBe(false)
    expect(schema.safeParse({ ...config, password: 'hunter2' }).success).toBe(false)
    expect(schema.safeParse({ ...config, password: { $secret: 'P' } }).success).toBe(true)
    expect(schema.safeParse({ ...config, idempotencyTable: 'a`; DROP' }).success).toBe(false)
  })

  it('runs ? and :name parameters; an injection attempt stays data', async () => {
    const hostile = "x'); DROP TABLE " + table + '; -- \\'
    const inserted = await run('execute', {
      sql: `INSERT INTO ${table} (sku, quantity, data) VALUES (?, ?, ?)`,
      params: [hostile, 3, 'hi'],
    })
    expect(inserted).toMatchObject({ rowCount: 1, replayed: false })
    expect(typeof inserted.insertId).toBe('number')
    const output = await run('query', {
      sql: `SELECT sku, quantity, created, data, CAST(12345678901234567 AS UNSIGNED) AS big FROM ${table} WHERE sku = :sku`,
      params: { sku: hostile },
    })
    expect(output.rows).toEqual([
      {
        sku: hostile,
        quantity: 3,
        created: '2024-05-01 10:00:00',
        data: Buffer.from('hi').toString('base64'),
        big: '12345678901234567',
      },
    ])
    expect(output.rowCount).toBe(1)
    expect(output.fields.map((field: { name: string }) => field.name)).toEqual([
      'sku',
      'quantity',
      'created',
      'data',
      'big',
    ])
    expect(mysqlConnector.actions.query.output.safeParse(output).success).toBe(true)
    const [count] = await admin.query(`SELECT COUNT(*) AS n FROM ${table}`)
    expect((count as { n: number }[])[0]!.n).toBe(1)
  })

  it('refuses a second statement, before sending it and at the server', async () => {
    const error = await connectorFailure(
      run('query', { sql: `SELECT 1; DROP TABLE ${table}`, params: [] }),
    )
    expect(error).toMatchObject({ reason: 'invalid-request' })
    expect(error.message).toContain('expected one SQL statement')
    const fine = await run('query', { sql: "SELECT ';' AS a, 'it\\'s' AS b; # done", params: [] })
    expect(fine.rows).toEqual([{ a: ';', b: "it's" }])
    const [tables] = await admin.query('SHOW TABLES LIKE ?', [table])
    expect(tables).toHaveLength(1)
  })

  it('sends prepared statements, so the server refuses a second statement too', async () => {
    const connection = await admin.getConnection()
    try {
      const session = {
        connection,
        kill: () => undefined,
        killedFor: undefined,
        statementTimeoutMs: undefined,
      }
      const error = await rejection(
        runStatement(session, { sql: `SELECT 1; DROP TABLE ${table}`, params: [] }, 'key'),
      )
      expect(error).toMatchObject({ code: 'ER_PARSE_ERROR' })
    } finally {
      connection.release()
    }
    const [tables] = await admin.query('SHOW TABLES LIKE ?', [table])
    expect(tables).toHaveLength(1)
  })

  it('runs a transaction atomically and rolls all of it back on a failure', async () => {
    const committed = await run('transaction', {
      statements: [
        { sql: `INSERT INTO ${table} (sku, quantity) VALUES (?, ?)`, params: ['T-1', 1] },
        {
          sql: `UPDATE ${table} SET quantity = quantity + :by WHERE sku = :sku`,
          params: { by: 4, sku: 'T-1' },
        },
      ],
    })
    expect(committed.replayed).toBe(false)
    expect(committed.results.map((result: { rowCount: number }) => result.rowCount)).toEqual([1, 1])
    const error = await connectorFailure(
      run('transaction', {
        statements: [
          { sql: `INSERT INTO ${table} (sku, quantity) VALUES (?, ?)`, params: ['T-2', 1] },
          { sql: `INSERT INTO ${table} (sku, quantity) VALUES (?, ?)`, params: ['T-1', 1] },
        ],
      }),
    )
    expect(error).toMatchObject({ reason: 'remote', status: 'ER_DUP_ENTRY', retryable: false })
    expect(error.message).toContain('statement 2')
    const [rows] = await admin.query(
      `SELECT sku, quantity FROM ${table} WHERE sku LIKE 'T-%' ORDER BY sku`,
    )
    expect(rows).toEqual([{ sku: 'T-1', quantity: 5 }])
  })

  it('with idempotencyTable, runs execute and transaction once per idempotency key', async () => {
    const key = uniqueName('run') + ':reserve'
    const options = { config: { idempotencyTable: ledger }, key }
    const statement = {
      sql: `INSERT INTO ${table} (sku, quantity) VALUES (:idempotencyKey, :quantity)`,
      params: { quantity: 2 },
    }
    const first = await run('execute', statement, options)
    expect(first).toMatchObject({ rowCount: 1, replayed: false })
    expect(await run('execute', statement, options)).toEqual({ ...first, replayed: true })
    const tx = { statements: [{ sql: `DELETE FROM ${table} WHERE sku = ?`, params: [key] }] }
    expect(await run('transaction', tx, options)).toMatchObject({ replayed: true })
    const [rows] = await admin.query(`SELECT quantity FROM ${table} WHERE sku = ?`, [key])
    expect(rows).toEqual([{ quantity: 2 }])
    const failed = await connectorFailure(
      run(
        'execute',
        { sql: `INSERT INTO ${table} (sku) VALUES (?)`, params: ['no-quantity'] },
        { ...options, key: 'fails' },
      ),
    )
    expect(failed.reason).toBe('remote')
    const [none] = await admin.query(
      `SELECT COUNT(*) AS n FROM ${ledger} WHERE idempotency_key = 'fails'`,
    )
    expect((none as { n: number }[])[0]!.n).toBe(0)
  })

  it('with idempotencyTable, two concurrent attempts with one key take effect once', async () => {
    const key = uniqueName('run') + ':concurrent'
    const options = { config: { idempotencyTable: ledger }, key }
    const statement = {
      sql: `INSERT INTO ${table} (sku, quantity) SELECT ?, ? FROM (SELECT SLEEP(0.2)) AS pause`,
      params: ['C-1', 1],
    }
    const outcomes = await Promise.all([
      run('execute', statement, options),
      run('execute', statement, options),
    ])
    expect(outcomes.map((outcome) => outcome.replayed).sort()).toEqual([false, true])
    expect(outcomes.map((outcome) => outcome.rowCount)).toEqual([1, 1])
    const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM ${table} WHERE sku = 'C-1'`)
    expect((rows as { n: number }[])[0]!.n).toBe(1)
  })

  it('keeps the connection after an error the server reports, and discards it after an abort', async () => {
    const single = { config: { poolMax: 1 } }
    const id = async () =>
      (await run('query', { sql: 'SELECT CONNECTION_ID() AS id', params: [] }, single)).rows[0]
        .id as number
    const first = await id()
    await connectorFailure(
      run('query', { sql: 'SELECT * FROM no_such_table_xyz', params: [] }, single),
    )
    await connectorFailure(
      run(
        'transaction',
        {
          statements: [
            { sql: `INSERT INTO ${table} (sku, quantity) VALUES (?, ?)`, params: ['K-1', 1] },
            { sql: `INSERT INTO ${table} (sku, quantity) VALUES (?, ?)`, params: ['K-1', 1] },
          ],
        },
        single,
      ),
    )
    expect(await id()).toBe(first)
    const marker = uniqueName('discard')
    const controller = new AbortController()
    const pending = run(
      'query',
      { sql: `SELECT SLEEP(10) AS ${marker}`, params: [] },
      { ...single, signal: controller.signal },
    )
    await waitFor(async () => (await sleeping(marker)).length === 1)
    controller.abort()
    expect(await connectorFailure(pending)).toMatchObject({ reason: 'aborted' })
    expect(await id()).not.toBe(first)
  })

  it('kills a running statement on the server when the signal aborts', async () => {
    const marker = uniqueName('slept')
    const controller = new AbortController()
    const pending = run(
      'query',
      { sql: `SELECT SLEEP(10) AS ${marker}`, params: [] },
      { signal: controller.signal },
    )
    await waitFor(async () => (await sleeping(marker)).length === 1)
    controller.abort(new Error('run cancelled'))
    const error = await connectorFailure(pending)
    expect(error).toMatchObject({ reason: 'aborted', retryable: false })
    await waitFor(async () => (await sleeping(marker)).length === 0)
    expect((await run('query', { sql: 'SELECT 1 AS one', params: [] })).rows).toEqual([{ one: 1 }])
  })

  it('maps statement timeouts, unknown tables, bad SQL, rejected users and unreachable hosts', async () => {
    const marker = uniqueName('slow')
    const timeout = await connectorFailure(
      run(
        'query',
        { sql: `SELECT SLEEP(10) AS ${marker}`, params: [] },
        { config: { statementTimeoutMs: 100 } },
      ),
    )
    expect(timeout).toMatchObject({ reason: 'timeout', retryable: true })
    expect(await sleeping(marker)).toEqual([])
    const missing = await connectorFailure(
      run('query', { sql: 'SELECT * FROM no_such_table_xyz', params: [] }),
    )
    expect(missing).toMatchObject({ reason: 'not-found', status: 'ER_NO_SUCH_TABLE' })
    const syntax = await connectorFailure(run('query', { sql: 'SELEC 1', params: [] }))
    expect(syntax).toMatchObject({ reason: 'invalid-request', status: 'ER_PARSE_ERROR' })
    const user = await connectorFailure(
      run(
        'query',
        { sql: 'SELECT 1', params: [] },
        { config: { user: 'no_such_user_xyz', password: 'not-shown-s3cret' } },
      ),
    )
    expect(user).toMatchObject({ reason: 'unauthorized', status: 'ER_ACCESS_DENIED_ERROR' })
    expect(user.message).not.toContain('not-shown-s3cret')
    const down = await connectorFailure(
      run('query', { sql: 'SELECT 1', params: [] }, { config: { port: 1 } }),
    )
    expect(down).toMatchObject({ reason: 'network', retryable: true })
  })

  it('checks a configuration with SELECT 1', async () => {
    const check = checkRunner(mysqlConnector, () => config)
    await expect(check()).resolves.toBeUndefined()
    expect(await connectorFailure(check({ port: 1 }))).toMatchObject({
      action: 'check',
      reason: 'network',
    })
  })

  it('runs as a workflow action node with a secret reference resolved by the engine', async () => {
    const shop = createMysqlConnector({ id: 'shop-db' })
    const workflow = createWorkflow({
      id: uniqueName('mysql-flow'),
      input: z.object({ sku: z.string() }),
    })
      .map(({ input }) => ({
        sql: `INSERT INTO ${table} (sku, quantity) VALUES (:sku, :quantity)`,
        params: { sku: input.sku, quantity: 9 },
      }))
      .action(shop, 'execute', { url: { $secret: 'SHOP_MYSQL_URL' } })
      .commit()
    const engine = createEngine({ secrets: mapSecrets({ SHOP_MYSQL_URL: uri }) })
    try {
      const started = await engine.start(workflow, { sku: 'E-1' })
      expect(await started.result()).toMatchObject({ rowCount: 1, replayed: false })
      const [rows] = await admin.query(`SELECT quantity FROM ${table} WHERE sku = 'E-1'`)
      expect(rows).toEqual([{ quantity: 9 }])
    } finally {
      await engine.close()
    }
  })
})
