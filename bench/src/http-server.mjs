// The HTTP servers of the HTTP workload (src/http.mjs), in a process of their own:
// `node src/http-server.mjs <variant> [<variant> …]`, forked with an IPC channel. The variants
// (all of one framework) are served by one app on one port, each under `/<variant>`
// (`/fastify-bare/runs`, `/fastify-adapter/runs`, …), all on one engine, so that the workload
// can switch its load from one to the other on the same keep-alive connections and compare
// their CPU time in the same process. Variants:
//
//   fastify-adapter         Fastify 5 + @tessera/fastify + createHttpHandler (no auth, no audit)
//   express-adapter         Express 5 + @tessera/express + createHttpHandler (no auth, no audit)
//   fastify-bare            a Fastify route doing the same store calls, JSON in and out, with
//                           the same response headers as the handler (see below)
//   express-bare            an Express route (express.json()) doing the same, likewise
//   fastify-bare-plain      the bare routes without those headers: JSON and the framework's
//   express-bare-plain      own headers only (reported next to the target, for comparison)
//   fastify-adapter-secure  as fastify-adapter with apiKeyAuth and the default audit trail
//   fastify-adapter-fetch   as fastify-adapter, the handler wrapped so that the adapter takes its
//   express-adapter-fetch   Fetch path (Request/Response) instead of the raw entry (comparison)
//
// Every variant serves POST /runs ({ workflowId, input } → 201 { run }) and GET /runs/:runId
// (→ 200 { run, steps }) from one engine on the memory store with one one-step workflow. The bare
// routes make the handler's store calls: start = engine.start + store.getRun; get =
// store.getRun + store.getRunHistory. They also send the handler's answer headers (over plain
// HTTP: the security headers, `Cache-Control: no-store`, an `X-Request-Id`, and `Location` of a
// created run), the cheapest way their framework offers (one static object; the framework's
// request id or a counter), because those headers are part of the API the issue asks for, not
// adapter overhead: a hand-written route with the same security posture sends them too. At start
// the server checks that this set is exactly what the handler sends, so the two cannot drift.
//
// IPC: sends { type: 'listening', port, token? } once up; answers
// { type: 'seed' } with { type: 'seeded', runId } (a finished run to GET), { type: 'mark' } by
// taking the CPU time, { type: 'report' } with { type: 'usage', cpuUs, elapsedMs, rssMB } (the
// process's CPU time since the mark); exits on { type: 'stop' }.
import { once } from 'node:events'
import { createEngine, createMemoryStore, createStep, createWorkflow } from '@tessera/core'
import { apiKeyAuth, createApiKeys, createHttpHandler } from '@tessera/core/http'
import { z } from 'zod'

const chosen = process.argv.slice(2)
const variants = [
  'fastify-adapter',
  'express-adapter',
  'fastify-bare',
  'express-bare',
  'fastify-bare-plain',
  'express-bare-plain',
  'fastify-adapter-secure',
  'fastify-adapter-fetch',
  'express-adapter-fetch',
]
for (const variant of chosen) {
  if (!variants.includes(variant)) {
    throw new Error(`http-server.mjs: a variant is one of ${variants.join(', ')}, got ${variant}`)
  }
}
if (chosen.length === 0) throw new Error('http-server.mjs: name at least one variant')

const counter = z.object({ n: z.number() })
const increment = createStep({
  id: 'bench-http-inc',
  input: counter,
  output: counter,
  run: async ({ input }) => ({ n: input.n + 1 }),
})
export const httpWorkflow = createWorkflow({ id: 'bench-http', input: counter, output: counter })
  .then(increment)
  .commit()

const store = createMemoryStore()
const engine = createEngine({ store, workflows: [httpWorkflow] })
let token

function handler(variant) {
  const basePath = `/${variant}`
  if (variant === 'fastify-adapter-secure') {
    return createHttpHandler(engine, { auth: [apiKeyAuth({ store })], basePath })
  }
  // The bare routes authenticate nobody and audit nothing: neither does the handler here.
  const fetchHandler = createHttpHandler(engine, { auth: 'none-insecure', audit: false, basePath })
  // A wrapper has no raw entry (`handle`): the adapter falls back to Fetch objects.
  return variant.endsWith('-fetch') ? (request, info) => fetchHandler(request, info) : fetchHandler
}

// What createHttpHandler adds to every answer over plain HTTP (docs/http.md, "Response headers"),
// besides `X-Request-Id`; checked against the handler below.
const answerHeaders = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
}
{
  const probe = createHttpHandler(engine, { auth: 'none-insecure', audit: false })
  const reply = await probe.handle({ method: 'GET', url: '/runs/none', headers: {} })
  const { 'content-type': _type, 'x-request-id': id, ...rest } = reply.headers
  if (id === undefined || JSON.stringify(rest) !== JSON.stringify(answerHeaders)) {
    throw new Error(
      `http-server.mjs: the bare routes' headers ${JSON.stringify(answerHeaders)} are not the handler's ${JSON.stringify(rest)}: update answerHeaders`,
    )
  }
}
let requestCount = 0

async function bareStart(body) {
  const handle = await engine.start(body.workflowId, body.input)
  return { run: await store.getRun(handle.id) }
}

async function bareGet(runId) {
  const run = await store.getRun(runId)
  if (!run) return undefined
  const history = await store.getRunHistory(runId)
  return { run: history.run, steps: history.steps }
}

/** One app of the variants' framework, each variant under `/<variant>`, on one port. */
async function listen(variants) {
  if (variants[0].startsWith('fastify')) {
    const { default: Fastify } = await import('fastify')
    const { tesseraFastify } = await import('@tessera/fastify')
    const app = Fastify({ logger: false })
    for (const variant of variants) {
      if (variant.startsWith('fastify-bare')) {
        // `-plain`: no answer headers besides Fastify's own.
        const same = variant === 'fastify-bare'
        await app.register(
          async (bare) => {
            bare.post('/runs', async (request, reply) => {
              const started = await bareStart(request.body)
              reply.code(201)
              if (same) {
                reply
                  .headers(answerHeaders)
                  .header('x-request-id', request.id)
                  .header('location', `/${variant}/runs/${started.run.id}`)
              }
              return reply.send(started)
            })
            bare.get('/runs/:runId', async (request, reply) => {
              const found = await bareGet(request.params.runId)
              if (same) reply.headers(answerHeaders).header('x-request-id', request.id)
              return found ? reply.send(found) : reply.code(404).send({ code: 'not_found' })
            })
          },
          { prefix: `/${variant}` },
        )
      } else {
        await app.register(tesseraFastify, { prefix: `/${variant}`, handler: handler(variant) })
      }
    }
    await app.listen({ host: '127.0.0.1', port: 0 })
    return { port: app.server.address().port, close: () => app.close() }
  }
  const { default: express } = await import('express')
  const { createExpressMiddleware } = await import('@tessera/express')
  const app = express()
  app.disable('x-powered-by')
  for (const variant of variants) {
    if (variant.startsWith('express-bare')) {
      // `-plain`: no answer headers besides Express's own.
      const same = variant === 'express-bare'
      const bare = express.Router()
      bare.post('/runs', express.json(), async (request, response) => {
        const started = await bareStart(request.body)
        response.status(201)
        if (same) {
          response
            .set(answerHeaders)
            .set('x-request-id', String(++requestCount))
            .set('location', `/${variant}/runs/${started.run.id}`)
        }
        response.json(started)
      })
      bare.get('/runs/:runId', async (request, response) => {
        const found = await bareGet(request.params.runId)
        if (same) response.set(answerHeaders).set('x-request-id', String(++requestCount))
        if (found) response.json(found)
        else response.status(404).json({ code: 'not_found' })
      })
      app.use(`/${variant}`, bare)
    } else {
      app.use(createExpressMiddleware(handler(variant), { basePath: `/${variant}` }))
    }
  }
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

if (chosen.includes('fastify-adapter-secure')) {
  const created = await createApiKeys(store).create({
    principalId: 'bench',
    name: 'bench',
    roles: ['operator'],
  })
  token = created.token
}
if (new Set(chosen.map((variant) => variant.split('-')[0])).size > 1) {
  throw new Error('http-server.mjs: the variants must be of one framework')
}
const server = await listen(chosen)
let mark = { cpu: process.cpuUsage(), at: performance.now() }

process.on('message', async (message) => {
  if (message.type === 'seed') {
    const handle = await engine.start('bench-http', { n: 0 })
    await handle.result()
    process.send({ type: 'seeded', runId: handle.id })
  } else if (message.type === 'mark') {
    mark = { cpu: process.cpuUsage(), at: performance.now() }
    process.send({ type: 'marked' })
  } else if (message.type === 'report') {
    const used = process.cpuUsage(mark.cpu)
    process.send({
      type: 'usage',
      cpuUs: used.user + used.system,
      elapsedMs: performance.now() - mark.at,
      rssMB: process.memoryUsage().rss / 1024 / 1024,
    })
  } else if (message.type === 'stop') {
    await server.close()
    await engine.close()
    process.exit(0)
  }
})
process.send({ type: 'listening', port: server.port, ...(token ? { token } : {}) })
