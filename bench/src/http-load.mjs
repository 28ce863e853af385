// The load generator of the HTTP workload (src/http.mjs), in a process of its own (forked with an
// IPC channel), so it never shares an event loop with the server it measures.
//
// { type: 'start', origin, targets: { [variant]: { method, path, headers, body } }, variant,
// rate, waves, connectionsPerWave } starts offering `rate` requests/s to `origin`, each request
// going to the current variant's target, and answers { type: 'started' } once every wave runs.
// { type: 'switch', variant } changes the target of the following requests. { type: 'mark' }
// starts a new tally (answer { type: 'marked' }); { type: 'collect' } answers { type:
// 'collected', variant, latencies, requests, statuses, errors, timeouts } with what came back
// since the mark. { type: 'stop' } stops the load (answer { type: 'stopped' }). The connections
// stay open from start to stop, as a client's keep-alive connections would.
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
// slow answer many times). A response is counted for the variant current when it arrives (the
// workload leaves a moment after each switch before it marks). A request that times out (10 s)
// counts as a 10 s latency.
import autocannon from 'autocannon'

const timeoutSeconds = 10
// Long enough for any workload; the load is stopped explicitly.
const maxSeconds = 3600

let current
let targets
let tally = { latencies: [], statuses: new Map(), errors: 0, timeouts: 0 }
const instances = []

function wave(job) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.origin,
        connections: job.connectionsPerWave,
        overallRate: job.rate / job.waves,
        duration: maxSeconds,
        timeout: timeoutSeconds,
        requests: [
          {
            // Called for every request: it goes to the variant current at that moment.
            setupRequest(request) {
              const target = targets[current]
              request.method = target.method
              request.path = target.path
              request.headers = { ...request.headers, ...target.headers }
              request.body = target.body
              return request
            },
          },
        ],
      },
      (error) => error && reject(error),
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      tally.latencies.push(responseTime)
      tally.statuses.set(statusCode, (tally.statuses.get(statusCode) ?? 0) + 1)
    })
    // autocannon reports a timeout as a request error of its own message.
    instance.on('reqError', (error) => {
      if (error?.message === 'request timed out') tally.timeouts++
      else tally.errors++
    })
    instances.push(instance)
    resolve()
  })
}

process.on('message', async (message) => {
  try {
    if (message.type === 'start') {
      targets = message.targets
      current = message.variant
      const gap = 1000 / message.waves
      for (let index = 0; index < message.waves; index++) {
        if (index > 0) await new Promise((resolve) => setTimeout(resolve, gap))
        await wave(message)
      }
      process.send({ type: 'started' })
    } else if (message.type === 'switch') {
      current = message.variant
      process.send({ type: 'switched' })
    } else if (message.type === 'mark') {
      tally = { latencies: [], statuses: new Map(), errors: 0, timeouts: 0 }
      process.send({ type: 'marked' })
    } else if (message.type === 'collect') {
      const { latencies, statuses, errors, timeouts } = tally
      process.send({
        type: 'collected',
        variant: current,
        // A request that timed out took at least the timeout: it counts as that.
        latencies: [...latencies, ...Array.from({ length: timeouts }, () => timeoutSeconds * 1000)],
        requests: latencies.length,
        statuses: Object.fromEntries(statuses),
        errors,
        timeouts,
      })
    } else if (message.type === 'stop') {
      for (const instance of instances) instance.stop()
      process.send({ type: 'stopped' })
    }
  } catch (error) {
    process.send({ type: 'failed', message: error?.stack ?? String(error) })
  }
})
process.send({ type: 'ready' })
