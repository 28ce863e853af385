// The load generator of the HTTP workload (src/http.mjs), in a process of its own (forked with an
// IPC channel), so it never shares an event loop with the server it measures. Receives
// { type: 'job', url, method, headers, body, rate, waves, connectionsPerWave, warmupSeconds,
// seconds }; offers `rate` requests/s for the warmup, sends { type: 'warm' }, waits for
// { type: 'go' }, offers it again for `seconds` and sends { type: 'done', … } with every
// response's latency summarised.
//
// Pacing: autocannon's `overallRate` is a quota per second and per connection: when a second
// starts, each connection sends its share back to back, then waits for the next second. One
// instance at 1,000 req/s is therefore a burst of 1,000 requests at the top of each second, and
// its latencies are mostly the time to drain that burst. So the rate is split over `waves`
// autocannon instances (each `overallRate` rate ÷ waves over `connectionsPerWave` connections)
// started 1 s ÷ waves apart: 20 waves of 25 connections at 50 req/s make a burst of 25 requests
// (2 per connection) every 50 ms, much closer to evenly spaced arrivals.
//
// Latencies are autocannon's per-response times (request written → response read), from its
// `response` events: exact percentiles, and no synthetic samples (autocannon's
// coordinated-omission correction assumes a 1 ms interval at these rates and would count every
// slow answer many times). The achieved rate is reported next to the offered one. A request that
// times out (10 s) counts as a 10 s latency.
import autocannon from 'autocannon'
import { percentile, round } from './stats.mjs'

const timeoutSeconds = 10

function wave(job, seconds, sink) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        method: job.method,
        headers: job.headers,
        ...(job.body !== undefined ? { body: job.body } : {}),
        connections: job.connectionsPerWave,
        overallRate: job.rate / job.waves,
        duration: seconds,
        timeout: timeoutSeconds,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      sink.latencies.push(responseTime)
      sink.statuses.set(statusCode, (sink.statuses.get(statusCode) ?? 0) + 1)
    })
  })
}

async function fire(job, seconds) {
  const sink = { latencies: [], statuses: new Map() }
  const gap = 1000 / job.waves
  const started = performance.now()
  const results = await Promise.all(
    Array.from({ length: job.waves }, (_, index) =>
      new Promise((resolve) => setTimeout(resolve, index * gap)).then(() =>
        wave(job, seconds, sink),
      ),
    ),
  )
  const sum = (field) => results.reduce((total, result) => total + result[field], 0)
  return {
    ...sink,
    elapsedSeconds: (performance.now() - started) / 1000,
    errors: sum('errors'),
    timeouts: sum('timeouts'),
  }
}

function summary({ latencies, statuses, elapsedSeconds, errors, timeouts }, seconds) {
  // A request that timed out took at least the timeout: it counts as that, not as nothing.
  const timedOut = Array.from({ length: timeouts }, () => timeoutSeconds * 1000)
  const sorted = Float64Array.from([...latencies, ...timedOut]).sort()
  let total = 0
  for (const value of sorted) total += value
  return {
    requests: latencies.length,
    seconds,
    // Each wave offers its share for `seconds`: the achieved rate is per those seconds.
    requestsPerSec: round(latencies.length / seconds, 1),
    elapsedSeconds: round(elapsedSeconds, 2),
    p50Ms: round(percentile(sorted, 0.5), 3),
    p95Ms: round(percentile(sorted, 0.95), 3),
    p99Ms: round(percentile(sorted, 0.99), 3),
    maxMs: round(sorted[sorted.length - 1], 3),
    meanMs: round(total / sorted.length, 3),
    statuses: Object.fromEntries(statuses),
    errors,
    timeouts,
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
