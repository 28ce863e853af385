// The HTTP workload: `node src/http.mjs` (alone, or spawned by src/run.mjs, which reads the
// `@@RESULT {json}` line on stdout; progress goes to stderr).
//
// For each of two requests, start-run (POST /runs { workflowId, input } → 201) and get-run
// (GET /runs/{id} of a finished run → 200), and each framework, one server process
// (src/http-server.mjs) runs one app that serves every variant of that framework under its own
// path prefix, all on one engine: for Fastify the bare route, @tessera/fastify +
// createHttpHandler, and the adapter again with API keys and the audit trail on; for Express 5
// the bare route and @tessera/express + createHttpHandler. autocannon runs in another process
// (src/http-load.mjs). Auth baseline: the adapter variants run the handler with
// `auth: 'none-insecure'` and `audit: false` because the bare routes authenticate and audit
// nobody; the secure variant shows what a production configuration adds. Headers baseline, by
// the same rule the other way round: the handler's answer headers (security headers, no-store,
// request id, Location) are part of the API, so the bare routes send them too; the `-plain` bare
// routes, which send none, are measured as well and their ratio reported next to the target.
//
// Load: `rate` requests/s (autocannon overallRate, split over 20 instances started 50 ms apart so
// that arrivals are spread over each second; see src/http-load.mjs), on connections kept open
// from start to end. Each variant is warmed up for `warmupSeconds`, then the load is switched
// from variant to variant, `sliceSeconds` at a time, `slices` times each (the order rotating
// from one turn to the next); the server's CPU time is taken around every slice. Per variant:
// p50/p95/p99 of every measured latency, the achieved requests/s and the median over its slices
// of the server's CPU time (user + system) per request.
//
// Why slices in one process: the CPU time per request of one server process differs from the
// next one's by ±10–15 % on this 2-core VM (where its threads land, its JIT and GC history),
// which is as much as the overhead measured. Switching the load between the variants of one
// process, on the same connections, second by second, cancels what belongs to the process and to
// the moment: the variants share the machine's state, and each slice of one has slices of the
// others next to it.
//
// Adapter overhead = the median over the turns of (CPU per request of adapter + handler ÷ CPU
// per request of the bare route of the same framework, in the same turn) − 1. CPU, not latency:
// at a fixed 1,000 requests/s on an idle-enough server, latency is mostly loopback and
// scheduling, the same for both, and on a shared machine it swings with the neighbours' load;
// CPU time per request is the work the layer adds and is what bounds throughput on 2 cores. The
// p50 and p95 ratios are reported next to it.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { median, percentile, round } from './stats.mjs'

const serverScript = fileURLToPath(new URL('./http-server.mjs', import.meta.url))
const loadScript = fileURLToPath(new URL('./http-load.mjs', import.meta.url))
const scale = Number(process.env.BENCH_SCALE ?? 1)
const config = {
  rate: Number(process.env.BENCH_HTTP_RATE ?? 1000),
  warmupSeconds: Math.max(2, Math.round(5 * scale)),
  sliceSeconds: 2,
  // After each switch, before the slice is measured.
  settleSeconds: 0.2,
  slices: Math.max(2, Math.round(10 * scale)),
  // 20 autocannon instances started 50 ms apart, 25 connections each (see src/http-load.mjs).
  waves: 20,
  connectionsPerWave: 25,
}
export const httpTargets = { p95Ms: 20, overheadPercent: 15 }
const frameworks = {
  fastify: ['fastify-bare', 'fastify-adapter', 'fastify-bare-plain', 'fastify-adapter-secure'],
  express: ['express-bare', 'express-adapter', 'express-bare-plain'],
}
// For exploring: BENCH_HTTP_VARIANTS=fastify-bare,fastify-adapter,fastify-adapter-fetch
// measures only those (a ratio needs both variants of its framework), BENCH_HTTP_REQUESTS=get-run
// only that request.
const chosenVariants = process.env.BENCH_HTTP_VARIANTS?.split(',')
const requests = {
  'start-run': {
    method: 'POST',
    path: () => '/runs',
    body: JSON.stringify({ workflowId: 'bench-http', input: { n: 1 } }),
    status: 201,
  },
  'get-run': { method: 'GET', path: (runId) => `/runs/${runId}`, status: 200 },
}
const progress = (message) => process.stderr.write(`    [http] ${message}\n`)

/** Waits for the next IPC message of `type` from `child` (fails if it exits first). */
function next(child, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.type === 'failed') finish(reject, new Error(message.message))
      else if (message.type === type) finish(resolve, message)
    }
    const onExit = (code) =>
      finish(reject, new Error(`child exited (code ${code}) before sending "${type}"`))
    const finish = (settle, value) => {
      child.off('message', onMessage)
      child.off('exit', onExit)
      settle(value)
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

const spawnChild = (script, args = []) =>
  fork(script, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })

/** Every variant of one framework, measured in slices in one server process. */
async function measureFramework(workload, variants) {
  const server = spawnChild(serverScript, variants)
  const load = spawnChild(loadScript)
  const spec = requests[workload]
  const pause = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  try {
    const [{ port, token }] = await Promise.all([next(server, 'listening'), next(load, 'ready')])
    let runId
    if (workload === 'get-run') {
      server.send({ type: 'seed' })
      runId = (await next(server, 'seeded')).runId
    }
    const targets = Object.fromEntries(
      variants.map((variant) => [
        variant,
        {
          method: spec.method,
          path: `/${variant}${spec.path(runId)}`,
          headers: {
            ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(token && variant.endsWith('-secure') ? { authorization: `Bearer ${token}` } : {}),
          },
          body: spec.body,
        },
      ]),
    )
    const switchTo = async (variant) => {
      load.send({ type: 'switch', variant })
      await next(load, 'switched')
    }
    load.send({
      type: 'start',
      origin: `http://127.0.0.1:${port}`,
      targets,
      variant: variants[0],
      rate: config.rate,
      waves: config.waves,
      connectionsPerWave: config.connectionsPerWave,
    })
    await next(load, 'started')
    for (const variant of variants) {
      progress(`${workload} on ${variant}: ${config.warmupSeconds}s warmup`)
      await switchTo(variant)
      await pause(config.warmupSeconds)
    }
    const slices = Object.fromEntries(variants.map((variant) => [variant, []]))
    for (let turn = 0; turn < config.slices; turn++) {
      const order = variants.map((_, at) => variants[(at + turn) % variants.length])
      for (const variant of order) {
        await switchTo(variant)
        // Answers to requests sent before the switch arrive first: let them go.
        await pause(config.settleSeconds)
        server.send({ type: 'mark' })
        load.send({ type: 'mark' })
        await Promise.all([next(server, 'marked'), next(load, 'marked')])
        await pause(config.sliceSeconds)
        server.send({ type: 'report' })
        load.send({ type: 'collect' })
        const [usage, collected] = await Promise.all([
          next(server, 'usage'),
          next(load, 'collected'),
        ])
        // A wrong answer fails the workload; timeouts (an overloaded server or machine) are
        // counted in the latencies and reported.
        const bad = Object.keys(collected.statuses).filter(
          (status) => Number(status) !== spec.status,
        )
        if (bad.length > 0) {
          throw new Error(
            `${workload} on ${variant}: expected only ${spec.status}, got statuses ${JSON.stringify(collected.statuses)}`,
          )
        }
        slices[variant].push({ ...collected, cpuUs: usage.cpuUs, rssMB: usage.rssMB })
      }
      progress(
        `${workload}, turn ${turn + 1}/${config.slices}: ${variants
          .map((variant) => {
            const slice = slices[variant].at(-1)
            return `${variant} ${round(slice.cpuUs / slice.requests, 1)} µs CPU/request`
          })
          .join(', ')}`,
      )
    }
    load.send({ type: 'stop' })
    await next(load, 'stopped')
    return Object.fromEntries(variants.map((variant) => [variant, summarise(slices[variant])]))
  } finally {
    if (server.connected) server.send({ type: 'stop' })
    load.kill()
    await Promise.race([once(server, 'exit'), new Promise((r) => setTimeout(r, 3000))])
    if (server.exitCode === null) server.kill('SIGKILL')
  }
}

/** One variant's slices: latency percentiles over all of them, the median CPU per request. */
function summarise(slices) {
  const latencies = Float64Array.from(slices.flatMap((slice) => slice.latencies)).sort()
  const requestsTotal = slices.reduce((total, slice) => total + slice.requests, 0)
  const statuses = {}
  for (const slice of slices) {
    for (const [status, count] of Object.entries(slice.statuses)) {
      statuses[status] = (statuses[status] ?? 0) + count
    }
  }
  const cpuPerRequest = slices.map((slice) => slice.cpuUs / slice.requests)
  const seconds = slices.length * config.sliceSeconds
  return {
    slices: slices.length,
    requests: requestsTotal,
    requestsPerSec: round(requestsTotal / seconds, 1),
    p50Ms: round(percentile(latencies, 0.5), 3),
    p95Ms: round(percentile(latencies, 0.95), 3),
    p99Ms: round(percentile(latencies, 0.99), 3),
    maxMs: round(latencies[latencies.length - 1], 3),
    statuses,
    errors: slices.reduce((total, slice) => total + slice.errors, 0),
    timeouts: slices.reduce((total, slice) => total + slice.timeouts, 0),
    serverCpuUsPerRequest: round(median(cpuPerRequest), 1),
    slicesCpuUsPerRequest: cpuPerRequest.map((value) => round(value, 1)),
    serverRssMB: round(Math.max(...slices.map((slice) => slice.rssMB)), 1),
  }
}

/**
 * Adapter ÷ bare. The overhead is the median over the turns of adapter ÷ bare in that turn:
 * adjacent slices of one process, so what the machine was doing at that moment cancels.
 */
function ratio(adapter, bare) {
  if (!adapter || !bare) return undefined
  const paired = adapter.slicesCpuUsPerRequest.map(
    (value, index) => value / bare.slicesCpuUsPerRequest[index],
  )
  return {
    p50Ms: round(adapter.p50Ms / bare.p50Ms),
    p95Ms: round(adapter.p95Ms / bare.p95Ms),
    serverCpuUsPerRequest: round(median(paired)),
    overheadPercent: round((median(paired) - 1) * 100, 1),
    slicesOverheadPercent: paired.map((value) => round((value - 1) * 100, 1)),
  }
}

export async function runHttpWorkload() {
  const loadAverage = os.loadavg().map((value) => round(value, 2))
  const workloads = {}
  for (const workload of process.env.BENCH_HTTP_REQUESTS?.split(',') ?? Object.keys(requests)) {
    const measured = {}
    for (const [framework, all] of Object.entries(frameworks)) {
      const variants = chosenVariants
        ? chosenVariants.filter((variant) => variant.startsWith(`${framework}-`))
        : all
      if (variants.length > 0) Object.assign(measured, await measureFramework(workload, variants))
    }
    for (const [variant, m] of Object.entries(measured)) {
      progress(
        `${workload} on ${variant}: p50 ${m.p50Ms} ms, p95 ${m.p95Ms} ms, p99 ${m.p99Ms} ms, ${m.requestsPerSec} req/s, server CPU ${m.serverCpuUsPerRequest} µs/request (median of ${m.slices} slices)`,
      )
    }
    workloads[workload] = {
      variants: measured,
      ratios: {
        fastify: ratio(measured['fastify-adapter'], measured['fastify-bare']),
        express: ratio(measured['express-adapter'], measured['express-bare']),
        fastifyPlain: ratio(measured['fastify-adapter'], measured['fastify-bare-plain']),
        expressPlain: ratio(measured['express-adapter'], measured['express-bare-plain']),
        fastifySecure: ratio(measured['fastify-adapter-secure'], measured['fastify-bare']),
      },
    }
  }
  return {
    config,
    targets: httpTargets,
    overheadDefinition:
      'median over the turns of: server CPU time (user + system) per request of the adapter + handler ÷ that of the bare route of the same framework in the same process and turn, − 1. The bare route sends the same answer headers as the handler; fastifyPlain/expressPlain compare with bare routes that send none of them',
    loadAverageAtStart: loadAverage,
    loadAverageAtEnd: os.loadavg().map((value) => round(value, 2)),
    workloads,
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runHttpWorkload()
  process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`)
}
