// W3 on a server database, in its own process: `node --expose-gc src/durable-w3.mjs
// w3-postgres|w3-mysql`. Spawned by run.mjs; progress on stderr, figures on stdout as one line
// `@@RESULT {json}`. A wrong output throws (non-zero exit). An unreachable server is reported as
// skipped, not as a failure.
//
// Engine: W1 (ten `{ n } → { n: n + 1 }` steps) on createPostgresStore / createMysqlStore, one
// engine in the process with default options (the store is its transport), runs awaited one
// after another. Baseline: the same ten async functions, each followed by one INSERT of its
// output, by hand, through the same driver and pool (autocommit). Both in a fresh schema
// (PostgreSQL) / database (MySQL), dropped at the end.
import { check, W1_INPUT, W1_OUTPUT } from './baselines.mjs'
import {
  countMysqlQueries,
  countPgQueries,
  countStoreCalls,
  createCounter,
  freshName,
  labelMysqlPool,
  labelPgPool,
  MYSQL_URL,
  PG_URL,
  processCpuSeconds,
  withDatabase,
} from './durable-common.mjs'
import { MB, median, round, summarize } from './stats.mjs'

const name = process.argv[2]
const scale = Number(process.env.BENCH_SCALE ?? 1)
const count = (n) => Math.max(1, Math.round(n * scale))
const progress = (message) => process.stderr.write(`    [${name}] ${message}\n`)
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {}
const STEPS = 10

const counter = createCounter()
const incs = Array.from({ length: STEPS }, () => async (input) => ({ n: input.n + 1 }))

// ── PostgreSQL ───────────────────────────────────────────────────────────────────────────────

async function postgres() {
  const { default: pg } = await import('pg')
  // Two pools of the same driver and settings: the store's (counted as "engine") and the one
  // the baseline INSERTs through (counted as "baseline").
  // Connections are kept (no idle timeout), so their server processes can be found by
  // application_name and their CPU time read from /proc.
  const run = freshName('w3')
  const newPool = (label) => {
    const pool = new pg.Pool({
      connectionString: PG_URL,
      max: 10,
      idleTimeoutMillis: 0,
      application_name: `tessera-bench-${run}-${label}`,
    })
    pool.on('error', () => {})
    labelPgPool(pool, counter, label)
    return pool
  }
  const pool = newPool('baseline')
  // The backends of each pool, looked up (outside the counted pools) once after the warmup.
  const admin = new pg.Client({ connectionString: PG_URL, application_name: 'tessera-bench-admin' })
  const backends = new Map()
  const serverPids = async (label) => {
    if (!backends.has(label)) {
      const found = await admin.query(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [`tessera-bench-${run}-${label}`],
      )
      backends.set(
        label,
        found.rows.map((row) => row.pid),
      )
    }
    return backends.get(label)
  }
  try {
    await pool.query('SELECT 1')
    await admin.connect()
  } catch (error) {
    await pool.end().catch(() => {})
    await admin.end().catch(() => {})
    return { skipped: `PostgreSQL not reachable at ${PG_URL}: ${error.message}` }
  }
  countPgQueries(pg, counter)
  const schema = freshName('bench_w3')
  const storePool = newPool('engine')
  const { createPostgresStore } = await import('@tessera/connectors/postgres')
  const store = createPostgresStore({ pool: storePool }, { schema })
  await store.ready()
  await pool.query(
    `CREATE TABLE "${schema}".hand_steps (run_id text NOT NULL, key text NOT NULL, output jsonb, PRIMARY KEY (run_id, key))`,
  )
  const insert = {
    name: 'bench_w3_insert',
    text: `INSERT INTO "${schema}".hand_steps (run_id, key, output) VALUES ($1, $2, $3::jsonb)`,
  }
  return {
    store,
    database: `PostgreSQL, schema "${schema}" (dropped after)`,
    server: (await pool.query('SHOW server_version')).rows[0].server_version,
    settings: Object.fromEntries(
      (
        await pool.query(
          `SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'wal_sync_method')`,
        )
      ).rows.map((row) => [row.name, row.setting]),
    ),
    insertByHand: (runId, key, value) =>
      pool.query({ ...insert, values: [runId, key, JSON.stringify(value)] }),
    /** CPU seconds used so far by the server processes of a variant's connections. */
    async serverCpu(label) {
      const pids = await serverPids(label)
      return pids.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0)
    },
    async cleanup() {
      await store.close()
      await storePool.end()
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`)
      await pool.end()
      await admin.end()
    },
  }
}

// ── MySQL / MariaDB ──────────────────────────────────────────────────────────────────────────

async function mysql() {
  const { createConnection, createPool } = await import('mysql2/promise')
  let admin
  try {
    admin = await createConnection({ uri: MYSQL_URL })
  } catch (error) {
    return { skipped: `MySQL not reachable at ${MYSQL_URL}: ${error.message}` }
  }
  const database = freshName('bench_w3')
  await admin.query(`CREATE DATABASE \`${database}\``)
  const [[{ version }]] = await admin.query('SELECT VERSION() AS version')
  const [variables] = await admin.query(
    `SHOW VARIABLES WHERE Variable_name IN ('innodb_flush_log_at_trx_commit', 'sync_binlog', 'log_bin', 'transaction_isolation', 'tx_isolation')`,
  )
  // Two pools of the same driver and settings: the store's ("engine") and the baseline's.
  const newPool = (label) => {
    const pool = createPool({ uri: withDatabase(MYSQL_URL, database), connectionLimit: 10 })
    labelMysqlPool(pool, counter, label)
    return pool
  }
  const pool = newPool('baseline')
  const storePool = newPool('engine')
  await countMysqlQueries(pool, counter)
  const { createMysqlStore } = await import('@tessera/connectors/mysql')
  const store = createMysqlStore({ pool: storePool })
  await store.ready()
  await pool.query(
    'CREATE TABLE hand_steps (run_id VARCHAR(64) NOT NULL, step_key VARCHAR(64) NOT NULL, output LONGTEXT, PRIMARY KEY (run_id, step_key)) ENGINE=InnoDB',
  )
  const insert = 'INSERT INTO hand_steps (run_id, step_key, output) VALUES (?, ?, ?)'
  return {
    store,
    database: `${version.includes('MariaDB') ? 'MariaDB' : 'MySQL'}, database "${database}" (dropped after)`,
    server: version,
    settings: Object.fromEntries(variables.map((row) => [row.Variable_name, row.Value])),
    insertByHand: (runId, key, value) => pool.execute(insert, [runId, key, JSON.stringify(value)]),
    async cleanup() {
      await store.close()
      await storePool.end()
      await pool.end()
      await admin.query(`DROP DATABASE \`${database}\``)
      await admin.end()
    },
  }
}

// ── SQLite (a file) ──────────────────────────────────────────────────────────────────────────

/**
 * Counts the statements run on better-sqlite3 connections (a "round trip" here: there is no
 * server, but each is one call into SQLite), and transactions: a `BEGIN …` is one, and so is
 * every statement run outside one. `baseline` is the by-hand connection; every other is the
 * store's ("engine").
 */
function countSqliteStatements(Database, baseline) {
  const probe = new Database(':memory:')
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1'))
  probe.close()
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = proto[method]
    proto[method] = function (...args) {
      const connection = this.database
      counter.label(connection, connection === baseline ? 'baseline' : 'engine')
      counter.count(connection, this.source)
      return original.apply(this, args)
    }
  }
}

async function sqlite() {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { default: Database } = await import('better-sqlite3')
  const { createSqliteStore } = await import('@tessera/connectors/sqlite')
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-w3-'))
  // The baseline's file, with the settings the store gives its own (WAL, synchronous = NORMAL).
  const db = new Database(join(dir, 'by-hand.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  db.exec(
    'CREATE TABLE hand_steps (run_id TEXT NOT NULL, key TEXT NOT NULL, output TEXT, PRIMARY KEY (run_id, key))',
  )
  const insert = db.prepare('INSERT INTO hand_steps (run_id, key, output) VALUES (?, ?, ?)')
  countSqliteStatements(Database, db)
  const store = createSqliteStore({ filename: join(dir, 'store.db') })
  return {
    store,
    database: `SQLite ${db.prepare('SELECT sqlite_version()').pluck().get()}, two files in a temp dir (removed after)`,
    server: 'better-sqlite3, in process',
    settings: {
      journal_mode: db.pragma('journal_mode', { simple: true }),
      synchronous: db.pragma('synchronous', { simple: true }),
      wal_autocheckpoint: db.pragma('wal_autocheckpoint', { simple: true }),
    },
    insertByHand: (runId, key, value) => {
      insert.run(runId, key, JSON.stringify(value))
    },
    async cleanup() {
      await store.close()
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

// ── the two variants ─────────────────────────────────────────────────────────────────────────

async function engineVariant(db) {
  const { createEngine } = await import('@tessera/core')
  const { buildW1 } = await import('./workflows.mjs')
  const calls = countStoreCalls(db.store)
  const engine = createEngine({ store: calls.store })
  const workflow = buildW1()
  return {
    label: 'engine',
    calls,
    async once() {
      const run = await engine.start(workflow, W1_INPUT)
      check('engine', await run.result(), W1_OUTPUT)
    },
    close: () => engine.close(),
  }
}

function baselineVariant(db) {
  let runs = 0
  return {
    label: 'baseline',
    async once() {
      const runId = `hand-${++runs}`
      let value = W1_INPUT
      for (let i = 0; i < STEPS; i++) {
        value = await incs[i](value)
        await db.insertByHand(runId, `w1-inc-${i}`, value)
      }
      check('baseline', value, W1_OUTPUT)
    },
    async close() {},
  }
}

/** Warmup, then `rounds` alternating rounds; round trips counted in the timed rounds only. */
async function compare(variants, { warmup, rounds, perRound }) {
  for (const variant of variants) {
    progress(`warmup ${variant.label}: ${warmup} runs`)
    for (let i = 0; i < warmup; i++) await variant.once()
  }
  const state = variants.map(() => ({
    samples: [],
    wallMs: 0,
    roundMedians: [],
    queries: 0,
    transactions: 0,
    calls: {},
    nodeCpuMs: 0,
    serverCpuSeconds: 0,
  }))
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0]
    for (const index of order) {
      const variant = variants[index]
      const s = state[index]
      gc()
      const samples = []
      counter.reset()
      variant.calls?.reset()
      const server0 = await db.serverCpu?.(variant.label)
      const cpu0 = process.cpuUsage()
      const start = performance.now()
      for (let i = 0; i < perRound; i++) {
        const t0 = performance.now()
        await variant.once()
        samples.push((performance.now() - t0) * 1000)
      }
      s.wallMs += performance.now() - start
      const cpu = process.cpuUsage(cpu0)
      s.nodeCpuMs += (cpu.user + cpu.system) / 1000
      if (server0 !== undefined) s.serverCpuSeconds += (await db.serverCpu(variant.label)) - server0
      const counted = counter.get(variant.label)
      s.queries += counted.queries
      s.transactions += counted.transactions
      for (const [key, n] of Object.entries(variant.calls?.snapshot() ?? {})) {
        s.calls[key] = (s.calls[key] ?? 0) + n
      }
      s.roundMedians.push(median(samples))
      for (const sample of samples) s.samples.push(sample)
    }
    progress(
      `round ${r + 1}/${rounds}: ` +
        variants
          .map((v, i) => `${v.label} ${state[i].roundMedians[r].toFixed(0)} µs median`)
          .join(', '),
    )
  }
  return Object.fromEntries(
    variants.map((variant, i) => {
      const s = state[i]
      const runs = s.samples.length
      const steps = runs * STEPS
      return [
        variant.label,
        {
          ...summarize(s.samples, s.wallMs, s.roundMedians),
          steps,
          roundTrips: s.queries,
          roundTripsPerStep: round(s.queries / steps, 3),
          roundTripsPerRun: round(s.queries / runs, 2),
          transactions: s.transactions,
          transactionsPerStep: round(s.transactions / steps, 3),
          // CPU time per step: this Node process (both variants live in it) and, on
          // PostgreSQL, the server processes of the variant's own connections.
          nodeCpuPerStepUs: round((s.nodeCpuMs * 1000) / steps, 1),
          ...(db.serverCpu
            ? { serverCpuPerStepUs: round((s.serverCpuSeconds * 1e6) / steps, 1) }
            : {}),
          ...(variant.calls
            ? {
                storeCallsPerRun: Object.fromEntries(
                  Object.entries(s.calls)
                    .filter(([key]) => key !== 'capabilities')
                    .sort((a, b) => b[1] - a[1])
                    .map(([key, n]) => [key, round(n / runs, 3)]),
                ),
              }
            : {}),
        },
      ]
    }),
  )
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────

const openers = { 'w3-postgres': postgres, 'w3-mysql': mysql, 'w3-sqlite': sqlite }
if (!openers[name]) {
  process.stderr.write(`unknown workload "${name}"; one of: ${Object.keys(openers).join(', ')}\n`)
  process.exit(2)
}
const db = await openers[name]()
let result
if (db.skipped) {
  progress(`skipped: ${db.skipped}`)
  result = { skipped: db.skipped }
} else {
  try {
    const variants = [await engineVariant(db), baselineVariant(db)]
    // Server databases commit at disk speed (milliseconds per run): fewer runs keep the whole
    // `pnpm bench` within a few minutes.
    const server = name === 'w3-postgres' || name === 'w3-mysql'
    const figures = await compare(variants, {
      warmup: count(server ? 100 : 200),
      rounds: 10,
      perRound: count(server ? 100 : 150),
    })
    for (const variant of variants) await variant.close()
    result = { database: db.database, server: db.server, settings: db.settings, ...figures }
  } finally {
    await db.cleanup()
  }
}
const processPeakRssMB = round((process.resourceUsage().maxRSS * 1024) / MB, 1)
process.stdout.write(
  `@@RESULT ${JSON.stringify({ workload: name, processPeakRssMB, ...result })}\n`,
)
