// The durable-store workloads of `pnpm bench` (W3 on PostgreSQL and MySQL, throughput on
// PostgreSQL with 1, 2 and 4 worker processes): how run.mjs spawns them, and how their figures
// are summarised, checked against the issue's targets and printed.
import { fileURLToPath } from 'node:url'
import { round } from './stats.mjs'

const w3Script = fileURLToPath(new URL('./durable-w3.mjs', import.meta.url))
const throughputScript = fileURLToPath(new URL('./throughput.mjs', import.meta.url))
export const throughputWorkerCounts = [1, 2, 4]

/** Spawned by run.mjs like the other workloads: `script` and `args` replace workload.mjs. */
export const durableWorkloads = [
  {
    id: 'w3-postgres',
    title: 'W3 on PostgreSQL',
    description:
      'W1 (10 steps, every step committed) on createPostgresStore, one engine, default options, runs awaited one after another; baseline: the 10 async functions, each followed by one INSERT by hand (autocommit) through pg',
    script: w3Script,
    args: ['w3-postgres'],
    flags: ['--expose-gc'],
  },
  {
    id: 'w3-mysql',
    title: 'W3 on MySQL/MariaDB',
    description:
      'W1 on createMysqlStore, one engine, default options, runs awaited one after another; baseline: the 10 async functions, each followed by one INSERT by hand (autocommit) through mysql2',
    script: w3Script,
    args: ['w3-mysql'],
    flags: ['--expose-gc'],
  },
  {
    id: 'w3-sqlite',
    title: 'W3 on SQLite (a file)',
    description:
      'W1 on createSqliteStore({ filename }) (a file in a temp dir: WAL, synchronous = NORMAL), one engine, default options, runs awaited one after another; baseline: the 10 async functions, each followed by one INSERT by hand (autocommit) into a SQLite file with the same settings through better-sqlite3',
    script: w3Script,
    args: ['w3-sqlite'],
    flags: ['--expose-gc'],
  },
  ...throughputWorkerCounts.map((workers) => ({
    id: `throughput-${workers}`,
    title: `Throughput on PostgreSQL, ${workers} worker${workers === 1 ? '' : 's'}`,
    description: `10,000 W1 runs started by a coordinator (worker: false), executed by ${workers} worker process(es) on one schema; runs streamed with a bounded number in flight`,
    script: throughputScript,
    args: [String(workers)],
    flags: [],
    timeoutMs: 240_000,
  })),
]

const targets = {
  w3TransactionsPerStep: 1.05,
  throughputStepsPerSec: 5000,
  w3SqliteMedianUs: 400,
}

/** Transactions per step of the steps themselves: all of them but the run's creation. */
function stepTransactions(engine) {
  const creates = engine.storeCallsPerRun?.createRun ?? 0
  return round(engine.transactionsPerStep - creates / 10, 3)
}

/** The figures for latest.json, and the targets they are checked against. */
export function durableSummary(results) {
  const summary = {}
  const targetResults = []
  for (const id of ['w3-postgres', 'w3-mysql', 'w3-sqlite']) {
    const r = results[id]
    if (!r) continue
    if (r.skipped) {
      summary[id] = r
      continue
    }
    r.ratio = {
      medianUs: round(r.engine.medianUs / r.baseline.medianUs),
      p95Us: round(r.engine.p95Us / r.baseline.p95Us),
    }
    r.engine.stepTransactionsPerStep = stepTransactions(r.engine)
    summary[id] = r
    targetResults.push({
      name: `${r.title}: transactions per step (all but createRun)`,
      value: r.engine.stepTransactionsPerStep,
      limit: targets.w3TransactionsPerStep,
      unit: '',
      comparison: '≤',
      verdict: r.engine.stepTransactionsPerStep <= targets.w3TransactionsPerStep ? 'PASS' : 'MISS',
    })
    if (id === 'w3-sqlite') {
      targetResults.push({
        name: `${r.title}: median per run`,
        value: r.engine.medianUs,
        limit: targets.w3SqliteMedianUs,
        unit: 'µs',
        comparison: '<',
        verdict: r.engine.medianUs < targets.w3SqliteMedianUs ? 'PASS' : 'MISS',
      })
    }
  }
  const throughput = {}
  for (const workers of throughputWorkerCounts) {
    const r = results[`throughput-${workers}`]
    if (r) throughput[workers] = r
  }
  if (Object.keys(throughput).length > 0) {
    const measured = throughputWorkerCounts.filter((w) => throughput[w] && !throughput[w].skipped)
    const scaling = measured.map((w, i) => {
      const previous = i > 0 ? throughput[measured[i - 1]] : undefined
      return {
        workers: w,
        stepsPerSec: throughput[w].stepsPerSec,
        vsPrevious: previous ? round(throughput[w].stepsPerSec / previous.stepsPerSec) : null,
      }
    })
    summary.throughput = { ...throughput, scaling }
    const four = throughput[4]
    if (four && !four.skipped) {
      targetResults.push({
        name: 'PostgreSQL, 4 workers: committed steps/s',
        value: four.stepsPerSec,
        limit: targets.throughputStepsPerSec,
        unit: 'steps/s',
        comparison: '≥',
        verdict: four.stepsPerSec >= targets.throughputStepsPerSec ? 'PASS' : 'MISS',
      })
    }
  }
  return { summary, targets: targetResults }
}

const fmtUs = (us) => (us >= 10_000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(0)} µs`)
const fmtInt = (value) => Math.round(value).toLocaleString('en-US')

/** Prints the durable workloads' table and the throughput CPU profile. */
export function printDurable(summary, log) {
  const rows = []
  for (const id of ['w3-postgres', 'w3-mysql', 'w3-sqlite']) {
    const r = summary[id]
    if (!r) continue
    const title = durableWorkloads.find((w) => w.id === id).title
    if (r.skipped) {
      rows.push([title, 'skipped', '', '', '', '', '', '', ''])
      continue
    }
    for (const variant of ['engine', 'baseline']) {
      const v = r[variant]
      rows.push([
        variant === 'engine' ? title : '',
        variant,
        fmtInt(v.runs),
        fmtUs(v.medianUs),
        fmtUs(v.p95Us),
        variant === 'engine' ? `${r.ratio.medianUs.toFixed(2)}×` : '1.00×',
        v.roundTripsPerStep.toFixed(2),
        v.transactionsPerStep.toFixed(2),
        fmtInt((v.runs * 10) / (v.wallMs / 1000)),
      ])
    }
  }
  const throughput = summary.throughput ?? {}
  for (const workers of throughputWorkerCounts) {
    const r = throughput[workers]
    if (!r) continue
    const title = `Throughput PG, ${workers} worker${workers === 1 ? '' : 's'}`
    if (r.skipped) {
      rows.push([title, 'skipped', '', '', '', '', '', '', ''])
      continue
    }
    rows.push([
      title,
      'engine',
      fmtInt(r.runs),
      `${r.latencyMs.p50} ms`,
      `${r.latencyMs.p95} ms`,
      `${r.ratioToBaseline.toFixed(2)}× tput`,
      r.roundTripsPerStep.total.toFixed(2),
      r.transactionsPerStep.total.toFixed(2),
      fmtInt(r.stepsPerSec),
    ])
    rows.push([
      '',
      'INSERT/tx',
      fmtInt(r.baseline.rows),
      '',
      '',
      '1.00×',
      r.baseline.roundTripsPerRow.toFixed(2),
      '1.00',
      fmtInt(r.baseline.transactionsPerSec),
    ])
  }
  if (rows.length === 0) return
  const headers = [
    'Durable workload',
    'Variant',
    'Runs',
    'Median',
    'p95',
    '× baseline',
    'RT/step',
    'Tx/step',
    'Steps/s',
  ]
  const cells = [headers, ...rows]
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => String(row[i] ?? '').length)))
  const line = (row) =>
    row
      .map((cell, i) =>
        i >= 2 ? String(cell ?? '').padStart(widths[i]) : String(cell ?? '').padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd()
  log(line(headers))
  log(widths.map((w) => '─'.repeat(w)).join('  '))
  for (const row of rows) log(line(row))
  log()
  for (const id of ['w3-postgres', 'w3-mysql', 'w3-sqlite']) {
    const r = summary[id]
    if (!r || r.skipped) continue
    const calls = Object.entries(r.engine.storeCallsPerRun)
      .map(([key, n]) => `${key} ${n}`)
      .join(', ')
    log(
      `${durableWorkloads.find((w) => w.id === id).title}: ${r.engine.roundTripsPerRun} round trips per run; store calls per run: ${calls}`,
    )
  }
  const settings = throughputWorkerCounts.map((w) => throughput[w]).find((r) => r && !r.skipped)
  if (settings) {
    const s = settings.settings
    log(
      `Throughput settings: worker concurrency ${s.concurrency}, pool ${s.poolSize} per worker, poll ${s.pollMs} ms, claim batch ${s.batch}, ${s.window} runs in flight, ${s.starters} starters; ${fmtInt(s.warmupRuns)} warmup runs`,
    )
  }
  for (const workers of throughputWorkerCounts) {
    const r = throughput[workers]
    if (!r || r.skipped) continue
    const c = r.cpu
    const b = r.baseline.cpuPerRowUs
    log(
      `  ${workers} worker(s): ${fmtInt(r.stepsPerSec)} steps/s; CPU per step: workers ${c.perStepUs.workers} µs, coordinator ${c.perStepUs.coordinator} µs, PostgreSQL backends ${c.perStepUs.postgresBackends} µs (+${c.perStepUs.postgresOther} µs other PostgreSQL processes) [INSERT by hand: ${b.workers} µs + ${b.postgresBackends} µs per transaction]; machine ${c.percentOfMachine.machineBusy}% busy over ${c.cores} cores, of which workers ${c.percentOfMachine.workers}%, PostgreSQL ${round(c.percentOfMachine.postgresBackends + c.percentOfMachine.postgresOther, 1)}%, other processes ${round((100 * c.otherProcessesSeconds) / (c.wallSeconds * c.cores), 1)}%`,
    )
  }
  const scaling = throughput.scaling ?? []
  if (scaling.length > 1) {
    log(
      `Scaling: ${scaling.map((s) => `${s.workers} → ${fmtInt(s.stepsPerSec)} steps/s${s.vsPrevious === null ? '' : ` (${s.vsPrevious}×)`}`).join(', ')}`,
    )
  }
}
