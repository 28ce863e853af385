// One worker process of the throughput workload (forked by throughput.mjs with an IPC channel):
// an engine with `worker: { concurrency }` on the PostgreSQL store of the coordinator's schema,
// the store being its transport (claimNext with SKIP LOCKED, successors leased in the commit).
// Reports ended runs to the coordinator in batches, and on `stop-counting` its round trips, store
// calls and CPU time since `start`; on `baseline`, INSERTs rows by hand (the throughput baseline).
import { countPgQueries, countStoreCalls, createCounter } from './durable-common.mjs'

const config = JSON.parse(process.argv[2])
const send = (message) => process.send(message)

const { default: pg } = await import('pg')
const { createEngine } = await import('@tessera/core')
const { createPostgresStore } = await import('@tessera/connectors/postgres')
const { buildW1 } = await import('./workflows.mjs')

const counter = createCounter()
countPgQueries(pg, counter)
const pool = new pg.Pool({
  connectionString: config.url,
  max: config.poolSize,
  // Kept open: the coordinator finds their server processes by application_name (CPU time).
  idleTimeoutMillis: 0,
  application_name: config.applicationName,
})
pool.on('error', () => {})
const store = createPostgresStore(
  { pool },
  {
    schema: config.schema,
    migrate: false,
    ...(config.commitConcurrency === undefined
      ? {}
      : { commitConcurrency: Number(config.commitConcurrency) }),
  },
)
await store.ready()
const calls = countStoreCalls(store)
const engine = createEngine({
  store: calls.store,
  worker: { concurrency: config.concurrency, id: `bench-worker-${config.index}` },
  poll: config.pollMs,
  workflows: [buildW1()],
})

// Ended runs travel to the coordinator in batches (at most one message per millisecond or so).
let ended = 0
let failed = 0
let flushing = false
const flush = () => {
  flushing = false
  if (ended > 0 || failed > 0) send({ type: 'ended', n: ended, failed })
  ended = 0
  failed = 0
}
engine.on('run-end', (event) => {
  if (event.status === 'succeeded') ended++
  else failed++
  if (!flushing) {
    flushing = true
    setTimeout(flush, 1)
  }
})

let cpu0 = process.cpuUsage()
let elu0 = performance.eventLoopUtilization()
let t0 = performance.now()
process.on('message', async (message) => {
  if (message.type === 'start') {
    counter.reset()
    calls.reset()
    cpu0 = process.cpuUsage()
    elu0 = performance.eventLoopUtilization()
    t0 = performance.now()
    send({ type: 'started' })
  } else if (message.type === 'baseline') {
    // The ceiling of "one transaction per step" in this process: `lanes` async lanes, each
    // INSERTing one row per autocommit statement (a named statement) through the same pool.
    const { rows, lanes, table } = message
    const insert = {
      name: 'bench_tp_insert',
      text: `INSERT INTO ${table} (run_id, key, output) VALUES ($1, $2, $3::jsonb)`,
    }
    const before = counter.get()
    const callsBefore = calls.snapshot()
    const cpuStart = process.cpuUsage()
    let next = 0
    const lane = async (id) => {
      while (next < rows) {
        const i = next++
        await pool.query({ ...insert, values: [`${config.index}-${id}-${i}`, 'k', '{"n":1}'] })
      }
    }
    await Promise.all(Array.from({ length: lanes }, (_, id) => lane(id)))
    const cpu = process.cpuUsage(cpuStart)
    // The idle engine's own round trips meanwhile (claimNext polls; one per store call) apart.
    let engineQueries = 0
    for (const [key, n] of Object.entries(calls.snapshot()))
      engineQueries += n - (callsBefore[key] ?? 0)
    send({
      type: 'baseline-done',
      cpuMs: (cpu.user + cpu.system) / 1000,
      queries: counter.get().queries - before.queries - engineQueries,
    })
  } else if (message.type === 'stop-counting') {
    const cpu = process.cpuUsage(cpu0)
    const elu = performance.eventLoopUtilization(elu0)
    const counted = counter.get()
    send({
      type: 'stats',
      index: config.index,
      pid: process.pid,
      wallMs: performance.now() - t0,
      queries: counted.queries,
      transactions: counted.transactions,
      calls: calls.snapshot(),
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      eventLoopUtilization: elu.utilization,
    })
  } else if (message.type === 'stop') {
    await engine.close()
    await store.close()
    await pool.end()
    send({ type: 'stopped' })
    process.disconnect()
  }
})
send({ type: 'ready', pid: process.pid })
