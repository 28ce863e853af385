// The HTTP workload: `node src/http.mjs` (alone, or spawned by src/run.mjs, which reads the
// `@@RESULT {json}` line on stdout; progress goes to stderr).
//
// For each of two requests, start-run (POST /runs { workflowId, input } → 201) and get-run
// (GET /runs/{id} of a finished run → 200), five servers are measured one after another, each in
// a fresh process (src/http-server.mjs) with autocannon in another (src/http-load.mjs): Fastify
// and Express 5 serving createHttpHandler through @tessera/fastify / @tessera/express, a bare
// Fastify route and a bare Express route making the same store calls, and the Fastify adapter
// again with API keys and the audit trail on. Auth baseline: the adapter variants run the
// handler with `auth: 'none-insecure'` and `audit: false` because the bare routes authenticate
// and audit nobody; the secure variant shows what a production configuration adds.
//
// Load: `rate` requests/s (autocannon overallRate, split over 20 instances started 50 ms apart so
// that arrivals are spread over each second; see src/http-load.mjs) for `warmupSeconds`, then for
// `seconds` measured. Per variant: p50/p95/p99 latency, achieved requests/s and the
// server process's CPU time (user + system) per request over the measured window.
//
// Adapter overhead = CPU per request of adapter + handler ÷ CPU per request of the bare route of
// the same framework, − 1. CPU, not latency: at a fixed 1,000 requests/s on an idle-enough
// server, latency is mostly loopback and scheduling, the same for both, and on a shared machine
// it swings with the neighbours' load; CPU time per request is the work the layer adds, is what
// bounds throughput on 2 cores, and is steadier under noise. The p50 latency ratio is reported
// next to it.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { round } from './stats.mjs'

const serverScript = fileURLToPath(new URL('./http-server.mjs', import.meta.url))
const loadScript = fileURLToPath(new URL('./http-load.mjs', import.meta.url))
const scale = Number(process.env.BENCH_SCALE ?? 1)
const config = {
  rate: Number(process.env.BENCH_HTTP_RATE ?? 1000),
  seconds: Math.max(2, Math.round(10 * scale)),
  warmupSeconds: Math.max(1, Math.round(3 * scale)),
  // 20 autocannon instances started 50 ms apart, 25 connections each (see src/http-load.mjs).
  waves: 20,
  connectionsPerWave: 25,
}
export const httpTargets = { p95Ms: 20, overheadPercent: 15 }
const variants = [
  'fastify-bare',
  'fastify-adapter',
  'express-bare',
  'express-adapter',
  'fastify-adapter-secure',
]
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

async function measure(workload, variant) {
  const server = spawnChild(serverScript, [variant])
  const load = spawnChild(loadScript)
  try {
    const [{ port, token }] = await Promise.all([next(server, 'listening'), next(load, 'ready')])
    let runId
    if (workload === 'get-run') {
      server.send({ type: 'seed' })
      runId = (await next(server, 'seeded')).runId
    }
    const spec = requests[workload]
    load.send({
      type: 'job',
      url: `http://127.0.0.1:${port}${spec.path(runId)}`,
      method: spec.method,
      headers: {
        ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: spec.body,
      ...config,
    })
    await next(load, 'warm')
    server.send({ type: 'mark' })
    await next(server, 'marked')
    load.send({ type: 'go' })
    const measured = await next(load, 'done')
    server.send({ type: 'report' })
    const usage = await next(server, 'usage')
    const { type: _type, ...figures } = measured
    const bad = Object.entries(figures.statuses).filter(
      ([status]) => Number(status) !== spec.status,
    )
    // A wrong answer fails the workload; timeouts (an overloaded server or machine) are counted
    // in the latencies and reported.
    if (bad.length > 0) {
      throw new Error(
        `${workload} on ${variant}: expected only ${spec.status}, got statuses ${JSON.stringify(figures.statuses)}`,
      )
    }
    return {
      ...figures,
      serverCpuUsPerRequest: round(usage.cpuUs / figures.requests, 1),
      serverCpuPercent: round((usage.cpuUs / 1000 / usage.elapsedMs) * 100, 1),
      serverRssMB: round(usage.rssMB, 1),
    }
  } finally {
    if (server.connected) server.send({ type: 'stop' })
    load.kill()
    await Promise.race([once(server, 'exit'), new Promise((r) => setTimeout(r, 3000))])
    if (server.exitCode === null) server.kill('SIGKILL')
  }
}

const ratio = (adapter, bare) => ({
  p50Ms: round(adapter.p50Ms / bare.p50Ms),
  p95Ms: round(adapter.p95Ms / bare.p95Ms),
  serverCpuUsPerRequest: round(adapter.serverCpuUsPerRequest / bare.serverCpuUsPerRequest),
  overheadPercent: round((adapter.serverCpuUsPerRequest / bare.serverCpuUsPerRequest - 1) * 100, 1),
})

export async function runHttpWorkload() {
  const loadAverage = os.loadavg().map((value) => round(value, 2))
  const workloads = {}
  for (const workload of Object.keys(requests)) {
    const measured = {}
    for (const variant of variants) {
      progress(
        `${workload} on ${variant}: ${config.warmupSeconds}s warmup + ${config.seconds}s at ${config.rate} req/s`,
      )
      measured[variant] = await measure(workload, variant)
      const m = measured[variant]
      progress(
        `  p50 ${m.p50Ms} ms, p95 ${m.p95Ms} ms, p99 ${m.p99Ms} ms, ${m.requestsPerSec} req/s, server CPU ${m.serverCpuUsPerRequest} µs/request`,
      )
    }
    workloads[workload] = {
      variants: measured,
      ratios: {
        fastify: ratio(measured['fastify-adapter'], measured['fastify-bare']),
        express: ratio(measured['express-adapter'], measured['express-bare']),
        fastifySecure: ratio(measured['fastify-adapter-secure'], measured['fastify-bare']),
      },
    }
  }
  return {
    config,
    targets: httpTargets,
    overheadDefinition:
      'server CPU time (user + system) per request of the adapter + handler ÷ that of the bare route of the same framework, − 1',
    loadAverageAtStart: loadAverage,
    loadAverageAtEnd: os.loadavg().map((value) => round(value, 2)),
    workloads,
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runHttpWorkload()
  process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`)
}
