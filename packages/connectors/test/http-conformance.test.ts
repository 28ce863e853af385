import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { httpConnector } from '../src/http/index'

// The HTTP connector through the connector conformance suite, against a local server that
// answers like a typical JSON API: bearer auth (401 otherwise), a held-open request for the
// cancellation checks, and a 503 on demand for the retry check.

const token = 'http-bearer-conformance-7f3a'
const server = {
  url: '',
  lastIdempotencyKey: undefined as string | undefined,
  holding: 0,
  released: 0,
  failures: 0,
}
let http: Server

beforeAll(async () => {
  http = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers })
        response.end(JSON.stringify(body))
      }
      if (request.headers.authorization !== `Bearer ${token}`)
        return json(401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' })
      if (request.url === '/health') return json(200, { ok: true })
      server.lastIdempotencyKey = request.headers['idempotency-key'] as string | undefined
      if (server.failures > 0) {
        server.failures--
        return json(503, { error: 'unavailable' }, { 'retry-after': '0' })
      }
      if (request.url === '/slow') {
        server.holding++
        response.on('close', () => {
          server.holding--
          server.released++
        })
        return
      }
      json(201, { id: 'order-1' })
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  server.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
})

afterAll(async () => {
  http.closeAllConnections()
  await new Promise((resolve) => http.close(resolve))
})

const configFor = (baseUrl: string) => ({
  baseUrl,
  auth: { type: 'bearer', token: { $secret: 'HTTP_TOKEN' } },
  errors: 'throw',
  healthPath: '/health',
  timeoutMs: 30_000,
})

describeConnectorConformance({
  connector: httpConnector,
  config: () => configFor(server.url),
  secrets: { HTTP_TOKEN: token },
  action: { name: 'request', input: { method: 'POST', path: '/orders', body: { sku: 'A1' } } },
  unreachable: () => configFor('http://127.0.0.1:9'),
  rejectedSecrets: { HTTP_TOKEN: 'http-bearer-wrong-0000' },
  slow: () => {
    const before = server.released
    return {
      name: 'request',
      input: { method: 'GET', path: '/slow' },
      inFlight: () => server.holding > 0,
      released: () => server.released > before,
    }
  },
  idempotency: {
    lastReceived: () => server.lastIdempotencyKey,
    failNext: () => {
      server.failures = 1
    },
  },
})
