// Shared by the crash-recovery test (the parent process) and its worker processes
// (crash-worker.ts): the workflows, how to open each store, and the execution ledger.
import { z } from 'zod'
import { createStep, createWorkflow, type StoreV1 } from '@tessera/core'

/** The stores the crash test knows how to open. */
export type CrashStoreKind = 'sqlite' | 'postgres' | 'mysql' | 'redis'

/**
 * Where a store lives: `address` is the SQLite file, or the server's connection string/URL;
 * `namespace` is the PostgreSQL schema, the MySQL table prefix or the Redis key prefix (unique
 * per test run, dropped afterwards).
 */
export interface CrashTarget {
  kind: CrashStoreKind
  address: string
  namespace: string
}

/** One execution of a step's function, as the step itself recorded it. */
export interface LedgerEntry {
  runId: string
  stepKey: string
  attempt: number
  worker: string
  idempotencyKey: string
}

/** Where steps record their executions: a table (or a Redis list) in the store's database. */
export interface Ledger {
  create(): Promise<void>
  record(entry: LedgerEntry): Promise<void>
  entries(): Promise<LedgerEntry[]>
  close(): Promise<void>
}

// ── the workflows ─────────────────────────────────────────────────────────────────────────────

const value = z.object({ key: z.string(), v: z.number() })
type Value = z.output<typeof value>

/** What step `link-<i>` computes: each link depends on the previous one, so a chain is checkable. */
export const linkOf = (v: number, i: number): number => (v * 31 + i) % 1_000_003
export const preOf = (v: number): number => v + 1000
export const postOf = (v: number): number => v * 3
export const chainLength = 10

/** Hooks of the process that executes steps (the worker); the parent process has none. */
export interface StepHooks {
  /** Records an execution before the step's work (so a kill mid-step leaves a trace). */
  record(entry: LedgerEntry): Promise<void>
  /** How long a step works (a few ms, so that kills land mid-step). */
  workMs(): number
  busy(delta: 1 | -1): void
}

const noHooks: StepHooks = {
  record: () => Promise.reject(new Error('this process executes no steps')),
  workMs: () => 0,
  busy: () => undefined,
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The test's workflows; every process registers the same ones (ids and versions match). */
export function crashWorkflows(hooks: StepHooks = noHooks) {
  const tracked = (id: string, compute: (v: number) => number) =>
    createStep({
      id,
      input: value,
      output: value,
      run: async ({ input, runId, attempt, idempotencyKey }) => {
        hooks.busy(1)
        try {
          // The step key: these steps sit outside foreach/loop, so it is the step's id.
          await hooks.record({ runId, stepKey: id, attempt, worker: '', idempotencyKey })
          await pause(hooks.workMs())
          return { key: input.key, v: compute(input.v) }
        } finally {
          hooks.busy(-1)
        }
      },
    })

  let chainBuilder = createWorkflow({ id: 'crash-chain', input: value }).then(
    tracked('link-1', (v) => linkOf(v, 1)),
  )
  for (let i = 2; i <= chainLength; i++) {
    chainBuilder = chainBuilder.then(tracked(`link-${i}`, (v) => linkOf(v, i)))
  }
  const chain = chainBuilder.commit()

  const pre = tracked('pre', preOf)
  const post = tracked('post', postOf)

  const nap = createWorkflow({ id: 'crash-nap', input: value })
    .then(pre)
    .sleep('300ms')
    .then(post)
    .commit()

  const event = createWorkflow({ id: 'crash-event', input: value })
    .then(pre)
    .waitForEvent('crash.go', {
      schema: z.object({ key: z.string(), add: z.number() }),
      match: ({ input }) => ({ key: input.key }),
    })
    .map(({ input }): Value => ({ key: input.key, v: input.add }))
    .then(post)
    .commit()

  const approval = createWorkflow({ id: 'crash-approval', input: value })
    .then(pre)
    .approval({ id: 'crash-ok', schema: value })
    .map(({ input }): Value => (input.approved ? input.data : { key: 'rejected', v: -1 }))
    .then(post)
    .commit()

  return { chain, nap, event, approval, all: [chain, nap, event, approval] }
}

// ── stores ────────────────────────────────────────────────────────────────────────────────────

/**
 * Opens the store under test. Store modules are imported on demand, so that one store's
 * unfinished module does not break the others' tests.
 */
export async function openCrashStore(target: CrashTarget): Promise<StoreV1> {
  const store = await createCrashStore(target)
  // Network stores prepare themselves (connect, migrate) in the background: wait for it, so that
  // nothing else (the ledger's CREATE SCHEMA) races the migration, and a failure shows here.
  await store.ready?.()
  return store
}

async function createCrashStore(target: CrashTarget): Promise<StoreV1> {
  switch (target.kind) {
    case 'sqlite': {
      const { createSqliteStore } = await import('@tessera/connectors/sqlite')
      return createSqliteStore({ filename: target.address }, { busyTimeoutMs: 10_000 })
    }
    case 'postgres': {
      const { createPostgresStore } = await import('@tessera/connectors/postgres')
      return createPostgresStore(
        { connectionString: target.address },
        { schema: target.namespace, poolSize: 4 },
      )
    }
    case 'mysql': {
      const { createMysqlStore } = await import('@tessera/connectors/mysql')
      return createMysqlStore({ uri: target.address }, { tablePrefix: `${target.namespace}_` })
    }
    case 'redis': {
      const { createRedisStore } = await import('@tessera/connectors/redis')
      return createRedisStore({ url: target.address }, { keyPrefix: `${target.namespace}:` })
    }
  }
}

// ── the ledger ────────────────────────────────────────────────────────────────────────────────

interface LedgerRow {
  run_id: string
  step_key: string
  attempt: number | string
  worker: string
  idem_key: string
}

const fromRow = (row: LedgerRow): LedgerEntry => ({
  runId: row.run_id,
  stepKey: row.step_key,
  attempt: Number(row.attempt),
  worker: row.worker,
  idempotencyKey: row.idem_key,
})

const columns = 'run_id, step_key, attempt, worker, idem_key'

/** Opens the execution ledger in the store's database (its own connection). */
export async function openLedger(target: CrashTarget): Promise<Ledger> {
  switch (target.kind) {
    case 'sqlite': {
      const { default: Database } = await import('better-sqlite3')
      const db = new Database(target.address)
      db.pragma('busy_timeout = 10000')
      return {
        async create() {
          db.exec(`CREATE TABLE IF NOT EXISTS crash_ledger (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, step_key TEXT NOT NULL,
            attempt INTEGER NOT NULL, worker TEXT NOT NULL, idem_key TEXT NOT NULL)`)
        },
        async record(entry) {
          db.prepare(`INSERT INTO crash_ledger (${columns}) VALUES (?, ?, ?, ?, ?)`).run(
            entry.runId,
            entry.stepKey,
            entry.attempt,
            entry.worker,
            entry.idempotencyKey,
          )
        },
        async entries() {
          const rows = db.prepare(`SELECT ${columns} FROM crash_ledger ORDER BY seq`).all()
          return (rows as LedgerRow[]).map(fromRow)
        },
        async close() {
          db.close()
        },
      }
    }
    case 'postgres': {
      const { default: pg } = await import('pg')
      const pool = new pg.Pool({ connectionString: target.address, max: 2 })
      pool.on('error', () => undefined)
      const table = `"${target.namespace}".crash_ledger`
      return {
        async create() {
          await pool.query(`CREATE SCHEMA IF NOT EXISTS "${target.namespace}"`)
          await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
            seq BIGSERIAL PRIMARY KEY, run_id TEXT NOT NULL, step_key TEXT NOT NULL,
            attempt INTEGER NOT NULL, worker TEXT NOT NULL, idem_key TEXT NOT NULL)`)
        },
        async record(entry) {
          await pool.query(`INSERT INTO ${table} (${columns}) VALUES ($1, $2, $3, $4, $5)`, [
            entry.runId,
            entry.stepKey,
            entry.attempt,
            entry.worker,
            entry.idempotencyKey,
          ])
        },
        async entries() {
          const result = await pool.query<LedgerRow>(`SELECT ${columns} FROM ${table} ORDER BY seq`)
          return result.rows.map(fromRow)
        },
        async close() {
          await pool.end()
        },
      }
    }
    case 'mysql': {
      const mysql = await import('mysql2/promise')
      const pool = mysql.createPool({ uri: target.address, connectionLimit: 2 })
      const table = `\`${target.namespace}_crash_ledger\``
      return {
        async create() {
          await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
            seq BIGINT AUTO_INCREMENT PRIMARY KEY, run_id VARCHAR(200) NOT NULL,
            step_key VARCHAR(200) NOT NULL, attempt INT NOT NULL, worker VARCHAR(100) NOT NULL,
            idem_key VARCHAR(400) NOT NULL)`)
        },
        async record(entry) {
          await pool.execute(`INSERT INTO ${table} (${columns}) VALUES (?, ?, ?, ?, ?)`, [
            entry.runId,
            entry.stepKey,
            entry.attempt,
            entry.worker,
            entry.idempotencyKey,
          ])
        },
        async entries() {
          const [rows] = await pool.query(`SELECT ${columns} FROM ${table} ORDER BY seq`)
          return (rows as LedgerRow[]).map(fromRow)
        },
        async close() {
          await pool.end()
        },
      }
    }
    case 'redis': {
      const { Redis } = await import('ioredis')
      const client = new Redis(target.address, { lazyConnect: true, maxRetriesPerRequest: 3 })
      await client.connect()
      const key = `${target.namespace}:crash-ledger`
      return {
        async create() {},
        async record(entry) {
          await client.rpush(key, JSON.stringify(entry))
        },
        async entries() {
          return (await client.lrange(key, 0, -1)).map((text) => JSON.parse(text) as LedgerEntry)
        },
        async close() {
          await client.quit()
        },
      }
    }
  }
}

/** The target a worker process was started for (from its environment). */
export function targetFromEnv(env: NodeJS.ProcessEnv): CrashTarget {
  const kind = env.CRASH_STORE as CrashStoreKind | undefined
  if (!kind || !['sqlite', 'postgres', 'mysql', 'redis'].includes(kind)) {
    throw new Error(`CRASH_STORE must be sqlite, postgres, mysql or redis (got ${String(kind)})`)
  }
  const address = env.CRASH_ADDRESS
  if (!address) throw new Error('CRASH_ADDRESS is required')
  return { kind, address, namespace: env.CRASH_NAMESPACE ?? '' }
}

/** The environment that tells a worker process its target. */
export function targetEnv(target: CrashTarget): Record<string, string> {
  return {
    CRASH_STORE: target.kind,
    CRASH_ADDRESS: target.address,
    CRASH_NAMESPACE: target.namespace,
  }
}

// The parent process takes the engine from here, so that it runs the same (tsx-loaded) copy of
// core as its workflows; see crash-recovery.test.ts.
export { ConflictError, createEngine } from '@tessera/core'
