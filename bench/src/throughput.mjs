// Throughput on PostgreSQL, in its own process: `node src/throughput.mjs <workers>`. Spawned by
// run.mjs (once per worker count); progress on stderr, figures on stdout as `@@RESULT {json}`.
//
// This process is the coordinator: an engine with `worker: false` that starts the runs. It
// forks <workers> worker processes (throughput-worker.mjs), each an engine with
// `worker: { concurrency }` on the same schema (the store is the transport: claimNext with
// SKIP LOCKED, successors leased in the commit that creates them). Runs are streamed while the
// workers work: the coordinator keeps `window` runs in flight (started, not ended; the workers
// report ended runs over IPC), so run latency is what a run sees under that load, not time
// spent in a backlog. After a warmup, 10,000 W1 runs are timed; every run's record is then read
// back (status and output checked) for the latencies (createdAt → endedAt).
import { fork } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { check, W1_INPUT, W1_OUTPUT } from './baselines.mjs'
import {
  countPgQueries,
  createCounter,
  freshName,
  labelPgPool,
  machineCpuSeconds,
  PG_URL,
  postgresProcesses,
} from './durable-common.mjs'
import { MB, percentile, round } from './stats.mjs'

const workers = Number(process.argv[2])
const name = `throughput-${workers}`
const scale = Number(process.env.BENCH_SCALE ?? 1)
const count = (n) => Math.max(1, Math.round(n * scale))
const progress = (message) => process.stderr.write(`    [${name}] ${message}\n`)
const envInt = (key, fallback) => (process.env[key] ? Number(process.env[key]) : fallback)
const STEPS = 10

if (![1, 2, 4].includes(workers) && !(Number.isInteger(workers) && workers > 0)) {
  process.stderr.write('usage: node src/throughput.mjs <workers>\n')
  process.exit(2)
}

/** The settings (tunable from the environment for experiments; see README). */
const settings = {
  runs: count(10_000),
  warmupRuns: count(300),
  concurrency: envInt('BENCH_TP_CONCURRENCY', 64),
  poolSize: envInt('BENCH_TP_POOL', 8),
  pollMs: envInt('BENCH_TP_POLL_MS', 10),
  window: envInt('BENCH_TP_WINDOW', 64),
  starters: envInt('BENCH_TP_STARTERS', 4),
  // The store's group commit (commitConcurrency); unset: the store's default. `Infinity` sends
  // every commit alone (the store before group commit).
  commitConcurrency: process.env.BENCH_TP_COMMIT_SLOTS
    ? Number(process.env.BENCH_TP_COMMIT_SLOTS)
    : undefined,
}

const { default: pg } = await import('pg')
const counter = createCounter()
countPgQueries(pg, counter)
const schema = freshName('bench_tp')
// Our backends are told apart from other sessions on the server by their application_name.
const applicationName = `tessera-bench-${schema}`
const pool = new pg.Pool({
  connectionString: PG_URL,
  max: settings.starters + 1,
  idleTimeoutMillis: 0,
  application_name: applicationName,
})
pool.on('error', () => {})
labelPgPool(pool, counter, 'coordinator')
try {
  await pool.query('SELECT 1')
} catch (error) {
  await pool.end().catch(() => {})
  const skipped = `PostgreSQL not reachable at ${PG_URL}: ${error.message}`
  progress(`skipped: ${skipped}`)
  process.stdout.write(`@@RESULT ${JSON.stringify({ workload: name, skipped })}\n`)
  process.exit(0)
}

const { createEngine } = await import('@tessera/core')
const { createPostgresStore } = await import('@tessera/connectors/postgres')
const { buildW1 } = await import('./workflows.mjs')
const store = createPostgresStore({ pool }, { schema })
await store.ready()
// Starts and observes nothing else: no worker, no recovery (the workers run theirs).
const engine = createEngine({ store, worker: false, recovery: false })
const workflow = buildW1()

// ── workers ──────────────────────────────────────────────────────────────────────────────────

const workerScript = fileURLToPath(new URL('./throughput-worker.mjs', import.meta.url))
const children = []
let ended = 0
let failed = 0
let waiters = []
const wakeWaiters = () => {
  const list = waiters
  waiters = []
  for (const resolve of list) resolve()
}
let crashed
for (let index = 0; index < workers; index++) {
  const child = fork(
    workerScript,
    [
      JSON.stringify({
        index,
        url: PG_URL,
        schema,
        applicationName,
        concurrency: settings.concurrency,
        poolSize: settings.poolSize,
        pollMs: settings.pollMs,
        // JSON has no Infinity: sent as text.
        commitConcurrency:
          settings.commitConcurrency === undefined ? undefined : String(settings.commitConcurrency),
      }),
    ],
    {
      // BENCH_TP_WORKER_NODE_ARGS: node flags of the workers, e.g. "--cpu-prof" to profile them.
      execArgv: (process.env.BENCH_TP_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  )
  const entry = { child, index, stopping: false, messages: [] }
  child.on('message', (message) => {
    if (message.type === 'ended') {
      ended += message.n
      failed += message.failed
      wakeWaiters()
    } else entry.messages.push(message)
    for (const waiter of entry.waiting?.splice(0) ?? []) waiter()
  })
  child.on('exit', (code, signal) => {
    if (!entry.stopping || code !== 0) {
      crashed = new Error(`worker ${index} exited (code ${code}, signal ${signal})`)
      wakeWaiters()
    }
  })
  children.push(entry)
}

/** The next message of `type` from a worker. */
async function receive(entry, type) {
  for (;;) {
    const at = entry.messages.findIndex((message) => message.type === type)
    if (at >= 0) return entry.messages.splice(at, 1)[0]
    if (crashed) throw crashed
    await new Promise((resolve) => (entry.waiting ??= []).push(resolve))
  }
}

const ready = await Promise.all(children.map((entry) => receive(entry, 'ready')))
progress(`${workers} worker(s) ready (pids ${ready.map((m) => m.pid).join(', ')})`)

// ── streaming runs ───────────────────────────────────────────────────────────────────────────

/** Starts `runs` runs, `window` in flight at most, and waits until the workers ended them all. */
async function stream(runs) {
  const target = ended + runs
  let started = 0
  let inFlight = () => started - (ended - (target - runs))
  const starter = async () => {
    while (started < runs) {
      if (crashed) throw crashed
      if (inFlight() >= settings.window) {
        await new Promise((resolve) => waiters.push(resolve))
        continue
      }
      started++
      await engine.start(workflow, W1_INPUT)
    }
  }
  await Promise.all(Array.from({ length: settings.starters }, starter))
  let last = ended
  let quietSince = performance.now()
  while (ended < target) {
    if (crashed) throw crashed
    if (failed > 0) throw new Error(`${failed} run(s) failed in the workers`)
    await new Promise((resolve) => {
      waiters.push(resolve)
      setTimeout(resolve, 1000)
    })
    if (ended !== last) {
      last = ended
      quietSince = performance.now()
    } else if (performance.now() - quietSince > 30_000) {
      throw new Error(
        `no run ended for 30 s (${ended - (target - runs)} of ${runs} ended): a hang?`,
      )
    }
  }
  inFlight = undefined
}

/** Server CPU seconds since `before` of this workload's backends (found by application_name). */
async function backendsCpuSince(before) {
  const after = postgresProcesses()
  const found = await pool.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
    applicationName,
  ])
  const ours = new Set(found.rows.map((row) => row.pid))
  let oursSeconds = 0
  let otherSeconds = 0
  for (const [pid, seconds] of after) {
    const delta = seconds - (before.get(pid) ?? 0)
    if (ours.has(pid)) oursSeconds += delta
    else otherSeconds += delta
  }
  return { oursSeconds, otherSeconds }
}

/**
 * The baseline: the same worker processes, pools and lanes (`concurrency` per worker) INSERTing
 * one row per autocommit transaction, by hand: the ceiling of "one transaction per step" here.
 */
async function insertBaseline() {
  const perWorker = Math.ceil(count(10_000) / workers)
  const rows = perWorker * workers
  const table = `"${schema}".hand_steps`
  await pool.query(
    `CREATE TABLE ${table} (run_id text NOT NULL, key text NOT NULL, output jsonb, PRIMARY KEY (run_id, key))`,
  )
  progress(`baseline: ${rows} INSERTs by hand, ${settings.concurrency} lanes per worker`)
  const pgBefore = postgresProcesses()
  const t = performance.now()
  for (const entry of children) {
    entry.child.send({ type: 'baseline', rows: perWorker, lanes: settings.concurrency, table })
  }
  const done = await Promise.all(children.map((entry) => receive(entry, 'baseline-done')))
  const wallMs = performance.now() - t
  const server = await backendsCpuSince(pgBefore)
  const stored = Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
  if (stored !== rows) throw new Error(`baseline: expected ${rows} rows, found ${stored}`)
  const workerCpuMs = done.reduce((sum, d) => sum + d.cpuMs, 0)
  return {
    description:
      'the same worker processes and pools, `concurrency` lanes per worker, each INSERTing one row per autocommit transaction (a named statement) by hand',
    rows,
    wallMs: round(wallMs),
    transactionsPerSec: Math.round(rows / (wallMs / 1000)),
    roundTripsPerRow: round(done.reduce((sum, d) => sum + d.queries, 0) / rows, 3),
    cpuPerRowUs: {
      workers: round((workerCpuMs * 1000) / rows, 1),
      postgresBackends: round((server.oursSeconds * 1e6) / rows, 1),
      postgresOther: round((server.otherSeconds * 1e6) / rows, 1),
    },
  }
}

let result
try {
  progress(`warmup: ${settings.warmupRuns} runs`)
  await stream(settings.warmupRuns)

  for (const entry of children) entry.child.send({ type: 'start' })
  await Promise.all(children.map((entry) => receive(entry, 'started')))
  counter.reset()
  const pgBefore = postgresProcesses()
  const machineBefore = machineCpuSeconds()
  const coordinatorCpu0 = process.cpuUsage()
  const loadBefore = os.loadavg()
  const t0 = Date.now()
  const tp0 = performance.now()
  progress(`timed: ${settings.runs} runs, ${settings.window} in flight`)
  await stream(settings.runs)
  const wallObservedMs = performance.now() - tp0
  const coordinatorCpu = process.cpuUsage(coordinatorCpu0)
  const machineAfter = machineCpuSeconds()
  const coordinatorCounted = counter.get('coordinator')
  const server = await backendsCpuSince(pgBefore)

  const stats = await Promise.all(
    children.map((entry) => {
      entry.child.send({ type: 'stop-counting' })
      return receive(entry, 'stats')
    }),
  )

  // The baseline: the same processes and pools INSERTing one row per transaction by hand.
  const baseline = await insertBaseline()

  for (const entry of children) {
    entry.stopping = true
    entry.child.send({ type: 'stop' })
  }
  await Promise.all(children.map((entry) => receive(entry, 'stopped')))

  // The run records: every timed run succeeded with the right output; latency per run.
  const latencies = []
  let firstCreated = Infinity
  let lastEnded = 0
  let cursor
  do {
    const page = await engine.listRuns({
      workflowId: workflow.id,
      createdAfter: t0,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    })
    for (const run of page.runs) {
      if (run.status !== 'succeeded') throw new Error(`run ${run.id} ended ${run.status}`)
      check('throughput run', run.output, W1_OUTPUT)
      latencies.push(run.endedAt - run.createdAt)
      firstCreated = Math.min(firstCreated, run.createdAt)
      lastEnded = Math.max(lastEnded, run.endedAt)
    }
    cursor = page.nextCursor
  } while (cursor)
  if (latencies.length !== settings.runs) {
    throw new Error(`expected ${settings.runs} timed runs in the store, found ${latencies.length}`)
  }
  const stepRows = Number(
    (await pool.query(`SELECT count(*) AS n FROM "${schema}".tessera_steps`)).rows[0].n,
  )
  const expectedRows = (settings.runs + settings.warmupRuns) * STEPS
  if (stepRows !== expectedRows) {
    throw new Error(`expected ${expectedRows} committed steps, found ${stepRows}`)
  }

  // Figures.
  const steps = settings.runs * STEPS
  const wallMs = lastEnded - t0
  latencies.sort((a, b) => a - b)
  const sum = (values) => values.reduce((a, b) => a + b, 0)
  const workerQueries = sum(stats.map((s) => s.queries))
  const workerTransactions = sum(stats.map((s) => s.transactions))
  const workerCommits = sum(stats.map((s) => s.calls.commit ?? 0))
  const workerCpuMs = sum(stats.map((s) => s.cpuUserMs + s.cpuSystemMs))
  const coordinatorCpuMs = (coordinatorCpu.user + coordinatorCpu.system) / 1000
  const pgOursSeconds = server.oursSeconds
  const pgOtherSeconds = server.otherSeconds
  const cores = os.availableParallelism?.() ?? os.cpus().length
  const wallSeconds = wallObservedMs / 1000
  const machineBusySeconds =
    machineAfter && machineBefore ? machineAfter.busy - machineBefore.busy : NaN
  const perStepUs = (ms) => round((ms * 1000) / steps, 1)
  const cpu = {
    description:
      'CPU time during the timed runs (user + system), from process.cpuUsage() in each Node process and /proc/<pid>/stat for PostgreSQL processes; "% of the machine" is of cores × wall time',
    cores,
    wallSeconds: round(wallSeconds, 2),
    workersSeconds: round(workerCpuMs / 1000, 2),
    coordinatorSeconds: round(coordinatorCpuMs / 1000, 2),
    postgresBackendsSeconds: round(pgOursSeconds, 2),
    postgresOtherSeconds: round(pgOtherSeconds, 2),
    machineBusySeconds: round(machineBusySeconds, 2),
    otherProcessesSeconds: round(
      machineBusySeconds -
        workerCpuMs / 1000 -
        coordinatorCpuMs / 1000 -
        pgOursSeconds -
        pgOtherSeconds,
      2,
    ),
    perStepUs: {
      workers: perStepUs(workerCpuMs),
      coordinator: perStepUs(coordinatorCpuMs),
      postgresBackends: perStepUs(pgOursSeconds * 1000),
      postgresOther: perStepUs(pgOtherSeconds * 1000),
    },
    percentOfMachine: {
      workers: round((100 * workerCpuMs) / 1000 / (wallSeconds * cores), 1),
      coordinator: round((100 * coordinatorCpuMs) / 1000 / (wallSeconds * cores), 1),
      postgresBackends: round((100 * pgOursSeconds) / (wallSeconds * cores), 1),
      postgresOther: round((100 * pgOtherSeconds) / (wallSeconds * cores), 1),
      machineBusy: round((100 * machineBusySeconds) / (wallSeconds * cores), 1),
    },
    loadAverageBefore: loadBefore.map((v) => round(v, 2)),
    loadAverageAfter: os.loadavg().map((v) => round(v, 2)),
  }
  result = {
    database: `PostgreSQL, schema "${schema}" (dropped after)`,
    settings: {
      workers,
      ...settings,
      leaseSuccessors: 'default (on): the store transport of createEngine',
      commitConcurrency:
        settings.commitConcurrency === undefined
          ? 'default (2): group commit'
          : String(settings.commitConcurrency),
      batch: 32,
    },
    runs: settings.runs,
    steps,
    wallMs,
    stepsPerSec: Math.round(steps / (wallMs / 1000)),
    runsPerSec: Math.round(settings.runs / (wallMs / 1000)),
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      p99: percentile(latencies, 0.99),
      max: latencies[latencies.length - 1],
      mean: round(sum(latencies) / latencies.length, 1),
    },
    firstRunCreatedAfterMs: firstCreated - t0,
    roundTripsPerStep: {
      workers: round(workerQueries / steps, 3),
      coordinator: round(coordinatorCounted.queries / steps, 3),
      total: round((workerQueries + coordinatorCounted.queries) / steps, 3),
    },
    transactionsPerStep: {
      workers: round(workerTransactions / steps, 3),
      total: round((workerTransactions + coordinatorCounted.transactions) / steps, 3),
    },
    commitsPerStep: round(workerCommits / steps, 3),
    baseline,
    ratioToBaseline: round(steps / (wallMs / 1000) / baseline.transactionsPerSec, 3),
    cpu,
    perWorker: stats.map((s) => ({
      index: s.index,
      steps: s.calls.commit ?? 0,
      roundTrips: s.queries,
      storeCalls: s.calls,
      cpuSeconds: round((s.cpuUserMs + s.cpuSystemMs) / 1000, 2),
      eventLoopUtilization: round(s.eventLoopUtilization, 3),
    })),
  }
} finally {
  // Stopped workers exit by themselves; any other is killed (after a grace period when stopping).
  await Promise.all(
    children.map(async (entry) => {
      const { child } = entry
      if (child.exitCode !== null || child.signalCode !== null) return
      if (entry.stopping) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
        if (child.exitCode !== null || child.signalCode !== null) return
      }
      entry.stopping = true
      child.kill('SIGKILL')
    }),
  )
  await engine.close()
  await store.close()
  await pool.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => {})
  await pool.end()
}

const processPeakRssMB = round((process.resourceUsage().maxRSS * 1024) / MB, 1)
process.stdout.write(
  `@@RESULT ${JSON.stringify({ workload: name, processPeakRssMB, ...result })}\n`,
)
