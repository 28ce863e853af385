// One workload, in its own process: `node src/workload.mjs <name>`. Spawned by run.mjs.
// Progress goes to stderr; the figures go to stdout as one line: `@@RESULT {json}`.
// A wrong output throws, which exits this process with a non-zero code.
// @tessera/core and zod are imported only by workloads that run the engine, so the memory
// baseline process loads neither.
import { clearInterval, setInterval } from 'node:timers'
import {
  W1_INPUT,
  W1_OUTPUT,
  W2_INPUT,
  W2_OUTPUT,
  baselineW1,
  baselineW2,
  check,
} from './baselines.mjs'
import { MB, median, round, summarize } from './stats.mjs'

const name = process.argv[2]
// BENCH_SCALE shrinks (or grows) every run count, e.g. BENCH_SCALE=0.1 for a smoke test.
const scale = Number(process.env.BENCH_SCALE ?? 1)
const count = (n) => Math.max(1, Math.round(n * scale))
const progress = (message) => process.stderr.write(`    [${name}] ${message}\n`)
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {}

// ── runners: one run of each variant, output checked ─────────────────────────────────────────

/** `workflowName`: 'w1' or 'w2' (built by workflows.mjs). */
async function engineRunner(workflowName, input, expected, label, engineOptions) {
  const { createEngine } = await import('@tessera/core')
  const { buildW1, buildW2 } = await import('./workflows.mjs')
  const workflow = workflowName === 'w1' ? buildW1() : buildW2()
  let engine = createEngine(engineOptions)
  return {
    label,
    async once() {
      const run = await engine.start(workflow, input)
      check(label, await run.result(), expected)
    },
    /** A fresh engine (empty memory store) so retained history does not grow across rounds. */
    async renew() {
      await engine.close()
      engine = createEngine(engineOptions)
    },
    close: () => engine.close(),
  }
}

function baselineRunner(fn, input, expected, label) {
  return {
    label,
    async once() {
      check(label, await fn(input), expected)
    },
    async renew() {},
    async close() {},
  }
}

// ── timing harnesses ─────────────────────────────────────────────────────────────────────────

/** `runs` runs one after another (each awaited before the next); per-run latency in µs. */
async function timeSequential(runner, runs, samples) {
  const start = performance.now()
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await runner.once()
    samples.push((performance.now() - t0) * 1000)
  }
  return performance.now() - start
}

/** `runs` runs with `inFlight` of them in flight at all times; per-run latency in µs. */
async function timeConcurrent(runner, runs, inFlight, samples) {
  let next = 0
  const lane = async () => {
    while (next < runs) {
      next++
      const t0 = performance.now()
      await runner.once()
      samples.push((performance.now() - t0) * 1000)
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: Math.min(inFlight, runs) }, lane))
  return performance.now() - start
}

/**
 * Warms every variant up, then times `rounds` rounds of `perRound` runs of each variant,
 * alternating which variant goes first, with a GC and (for the engine) a fresh engine before
 * each timed round. Returns one summary per variant.
 */
async function compare(variants, { warmup, rounds, perRound, inFlight }) {
  const time = (runner, runs, samples) =>
    inFlight
      ? timeConcurrent(runner, runs, inFlight, samples)
      : timeSequential(runner, runs, samples)
  for (const variant of variants) {
    progress(`warmup ${variant.label}: ${warmup} runs`)
    await time(variant, warmup, [])
  }
  const state = variants.map(() => ({ samples: [], wallMs: 0, roundMedians: [] }))
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? variants.map((_, i) => i) : variants.map((_, i) => i).reverse()
    for (const index of order) {
      const variant = variants[index]
      await variant.renew()
      gc()
      const samples = []
      state[index].wallMs += await time(variant, perRound, samples)
      state[index].roundMedians.push(median(samples))
      for (const sample of samples) state[index].samples.push(sample)
    }
    progress(
      `round ${r + 1}/${rounds}: ` +
        variants
          .map((v, i) => `${v.label} ${state[i].roundMedians[r].toFixed(1)} µs median`)
          .join(', '),
    )
  }
  for (const variant of variants) await variant.close()
  return Object.fromEntries(
    variants.map((variant, i) => [
      variant.label,
      summarize(state[i].samples, state[i].wallMs, state[i].roundMedians),
    ]),
  )
}

// ── memory: 10,000 W1 runs, peak RSS ─────────────────────────────────────────────────────────

async function memory(kind) {
  const runs = count(10_000)
  const runner =
    kind === 'engine'
      ? await engineRunner('w1', W1_INPUT, W1_OUTPUT, 'engine', {})
      : baselineRunner(baselineW1, W1_INPUT, W1_OUTPUT, 'baseline')
  // After the imports and the engine's creation, before the first run.
  const rssBefore = process.memoryUsage.rss()
  let sampledPeak = rssBefore
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > sampledPeak) sampledPeak = rss
  }, 2)
  progress(
    `${runs} W1 runs (${kind}), sequential, no warmup, one ${kind === 'engine' ? 'engine' : 'process'}`,
  )
  const samples = []
  const wallMs = await timeSequential(runner, runs, samples)
  const rssAfterRuns = process.memoryUsage.rss()
  const heapAfterRuns = process.memoryUsage().heapUsed
  await runner.close()
  clearInterval(sampler)
  const maxRss = process.resourceUsage().maxRSS * 1024 // KiB → bytes
  return {
    [kind]: {
      ...summarize(samples, wallMs),
      peakRssMB: round(Math.max(maxRss, sampledPeak) / MB, 1),
      maxRssMB: round(maxRss / MB, 1),
      sampledPeakRssMB: round(sampledPeak / MB, 1),
      rssBeforeRunsMB: round(rssBefore / MB, 1),
      rssAfterRunsMB: round(rssAfterRuns / MB, 1),
      heapUsedAfterRunsMB: round(heapAfterRuns / MB, 1),
    },
  }
}

// ── the workloads ────────────────────────────────────────────────────────────────────────────

const workloads = {
  // W1 sequential-10, engine with default options (no tracer).
  w1: async () =>
    compare(
      [
        await engineRunner('w1', W1_INPUT, W1_OUTPUT, 'engine', {}),
        baselineRunner(baselineW1, W1_INPUT, W1_OUTPUT, 'baseline'),
      ],
      { warmup: count(5000), rounds: 10, perRound: count(2000) },
    ),
  // W1 with the OpenTelemetry tracer (a no-op without an SDK): what spans cost.
  'w1-traced': async () =>
    compare(
      [
        await engineRunner('w1', W1_INPUT, W1_OUTPUT, 'engine', {
          tracer: (await import('@tessera/core/opentelemetry')).openTelemetryTracer(),
        }),
        baselineRunner(baselineW1, W1_INPUT, W1_OUTPUT, 'baseline'),
      ],
      { warmup: count(5000), rounds: 10, perRound: count(2000) },
    ),
  // W2 fanout-100, sequential runs, default options.
  w2: async () =>
    compare(
      [
        await engineRunner('w2', W2_INPUT, W2_OUTPUT, 'engine', {}),
        baselineRunner(baselineW2, W2_INPUT, W2_OUTPUT, 'baseline'),
      ],
      { warmup: count(500), rounds: 10, perRound: count(300) },
    ),
  // W1 with 100 runs in flight at all times, default options.
  'w1-c100': async () =>
    compare(
      [
        await engineRunner('w1', W1_INPUT, W1_OUTPUT, 'engine', {}),
        baselineRunner(baselineW1, W1_INPUT, W1_OUTPUT, 'baseline'),
      ],
      { warmup: count(5000), rounds: 6, perRound: count(5000), inFlight: 100 },
    ),
  'mem-engine': () => memory('engine'),
  'mem-baseline': () => memory('baseline'),
}

const workload = workloads[name]
if (!workload) {
  process.stderr.write(`unknown workload "${name}"; one of: ${Object.keys(workloads).join(', ')}\n`)
  process.exit(2)
}
const result = await workload()
const maxRssMB = round((process.resourceUsage().maxRSS * 1024) / MB, 1)
process.stdout.write(
  `@@RESULT ${JSON.stringify({ workload: name, processPeakRssMB: maxRssMB, ...result })}\n`,
)
