// The HTTP workload (src/http.mjs) as src/run.mjs runs and reports it.
import { fileURLToPath } from 'node:url'

export const httpWorkload = {
  id: 'http',
  title: 'HTTP: adapters + handler vs bare routes at 1,000 req/s',
  description: 'see src/http.mjs',
  script: fileURLToPath(new URL('./http.mjs', import.meta.url)),
  args: [],
  flags: [],
  // 2 requests × 7 variants × (5 s warmup + 10 slices of 2.2 s) plus starts and stops: about
  // 7 minutes.
  timeoutMs: 1_200_000,
}

const verdict = (value, limit) => (value < limit ? 'PASS' : 'MISS')
const labels = {
  'fastify-adapter': '@tessera/fastify + handler',
  'express-adapter': '@tessera/express + handler',
  'fastify-bare': 'bare Fastify route, same headers',
  'express-bare': 'bare Express route, same headers',
  'fastify-bare-plain': 'bare Fastify route, no extra headers',
  'express-bare-plain': 'bare Express route, no extra headers',
  'fastify-adapter-secure': '@tessera/fastify + handler, API key + audit',
  'fastify-adapter-fetch': '@tessera/fastify + handler, Fetch path',
  'express-adapter-fetch': '@tessera/express + handler, Fetch path',
}

/** Lines to print and PASS/MISS targets of the HTTP workload's result (if it ran). */
export function httpReport(result) {
  if (!result) return { lines: [], targets: [] }
  const { config, targets, workloads } = result
  const lines = [
    `HTTP (${config.rate} req/s offered, ${config.waves} autocannon waves × ${config.connectionsPerWave} connections; the variants of a framework in one server process, ${config.warmupSeconds} s warmup each, then ${config.slices} turns of ${config.sliceSeconds} s slices per variant; autocannon in another process; load average ${result.loadAverageAtStart.join(' ')} → ${result.loadAverageAtEnd.join(' ')}):`,
  ]
  const found = []
  for (const [workload, { variants, ratios }] of Object.entries(workloads)) {
    lines.push(`  ${workload}:`)
    for (const [variant, m] of Object.entries(variants)) {
      lines.push(
        `    ${(labels[variant] ?? variant).padEnd(44)} p50 ${m.p50Ms} ms, p95 ${m.p95Ms} ms, p99 ${m.p99Ms} ms, ${m.requestsPerSec} req/s, ${m.serverCpuUsPerRequest} µs CPU/request (median of ${m.slices} slices)${m.timeouts + m.errors > 0 ? `, ${m.timeouts} timeouts, ${m.errors} errors` : ''}`,
      )
    }
    for (const framework of ['fastify', 'express']) {
      const r = ratios[framework]
      if (!r) continue
      lines.push(
        `    ${framework} adapter ÷ bare: CPU/request ${r.serverCpuUsPerRequest}× (overhead ${r.overheadPercent} %, median of the turns ${r.slicesOverheadPercent.join(' ')} %), p50 ${r.p50Ms}×, p95 ${r.p95Ms}×`,
      )
      const plain = ratios[`${framework}Plain`]
      if (plain) {
        lines.push(
          `    ${framework} adapter ÷ bare without the extra headers: CPU/request ${plain.serverCpuUsPerRequest}× (overhead ${plain.overheadPercent} %, median of the turns ${plain.slicesOverheadPercent.join(' ')} %), for comparison`,
        )
      }
      found.push({
        name: `HTTP ${workload}, ${framework} adapter: p95 at ${config.rate} req/s`,
        value: variants[`${framework}-adapter`].p95Ms,
        limit: targets.p95Ms,
        unit: 'ms',
        verdict: verdict(variants[`${framework}-adapter`].p95Ms, targets.p95Ms),
      })
      found.push({
        name: `HTTP ${workload}, ${framework} adapter: CPU overhead over the bare route`,
        value: r.overheadPercent,
        limit: targets.overheadPercent,
        unit: '%',
        verdict: verdict(r.overheadPercent, targets.overheadPercent),
      })
    }
  }
  return { lines, targets: found }
}
