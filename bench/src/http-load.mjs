// The load generator of the HTTP workload (src/http.mjs), in a process of its own (forked with an
// IPC channel), so it never shares an event loop with the server it measures. Receives
// { type: 'job', url, method, headers, body, rate, connections, warmupSeconds, seconds }; runs
// autocannon at `rate` requests/s (overallRate) for the warmup, sends { type: 'warm' }, waits for
// { type: 'go' }, runs again for `seconds` and sends { type: 'done', … } with every response's
// latency summarised. Latencies are autocannon's per-response times (send to last byte), taken
// from its `response` events: exact percentiles, and no synthetic samples (autocannon's
// coordinated-omission correction uses a 1 ms expected interval at these rates, which would
// weigh every slow response as many made-up ones). Against coordinated omission, many
// connections each send rarely (50 connections: one request per connection every 50 ms), and
// the achieved rate is reported next to the offered one. A request that times out (10 s) counts
// as a 10 s latency.
import autocannon from 'autocannon'
import { percentile, round } from './stats.mjs'

const timeoutSeconds = 10

function fire(job, seconds) {
  return new Promise((resolve, reject) => {
    const latencies = []
    const statuses = new Map()
    const instance = autocannon(
      {
        url: job.url,
        method: job.method,
        headers: job.headers,
        ...(job.body !== undefined ? { body: job.body } : {}),
        connections: job.connections,
        overallRate: job.rate,
        duration: seconds,
        timeout: timeoutSeconds,
      },
      (error, result) => (error ? reject(error) : resolve({ result, latencies, statuses })),
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime)
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1)
    })
  })
}

function summary({ result, latencies, statuses }, seconds) {
  // A request that timed out took at least the timeout: it counts as that, not as nothing.
  const timedOut = Array.from({ length: result.timeouts }, () => timeoutSeconds * 1000)
  const sorted = Float64Array.from([...latencies, ...timedOut]).sort()
  let total = 0
  for (const value of sorted) total += value
  return {
    requests: latencies.length,
    seconds,
    requestsPerSec: round(latencies.length / seconds, 1),
    p50Ms: round(percentile(sorted, 0.5), 3),
    p95Ms: round(percentile(sorted, 0.95), 3),
    p99Ms: round(percentile(sorted, 0.99), 3),
    maxMs: round(sorted[sorted.length - 1], 3),
    meanMs: round(total / sorted.length, 3),
    statuses: Object.fromEntries(statuses),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  }
}

process.on('message', async (message) => {
  if (message.type !== 'job') return
  const job = message
  try {
    const warm = await fire(job, job.warmupSeconds)
    process.send({ type: 'warm', warmup: summary(warm, job.warmupSeconds) })
    await new Promise((resolve) => process.on('message', (next) => next.type === 'go' && resolve()))
    const measured = await fire(job, job.seconds)
    process.send({ type: 'done', ...summary(measured, job.seconds) })
  } catch (error) {
    process.send({ type: 'failed', message: error?.stack ?? String(error) })
  }
})
process.send({ type: 'ready' })
