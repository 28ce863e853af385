// Shared by the durable-store workloads (durable-w3.mjs, throughput.mjs, throughput-worker.mjs):
// server addresses, fresh schemas, round-trip counters wrapped around the drivers, and CPU time
// read from /proc (Node processes and PostgreSQL backends).
import { randomBytes } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'

/** The servers (override with BENCH_PG_URL / BENCH_MYSQL_URL). */
export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

/** A fresh lower-case name (schema, database, prefix) for one workload process. */
export const freshName = (prefix) => `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`

/** The connection string with another database (`…/test` → `…/<database>`). */
export function withDatabase(url, database) {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

// ── round trips ──────────────────────────────────────────────────────────────────────────────

/**
 * Counts statements sent to the server, and transactions: an explicit `BEGIN` / `START
 * TRANSACTION` is one, and so is every statement sent outside one (autocommit). `SET …` and
 * `COMMIT` / `ROLLBACK` are round trips but not transactions of their own. Connections can be
 * labelled (by pool: see `labelPgPool` / `labelMysqlPool`); each label has its own counts.
 */
export function createCounter() {
  const inTransaction = new WeakMap()
  const labels = new WeakMap()
  const counts = new Map()
  const of = (label) => {
    let entry = counts.get(label)
    if (!entry) counts.set(label, (entry = { queries: 0, transactions: 0 }))
    return entry
  }
  return {
    label(connection, label) {
      labels.set(connection, label)
    },
    /** The counts of a label so far: `{ queries, transactions }`. */
    get: (label = 'other') => ({ ...of(label) }),
    reset() {
      counts.clear()
    },
    /** One statement on `connection` (the object identifying the server session). */
    count(connection, text) {
      const entry = of(labels.get(connection) ?? 'other')
      entry.queries++
      const head = typeof text === 'string' ? text.trimStart().slice(0, 17).toUpperCase() : ''
      if (head.startsWith('BEGIN') || head.startsWith('START TRANSACTION')) {
        entry.transactions++
        inTransaction.set(connection, true)
      } else if (head.startsWith('COMMIT') || head.startsWith('ROLLBACK')) {
        inTransaction.set(connection, false)
      } else if (inTransaction.get(connection) !== true && !head.startsWith('SET ')) {
        entry.transactions++
      }
    },
  }
}

/** Attributes the statements of a `pg.Pool`'s connections to `label` (call before first use). */
export function labelPgPool(pool, counter, label) {
  pool.on('connect', (client) => counter.label(client, label))
}

/** Attributes the statements of a mysql2/promise pool's connections to `label`. */
export function labelMysqlPool(pool, counter, label) {
  pool.pool.on('connection', (connection) => counter.label(connection, label))
}

/**
 * Counts every statement of every `pg.Client` of this process (a pool's `query` goes through
 * `Client.prototype.query` once): one call is one round trip (the store's statements are named,
 * so after the first use on a connection parse/bind/execute travel in one message batch).
 */
export function countPgQueries(pg, counter) {
  const proto = pg.Client.prototype
  if (proto.__benchCounted) throw new Error('pg is counted already')
  const original = proto.query
  proto.query = function countedQuery(config, ...rest) {
    counter.count(this, typeof config === 'string' ? config : config?.text)
    return original.call(this, config, ...rest)
  }
  proto.__benchCounted = true
}

/**
 * Counts every statement of a mysql2 pool: `query` and `execute` of its core connection class
 * (the promise wrappers and `pool.query`/`pool.execute` end there, once per statement). A
 * prepared statement's first `execute` on a connection costs one more round trip (PREPARE),
 * not counted: the warmup pays it.
 */
export async function countMysqlQueries(pool, counter) {
  const connection = await pool.getConnection()
  let proto = Object.getPrototypeOf(connection.connection)
  connection.release()
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'execute')) {
    proto = Object.getPrototypeOf(proto)
  }
  if (!proto) throw new Error('mysql2: no connection class with execute()')
  if (proto.__benchCounted) return
  const { query, execute } = proto
  proto.query = function countedQuery(sql, ...rest) {
    counter.count(this, typeof sql === 'string' ? sql : sql?.sql)
    return query.call(this, sql, ...rest)
  }
  proto.execute = function countedExecute(sql, ...rest) {
    counter.count(this, typeof sql === 'string' ? sql : sql?.sql)
    return execute.call(this, sql, ...rest)
  }
  proto.__benchCounted = true
}

/**
 * The store behind a proxy that counts calls per method (createRun, commit, claimTask, …),
 * to say which operations the round trips belong to.
 */
export function countStoreCalls(store) {
  const calls = {}
  const wrapped = new Map()
  const proxy = new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key)
      if (typeof value !== 'function' || typeof key !== 'string') return value
      let fn = wrapped.get(key)
      if (!fn) {
        fn = (...args) => {
          calls[key] = (calls[key] ?? 0) + 1
          return value.apply(target, args)
        }
        wrapped.set(key, fn)
      }
      return fn
    },
  })
  return {
    store: proxy,
    reset() {
      for (const key of Object.keys(calls)) delete calls[key]
    },
    snapshot: () => ({ ...calls }),
  }
}

// ── CPU time from /proc ──────────────────────────────────────────────────────────────────────

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100

/** user + system CPU seconds of a process, or undefined if it is gone (or not Linux). */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // After the command: state is field 3; utime and stime are fields 14 and 15 (1-based).
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** The machine: busy and total CPU seconds over all cores since boot (from /proc/stat). */
export function machineCpuSeconds() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]
    const values = line.trim().split(/\s+/).slice(1).map(Number)
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0)
    const idle = values[3] + values[4] // idle + iowait
    return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND }
  } catch {
    return undefined
  }
}

/** pid → CPU seconds of every process named `postgres` on this machine (backends and helpers). */
export function postgresProcesses() {
  const found = new Map()
  let entries
  try {
    entries = readdirSync('/proc')
  } catch {
    return found
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue
    } catch {
      continue
    }
    const seconds = processCpuSeconds(entry)
    if (seconds !== undefined) found.set(Number(entry), seconds)
  }
  return found
}
