// The load generator of the HTTP workload (src/http.mjs), in a process of its own (forked with an
// IPC channel), so it never shares an event loop with the servers it measures. Each
// { type: 'fire', url, method, headers, body, rate, waves, connectionsPerWave, seconds } offers
// `rate` requests/s to `url` for `seconds` and answers { type: 'fired', latencies, requests,
// statuses, elapsedSeconds, errors, timeouts } with every response's latency (ms).
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

process.on('message', async (message) => {
  if (message.type !== 'fire') return
  try {
    const fired = await fire(message, message.seconds)
    process.send({
      type: 'fired',
      // Latencies in ms; a request that timed out took at least the timeout: it counts as that.
      latencies: [
        ...fired.latencies,
        ...Array.from({ length: fired.timeouts }, () => timeoutSeconds * 1000),
      ],
      requests: fired.latencies.length,
      statuses: Object.fromEntries(fired.statuses),
      elapsedSeconds: fired.elapsedSeconds,
      errors: fired.errors,
      timeouts: fired.timeouts,
    })
  } catch (error) {
    process.send({ type: 'failed', message: error?.stack ?? String(error) })
  }
})
process.send({ type: 'ready' })
