// `pnpm bench` (after building core): runs every workload in its own process, engine and
// plain-async baseline side by side, prints a table and writes bench/results/latest.json.
// Exits non-zero if any output check fails or a workload crashes or hangs; a missed target is
// reported as MISS but does not fail the run.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { MB, median, round } from './stats.mjs'
import { durableSummary, durableWorkloads, printDurable } from './durable-report.mjs'
import { designerReport, designerWorkload } from './designer-report.mjs'
import { httpReport, httpWorkload } from './http-report.mjs'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url))
const workloadScript = fileURLToPath(new URL('./workload.mjs', import.meta.url))
const startupScript = fileURLToPath(new URL('./startup-one.mjs', import.meta.url))
const scale = Number(process.env.BENCH_SCALE ?? 1)
const workloadTimeoutMs = 150_000
const startupSpawns = 10
const startupWarmupSpawns = 2

const targets = {
  w1MedianUs: 25,
  w2MedianUs: 300,
  memoryPeakRssMB: 80,
  startupMedianMs: 150,
}

const workloads = [
  {
    id: 'w1',
    title: 'W1 sequential-10',
    description:
      '10 steps, each { n } → { n: n + 1 }, input { n: 0 }, output checked { n: 10 }; runs awaited one after another; createEngine() (no tracer, the default)',
    flags: ['--expose-gc'],
  },
  {
    id: 'w1-traced',
    title: 'W1 sequential-10, OpenTelemetry tracer',
    description:
      'as W1 but createEngine({ tracer: openTelemetryTracer() }): spans through @opentelemetry/api (a no-op tracer, no SDK registered)',
    flags: ['--expose-gc'],
  },
  {
    id: 'w2',
    title: 'W2 fanout-100',
    description:
      '.then(fan).parallel({ s0 … s99 }).then(join): 100 parallel steps, join sums them; input { n: 0 }, output checked { sum: 5050 }; runs awaited one after another; default options',
    flags: ['--expose-gc'],
  },
  {
    id: 'w1-c100',
    title: 'W1 × 100 in flight',
    description:
      'W1 with 100 runs in flight at all times (a new run starts as soon as one ends); latency is per run, start() to result; default options',
    flags: ['--expose-gc'],
  },
  {
    id: 'mem-engine',
    title: 'Memory: 10,000 W1 runs (engine)',
    description:
      '10,000 W1 runs, sequential, on one engine with the default memory store, in a fresh process; peak RSS of that process; the process with the median peak of 5',
    flags: [],
    // A single process's peak RSS moves by ±1 MB from run to run (when V8 grows its young
    // generation); the median of five fresh processes is the figure, with all five kept.
    processes: 5,
  },
  {
    id: 'mem-baseline',
    title: 'Memory: 10,000 W1 runs (baseline)',
    description:
      '10,000 plain-async W1 runs in a fresh process; peak RSS of that process; the process with the median peak of 5',
    flags: [],
    processes: 5,
  },
]

const log = (message = '') => process.stdout.write(`${message}\n`)

// ── environment ──────────────────────────────────────────────────────────────────────────────

function git(args) {
  try {
    return execFileSync('git', args, {
      cwd: benchDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return undefined
  }
}

function environment() {
  const cpus = os.cpus()
  const coreEntry = fileURLToPath(import.meta.resolve('@tessera/core'))
  const coreChanges = git(['status', '--porcelain', '--', '../packages/core'])
  const connectorsChanges = git(['status', '--porcelain', '--', '../packages/connectors'])
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    totalMemoryMB: round(os.totalmem() / MB, 0),
    loadAverage: os.loadavg().map((value) => round(value, 2)),
    gitCommit: git(['rev-parse', 'HEAD']) ?? null,
    // Uncommitted changes under packages/core at the time of the run (the built dist was measured).
    coreUncommittedChanges:
      coreChanges === undefined ? null : coreChanges.split('\n').filter(Boolean),
    coreDistBuiltAt: existsSync(coreEntry) ? statSync(coreEntry).mtime.toISOString() : null,
    // The same for packages/connectors (the durable-store workloads measure its dist).
    connectorsUncommittedChanges:
      connectorsChanges === undefined ? null : connectorsChanges.split('\n').filter(Boolean),
    benchScale: scale,
  }
}

// ── child processes ──────────────────────────────────────────────────────────────────────────

function runWorkload(workload) {
  return new Promise((resolve, reject) => {
    const script = workload.script ?? workloadScript
    const args = workload.args ?? [workload.id]
    const timeoutMs = workload.timeoutMs ?? workloadTimeoutMs
    const child = spawn(process.execPath, [...workload.flags, script, ...args], {
      cwd: benchDir,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_SCALE: String(scale) },
    })
    let stdout = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk) => (stdout += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(`workload ${workload.id} did not finish within ${timeoutMs / 1000}s (hang?)`),
      )
    }, timeoutMs)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT '))
      if (code !== 0 || !line) {
        reject(
          new Error(
            `workload ${workload.id} failed (exit code ${code}${signal ? `, signal ${signal}` : ''})`,
          ),
        )
        return
      }
      resolve(JSON.parse(line.slice('@@RESULT '.length)))
    })
  })
}

/**
 * Runs a memory workload in `workload.processes` fresh processes, one after another, and keeps
 * the result of the process whose peak RSS is the median, with every process's peak beside it.
 */
async function medianProcess(workload) {
  const runs = []
  for (let i = 0; i < workload.processes; i++) runs.push(await runWorkload(workload))
  const variant = (result) => result.engine ?? result.baseline
  runs.sort((a, b) => variant(a).peakRssMB - variant(b).peakRssMB)
  const chosen = runs[Math.floor(runs.length / 2)]
  variant(chosen).peakRssMBPerProcess = runs.map((result) => variant(result).peakRssMB)
  return chosen
}

/** Spawns a process and resolves with its wall time in ms, from spawn to exit. */
function timedSpawn(args, env = process.env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, args, { cwd: benchDir, stdio: 'ignore', env })
    child.on('error', reject)
    child.on('exit', (code) => {
      const ms = performance.now() - t0
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited with code ${code}`))
      else resolve(ms)
    })
  })
}

/** Peak RSS (MB) of one extra, untimed spawn that prints process.resourceUsage().maxRSS. */
function spawnPeakRss(args, env) {
  const out = execFileSync(process.execPath, args, { cwd: benchDir, env, encoding: 'utf8' })
  return round((Number(out.trim()) * 1024) / MB, 1)
}

async function startup() {
  const core = { args: [startupScript], samples: [] }
  const bare = { args: ['-e', '0'], samples: [] }
  const total = startupWarmupSpawns + startupSpawns
  for (let i = 0; i < total; i++) {
    // Alternate which goes first so neither profits from a warmer page cache.
    const pair = i % 2 === 0 ? [bare, core] : [core, bare]
    for (const entry of pair) {
      const ms = await timedSpawn(entry.args)
      if (i >= startupWarmupSpawns) entry.samples.push(ms)
    }
  }
  const summary = (samples) => {
    const sorted = [...samples].sort((a, b) => a - b)
    return {
      spawns: samples.length,
      medianMs: round(median(sorted)),
      p95Ms: round(sorted[Math.min(sorted.length, Math.ceil(0.95 * sorted.length)) - 1]),
      minMs: round(sorted[0]),
      maxMs: round(sorted[sorted.length - 1]),
      samplesMs: samples.map((value) => round(value)),
    }
  }
  const engine = {
    ...summary(core.samples),
    peakRssMB: spawnPeakRss([startupScript], { ...process.env, BENCH_REPORT_RSS: '1' }),
  }
  const baseline = {
    ...summary(bare.samples),
    peakRssMB: spawnPeakRss(
      ['-e', 'process.stdout.write(String(process.resourceUsage().maxRSS))'],
      process.env,
    ),
  }
  return {
    description: `a whole process that imports @tessera/core and runs one W1 workflow (src/startup-one.mjs) vs "node -e 0", time from spawn to exit, ${startupSpawns} spawns each after ${startupWarmupSpawns} warmup spawns, alternated`,
    engine,
    baseline,
    ratio: { medianMs: round(engine.medianMs / baseline.medianMs) },
    addedMedianMs: round(engine.medianMs - baseline.medianMs),
  }
}

// ── report ───────────────────────────────────────────────────────────────────────────────────

const fmtUs = (us) => (us >= 10_000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(1)} µs`)
const fmtInt = (value) => Math.round(value).toLocaleString('en-US')
const verdict = (value, limit) => (value < limit ? 'PASS' : 'MISS')

function printTable(rows) {
  const headers = [
    'Workload',
    'Variant',
    'Runs',
    'Median',
    'p95',
    'Runs/s',
    'Peak RSS',
    '× baseline',
    'Target',
  ]
  const cells = [headers, ...rows]
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => String(row[i] ?? '').length)))
  const right = new Set([2, 3, 4, 5, 6, 7])
  const line = (row) =>
    row
      .map((cell, i) =>
        right.has(i)
          ? String(cell ?? '').padStart(widths[i])
          : String(cell ?? '').padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd()
  log(line(headers))
  log(widths.map((w) => '─'.repeat(w)).join('  '))
  let previous
  for (const row of rows) {
    if (previous !== undefined && row[0] !== '' && previous !== row[0]) log()
    if (row[0] !== '') previous = row[0]
    log(line(row))
  }
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────

const startedAt = performance.now()
const meta = environment()
log(
  `Tessera bench: node ${meta.node}, ${meta.cpuModel} × ${meta.cpuCount}, commit ${meta.gitCommit?.slice(0, 12) ?? 'n/a'}, load average ${meta.loadAverage.join(' ')}`,
)
if (meta.coreUncommittedChanges?.length) {
  log(
    `note: packages/core has uncommitted changes (${meta.coreUncommittedChanges.length} paths); the built dist was measured`,
  )
}
if (scale !== 1) log(`note: BENCH_SCALE=${scale}: run counts scaled, figures are not comparable`)
log()

const results = {}
const failures = []
for (const workload of [...workloads, ...durableWorkloads, designerWorkload, httpWorkload]) {
  const t0 = performance.now()
  const script = workload.script
    ? `src/${workload.script.split(/[\\/]/).pop()}`
    : 'src/workload.mjs'
  log(
    `▶ ${workload.title} (process: node ${[...workload.flags, script, ...(workload.args ?? [workload.id])].join(' ')})`,
  )
  try {
    results[workload.id] = {
      title: workload.title,
      description: workload.description,
      ...(workload.processes ? await medianProcess(workload) : await runWorkload(workload)),
    }
    log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)}s`)
  } catch (error) {
    failures.push(error.message)
    log(`  FAILED: ${error.message}`)
  }
}

let startupResult
{
  const t0 = performance.now()
  log(`▶ Startup (${startupSpawns} + ${startupWarmupSpawns} warmup spawns of each, alternated)`)
  try {
    startupResult = await startup()
    log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)}s`)
  } catch (error) {
    failures.push(`startup: ${error.message}`)
    log(`  FAILED: ${error.message}`)
  }
}

// Ratios engine / baseline, from the medians (and p95s) measured in the same process.
for (const id of ['w1', 'w1-traced', 'w2', 'w1-c100']) {
  const r = results[id]
  if (!r) continue
  r.ratio = {
    medianUs: round(r.engine.medianUs / r.baseline.medianUs),
    p95Us: round(r.engine.p95Us / r.baseline.p95Us),
    runsPerSec: round(r.engine.runsPerSec / r.baseline.runsPerSec, 4),
  }
}
let memory
if (results['mem-engine'] && results['mem-baseline']) {
  const engine = results['mem-engine'].engine
  const baseline = results['mem-baseline'].baseline
  memory = {
    title: 'Memory: 10,000 W1 runs',
    description:
      'engine and baseline each in 5 fresh processes: 10,000 sequential W1 runs; peak RSS = max(process.resourceUsage().maxRSS, RSS sampled every 2 ms); the median process of the 5',
    engine,
    baseline,
    ratio: {
      peakRssMB: round(engine.peakRssMB / baseline.peakRssMB),
      medianUs: round(engine.medianUs / baseline.medianUs),
    },
    addedPeakRssMB: round(engine.peakRssMB - baseline.peakRssMB, 1),
  }
}
let tracingCost
if (results.w1 && results['w1-traced']) {
  const off = results.w1.engine.medianUs
  const on = results['w1-traced'].engine.medianUs
  tracingCost = {
    description:
      'W1 engine median with openTelemetryTracer() minus without a tracer (two processes)',
    medianUsTracerOff: off,
    medianUsTracerDefault: on,
    addedMedianUs: round(on - off),
    relative: round(on / off),
  }
}

const targetResults = []
const addTarget = (name, value, limit, unit) => {
  if (value === undefined) return
  targetResults.push({ name, value, limit, unit, verdict: verdict(value, limit) })
}
addTarget('W1 median per run', results.w1?.engine.medianUs, targets.w1MedianUs, 'µs')
addTarget('W2 median per run', results.w2?.engine.medianUs, targets.w2MedianUs, 'µs')
addTarget('10,000 W1 runs, peak RSS', memory?.engine.peakRssMB, targets.memoryPeakRssMB, 'MB')
addTarget(
  'import core + run one workflow, process median',
  startupResult?.engine.medianMs,
  targets.startupMedianMs,
  'ms',
)
const durable = durableSummary(results)
targetResults.push(...durable.targets)
const designer = designerReport(results.designer)
targetResults.push(...designer.targets)
const http = httpReport(results.http)
targetResults.push(...http.targets)
const targetCell = (name) => {
  const t = targetResults.find((entry) => entry.name === name)
  return t ? `< ${t.limit} ${t.unit} ${t.verdict}` : ''
}

const rows = []
const timingRows = (id, target) => {
  const r = results[id]
  if (!r) return
  rows.push([
    r.title,
    'engine',
    fmtInt(r.engine.runs),
    fmtUs(r.engine.medianUs),
    fmtUs(r.engine.p95Us),
    fmtInt(r.engine.runsPerSec),
    `${r.processPeakRssMB} MB`,
    `${r.ratio.medianUs.toFixed(1)}×`,
    target ? targetCell(target) : '',
  ])
  rows.push([
    '',
    'baseline',
    fmtInt(r.baseline.runs),
    fmtUs(r.baseline.medianUs),
    fmtUs(r.baseline.p95Us),
    fmtInt(r.baseline.runsPerSec),
    '(same process)',
    '1.0×',
    '',
  ])
}
timingRows('w1', 'W1 median per run')
timingRows('w1-traced')
timingRows('w2', 'W2 median per run')
timingRows('w1-c100')
if (memory) {
  rows.push([
    memory.title,
    'engine',
    fmtInt(memory.engine.runs),
    fmtUs(memory.engine.medianUs),
    fmtUs(memory.engine.p95Us),
    fmtInt(memory.engine.runsPerSec),
    `${memory.engine.peakRssMB} MB`,
    `${memory.ratio.peakRssMB.toFixed(2)}× RSS`,
    targetCell('10,000 W1 runs, peak RSS'),
  ])
  rows.push([
    '',
    'baseline',
    fmtInt(memory.baseline.runs),
    fmtUs(memory.baseline.medianUs),
    fmtUs(memory.baseline.p95Us),
    fmtInt(memory.baseline.runsPerSec),
    `${memory.baseline.peakRssMB} MB`,
    '1.00×',
    '',
  ])
}
if (startupResult) {
  const s = startupResult
  rows.push([
    'Startup: import core + 1 run',
    'engine',
    s.engine.spawns,
    `${s.engine.medianMs.toFixed(1)} ms`,
    `${s.engine.p95Ms.toFixed(1)} ms`,
    '',
    `${s.engine.peakRssMB} MB`,
    `${s.ratio.medianMs.toFixed(2)}×`,
    targetCell('import core + run one workflow, process median'),
  ])
  rows.push([
    '',
    'node -e 0',
    s.baseline.spawns,
    `${s.baseline.medianMs.toFixed(1)} ms`,
    `${s.baseline.p95Ms.toFixed(1)} ms`,
    '',
    `${s.baseline.peakRssMB} MB`,
    '1.00×',
    '',
  ])
}

log()
printTable(rows)
log()
if (tracingCost) {
  log(
    `Tracing cost (W1, openTelemetryTracer() vs no tracer): ${tracingCost.addedMedianUs >= 0 ? '+' : ''}${tracingCost.addedMedianUs} µs median per run (${tracingCost.relative}×)`,
  )
}
if (startupResult)
  log(
    `Startup: importing core and running one workflow adds ${startupResult.addedMedianMs} ms (median) to a bare node process`,
  )
if (memory)
  log(
    `Memory: 10,000 engine runs peak at ${memory.engine.peakRssMB} MB RSS (median of 5 processes: ${memory.engine.peakRssMBPerProcess?.join(', ')} MB), ${memory.addedPeakRssMB} MB above the baseline process (${memory.baseline.peakRssMBPerProcess?.join(', ')} MB)`,
  )
log()
printDurable(durable.summary, log)
log()
for (const line of designer.lines) log(line)
log()
for (const line of http.lines) log(line)
log()
for (const t of targetResults)
  log(
    `${t.verdict}  ${t.name}: ${t.value} ${t.unit} (target ${t.comparison ?? '<'} ${t.limit} ${t.unit})`,
  )

const totalSeconds = round((performance.now() - startedAt) / 1000, 1)
// Other processes on the machine skew the figures: the load average says how busy it was.
meta.loadAverageAtEnd = os.loadavg().map((value) => round(value, 2))
const report = {
  meta,
  ok: failures.length === 0,
  failures,
  totalSeconds,
  targets: targetResults,
  tracingCost,
  workloads: {
    w1: results.w1,
    'w1-traced': results['w1-traced'],
    w2: results.w2,
    'w1-c100': results['w1-c100'],
    memory: memory ?? { engine: results['mem-engine'], baseline: results['mem-baseline'] },
    startup: startupResult,
    ...durable.summary,
    designer: results.designer,
    http: results.http,
  },
}
mkdirSync(resultsDir, { recursive: true })
const tmpPath = `${resultsDir}latest.tmp.json`
writeFileSync(tmpPath, `${JSON.stringify(report, null, 2)}\n`)
log()
if (failures.length > 0) {
  log(`FAILED (${failures.length}): ${failures.join('; ')}`)
  log(`Figures written to ${tmpPath}; bench/results/latest.json left as it was.`)
  process.exitCode = 1
} else {
  renameSync(tmpPath, `${resultsDir}latest.json`)
  log(`All outputs checked. Total ${totalSeconds}s. Figures written to bench/results/latest.json`)
}
