import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, mapSecrets } from '@tessera/core'
import { actionRunner, checkRunner, connectorFailure, rejection } from '../../test/action-kit'
import { requireService, uniqueName } from '../../test/services'
import { waitFor } from '../../test/wait-for'
import {
  closePostgresConnectorPools,
  createPostgresConnector,
  postgresConnector,
} from './postgres-connector'
import { postgresConnectorConfigSchema } from './postgres-connector-config'
import { runStatement } from './postgres-connector-session'

const url = 'postgres://postgres@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString: url, max: 2 })
const up = await requireService('PostgreSQL', url, () => admin.query('SELECT 1'))

const table = uniqueName('pgconn_orders')
const ledger = uniqueName('pgconn_idem')
const appName = uniqueName('pgconn')
const base = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' }
const config = { ...base, applicationName: appName }

const run = actionRunner(postgresConnector, () => config)

describe.runIf(up)('the PostgreSQL connector against a real server', () => {
  beforeAll(async () => {
    await admin.query(
      `CREATE TABLE ${table} (id serial PRIMARY KEY, sku text NOT NULL UNIQUE, quantity int NOT NULL, created timestamptz NOT NULL DEFAULT '2024-05-01T10:00:00Z', data bytea)`,
    )
  })
  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}`)
    await admin.query(`DROP TABLE IF EXISTS ${ledger}`)
    await closePostgresConnectorPools()
    await admin.end()
  })

  it('describes itself, and refuses credentials written into the configuration', () => {
    expect(postgresConnector).toMatchObject({
      id: 'postgres',
      name: 'PostgreSQL',
      kind: 'connector',
    })
    expect(Object.keys(postgresConnector.actions)).toEqual(['query', 'execute', 'transaction'])
    const schema = postgresConnectorConfigSchema
    expect(schema.safeParse({ connectionString: { $secret: 'DB_URL' } }).success).toBe(true)
    expect(schema.safeParse({ connectionString: url }).success).toBe(false)
    expect(schema.safeParse({ ...base, password: 'hunter2' }).success).toBe(false)
    expect(schema.safeParse({ ...base, password: { $secret: 'PG_PASSWORD' } }).success).toBe(true)
    expect(schema.safeParse({ user: 'postgres' }).success).toBe(false)
    expect(schema.safeParse({ ...base, idempotencyTable: 'x; DROP TABLE y' }).success).toBe(false)
    expect(schema.safeParse({ ...base, extra: 1 }).success).toBe(false)
  })

  it('inserts and queries with $n parameters; an injection attempt stays data', async () => {
    const hostile = "x'); DROP TABLE " + table + '; --'
    const inserted = await run('execute', {
      sql: `INSERT INTO ${table} (sku, quantity, data) VALUES ($1, $2, $3)`,
      params: [hostile, 3, '\\x6869'],
    })
    expect(inserted).toEqual({ rowCount: 1, replayed: false })
    const output = await run('query', {
      sql: `SELECT sku, quantity, created, data, 12345678901234::int8 AS big FROM ${table} WHERE sku = $1`,
      params: [hostile],
    })
    expect(output.rowCount).toBe(1)
    expect(output.rows).toEqual([
      {
        sku: hostile,
        quantity: 3,
        created: '2024-05-01T10:00:00.000Z',
        data: Buffer.from('hi').toString('base64'),
        big: '12345678901234',
      },
    ])
    expect(output.fields.map((field: { name: string }) => field.name)).toEqual([
      'sku',
      'quantity',
      'created',
      'data',
      'big',
    ])
    expect(postgresConnector.actions.query.output.safeParse(output).success).toBe(true)
    const still = await admin.query(`SELECT count(*)::int AS n FROM ${table}`)
    expect(still.rows[0].n).toBe(1)
  })

  it('refuses a second statement with a typed error before sending it, and never runs it', async () => {
    const error = await connectorFailure(
      run('query', { sql: `SELECT 1; DROP TABLE ${table}`, params: [] }),
    )
    expect(error).toMatchObject({ reason: 'invalid-request', retryable: false })
    expect(error.message).toContain('expected one SQL statement')
    // Semicolons inside literals, identifiers, comments and dollar quotes are not separators.
    const fine = await run('query', {
      sql: `SELECT ';' AS a, $$;$$ AS b /* ; */ -- ;\n;`,
      params: [],
    })
    expect(fine.rows).toEqual([{ a: ';', b: ';' }])
    const exists = await admin.query(`SELECT to_regclass($1) AS t`, [table])
    expect(exists.rows[0].t).toBe(table)
  })

  it('sends statements over the extended protocol, so the server refuses a second one too', async () => {
    const client = await admin.connect()
    try {
      const error = await rejection(
        runStatement(client, { sql: `SELECT 1; DROP TABLE ${table}`, params: [] }, 'key'),
      )
      expect(error).toMatchObject({ code: '42601' })
    } finally {
      client.release()
    }
    const exists = await admin.query(`SELECT to_regclass($1) AS t`, [table])
    expect(exists.rows[0].t).toBe(table)
  })

  it('runs a transaction atomically and rolls all of it back on a failure', async () => {
    const committed = await run('transaction', {
      statements: [
        { sql: `INSERT INTO ${table} (sku, quantity) VALUES ($1, $2)`, params: ['T-1', 1] },
        {
          sql: `UPDATE ${table} SET quantity = quantity + $1 WHERE sku = $2 RETURNING quantity`,
          params: [4, 'T-1'],
        },
      ],
    })
    expect(committed).toEqual({
      results: [
        { rowCount: 1, rows: [] },
        { rowCount: 1, rows: [{ quantity: 5 }] },
      ],
      replayed: false,
    })
    const error = await connectorFailure(
      run('transaction', {
        statements: [
          { sql: `INSERT INTO ${table} (sku, quantity) VALUES ($1, $2)`, params: ['T-2', 1] },
          { sql: `INSERT INTO ${table} (sku, quantity) VALUES ($1, $2)`, params: ['T-1', 1] },
        ],
      }),
    )
    expect(error).toMatchObject({ reason: 'remote', status: '23505', retryable: false })
    expect(error.message).toContain('statement 2')
    const rows = await admin.query(`SELECT sku FROM ${table} WHERE sku LIKE 'T-%' ORDER BY sku`)
    expect(rows.rows).toEqual([{ sku: 'T-1' }])
  })

  it('with idempotencyTable, runs execute and transaction once per idempotency key', async () => {
    const key = uniqueName('run') + ':charge'
    const options = { config: { idempotencyTable: ledger }, key }
    const statement = {
      sql: `INSERT INTO ${table} (sku, quantity) VALUES ($1, $2)`,
      params: ['I-1', 1],
    }
    expect(await run('execute', statement, options)).toEqual({ rowCount: 1, replayed: false })
    // A retry of the same step (same key) does not insert again, and reports the first count.
    expect(await run('execute', statement, options)).toEqual({ rowCount: 1, replayed: true })
    const keyParam = await run(
      'transaction',
      {
        statements: [
          {
            sql: `INSERT INTO ${table} (sku, quantity) VALUES ($2, $1) RETURNING sku`,
            params: [1],
            idempotencyKeyParam: true,
          },
        ],
      },
      { ...options, key: 'tx-key-1' },
    )
    expect(keyParam.results[0].rows).toEqual([{ sku: 'tx-key-1' }])
    const again = await run(
      'transaction',
      { statements: [{ sql: `DELETE FROM ${table}`, params: [] }] },
      { ...options, key: 'tx-key-1' },
    )
    expect(again).toEqual({ results: keyParam.results, replayed: true })
    const count = await admin.query(
      `SELECT count(*)::int AS n FROM ${table} WHERE sku IN ('I-1', 'tx-key-1')`,
    )
    expect(count.rows[0].n).toBe(2)
    const recorded = await admin.query(`SELECT idempotency_key FROM ${ledger} ORDER BY 1`)
    expect(recorded.rows.map((row) => row.idempotency_key).sort()).toEqual([key, 'tx-key-1'].sort())
    // A failed attempt records nothing: the key stays free for the retry.
    const failed = await connectorFailure(
      run(
        'execute',
        { sql: `INSERT INTO ${table} (sku) VALUES ($1)`, params: ['x'] },
        {
          ...options,
          key: 'fails',
        },
      ),
    )
    expect(failed.status).toBe('23502')
    const none = await admin.query(
      `SELECT count(*)::int AS n FROM ${ledger} WHERE idempotency_key = 'fails'`,
    )
    expect(none.rows[0].n).toBe(0)
  })

  it('with idempotencyTable, two concurrent attempts with one key take effect once', async () => {
    const key = uniqueName('run') + ':concurrent'
    const options = { config: { idempotencyTable: ledger }, key }
    const statement = {
      sql: `INSERT INTO ${table} (sku, quantity) SELECT $1, $2 FROM pg_sleep(0.2)`,
      params: ['C-1', 1],
    }
    const outcomes = await Promise.all([
      run('execute', statement, options),
      run('execute', statement, options),
    ])
    expect(outcomes.map((outcome) => outcome.replayed).sort()).toEqual([false, true])
    expect(outcomes.map((outcome) => outcome.rowCount)).toEqual([1, 1])
    const count = await admin.query(`SELECT count(*)::int AS n FROM ${table} WHERE sku = 'C-1'`)
    expect(count.rows[0].n).toBe(1)
  })

  it('keeps the connection after an error the server reports, and discards it after an abort', async () => {
    const single = { config: { poolMax: 1, applicationName: uniqueName('pgconn_single') } }
    const pid = async () =>
      (await run('query', { sql: 'SELECT pg_backend_pid() AS pid', params: [] }, single)).rows[0]
        .pid as number
    const first = await pid()
    await connectorFailure(
      run('query', { sql: 'SELECT * FROM no_such_table_xyz', params: [] }, single),
    )
    await connectorFailure(
      run('transaction', { statements: [{ sql: 'SELECT 1 / $1::int', params: [0] }] }, single),
    )
    expect(await pid()).toBe(first)
    const controller = new AbortController()
    const pending = run(
      'query',
      { sql: 'SELECT pg_sleep(10)', params: [] },
      {
        ...single,
        signal: controller.signal,
      },
    )
    await waitFor(async () => {
      const active = await admin.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'SELECT pg_sleep%' AND state = 'active'",
        [single.config.applicationName],
      )
      return active.rowCount === 1
    })
    controller.abort()
    expect(await connectorFailure(pending)).toMatchObject({ reason: 'aborted' })
    expect(await pid()).not.toBe(first)
  })

  it('cancels a running statement on the server when the signal aborts', async () => {
    const controller = new AbortController()
    const pending = run(
      'query',
      { sql: 'SELECT pg_sleep(10)', params: [] },
      { signal: controller.signal },
    )
    await waitFor(async () => (await sleeping()).length === 1)
    controller.abort(new Error('run cancelled'))
    const error = await connectorFailure(pending)
    expect(error).toMatchObject({ reason: 'aborted', retryable: false })
    await waitFor(async () => (await sleeping()).length === 0)
    expect(await sleeping()).toEqual([])
    // The pool still works after the cancelled connection was discarded.
    expect((await run('query', { sql: 'SELECT 1 AS one', params: [] })).rows).toEqual([{ one: 1 }])
  })

  it('maps statement timeouts, unknown tables, bad SQL, rejected users and unreachable hosts', async () => {
    const timeout = await connectorFailure(
      run(
        'query',
        { sql: 'SELECT pg_sleep(5)', params: [] },
        { config: { statementTimeoutMs: 50 } },
      ),
    )
    expect(timeout).toMatchObject({ reason: 'timeout', status: '57014', retryable: true })
    const missing = await connectorFailure(
      run('query', { sql: 'SELECT * FROM no_such_table_xyz', params: [] }),
    )
    expect(missing).toMatchObject({ reason: 'not-found', status: '42P01' })
    const syntax = await connectorFailure(run('query', { sql: 'SELEC 1', params: [] }))
    expect(syntax).toMatchObject({ reason: 'invalid-request', status: '42601' })
    const badValue = await connectorFailure(
      run('query', { sql: 'SELECT $1::int', params: ['abc'] }),
    )
    expect(badValue).toMatchObject({ reason: 'invalid-request', status: '22P02' })
    const user = await connectorFailure(
      run(
        'query',
        { sql: 'SELECT 1', params: [] },
        { config: { user: 'no_such_role_xyz', password: 'not-shown-s3cret' } },
      ),
    )
    expect(user).toMatchObject({ reason: 'unauthorized', retryable: false })
    expect(user.message).not.toContain('not-shown-s3cret')
    const down = await connectorFailure(
      run(
        'query',
        { sql: 'SELECT 1', params: [] },
        { config: { port: 1, password: 'not-shown-s3cret' } },
      ),
    )
    expect(down).toMatchObject({ reason: 'network', retryable: true })
    expect(down.message).not.toContain('not-shown-s3cret')
  })

  it('checks a configuration with SELECT 1', async () => {
    const check = checkRunner(postgresConnector, () => config)
    await expect(check()).resolves.toBeUndefined()
    const error = await connectorFailure(check({ port: 1 }))
    expect(error).toMatchObject({ action: 'check', reason: 'network' })
  })

  it('runs as a workflow action node with a secret reference resolved by the engine', async () => {
    const orders = createPostgresConnector({ id: 'orders-db' })
    const workflow = createWorkflow({
      id: uniqueName('pg-flow'),
      input: z.object({ sku: z.string() }),
    })
      .map(({ input }) => ({
        sql: `INSERT INTO ${table} (sku, quantity) VALUES ($1, $2) RETURNING id`,
        params: [input.sku, 7],
      }))
      .action(orders, 'query', {
        ...base,
        password: { $secret: 'ORDERS_DB_PASSWORD' },
        applicationName: appName,
      })
      .commit()
    const engine = createEngine({ secrets: mapSecrets({ ORDERS_DB_PASSWORD: 'unused-by-trust' }) })
    try {
      const started = await engine.start(workflow, { sku: 'E-1' })
      const output = (await started.result()) as unknown as {
        rows: { id: number }[]
        rowCount: number
      }
      expect(output.rowCount).toBe(1)
      const row = await admin.query(`SELECT quantity FROM ${table} WHERE id = $1`, [
        output.rows[0]!.id,
      ])
      expect(row.rows).toEqual([{ quantity: 7 }])
    } finally {
      await engine.close()
    }
  })

  async function sleeping(): Promise<unknown[]> {
    const result = await admin.query(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'SELECT pg_sleep%' AND state = 'active'",
      [appName],
    )
    return result.rows
  }
})
