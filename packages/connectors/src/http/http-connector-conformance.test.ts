import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startGenericApiServer, type GenericApiServer } from '../../test/generic-api-server'
import { httpConnector } from './create-http-connector'

const token = 'http-conformance-token-0123'
let server: GenericApiServer

beforeAll(async () => {
  server = await startGenericApiServer((request) => {
    if (request.headers.authorization !== `Bearer ${token}`)
      return { status: 401, body: { message: 'bad token' } }
    if (request.url.startsWith('/api/slow')) return 'hold'
    return { status: 201, body: { created: true } }
  })
})
afterAll(() => server.close())

const config = (baseUrl: () => string) => () => ({
  baseUrl: baseUrl(),
  auth: { type: 'bearer', token: { $secret: 'API_TOKEN' } },
  errors: 'throw',
})

describeConnectorConformance({
  connector: httpConnector,
  config: config(() => `${server.url}/api`),
  secrets: { API_TOKEN: token },
  action: { name: 'request', input: { method: 'POST', path: '/orders', body: { sku: 'A-1' } } },
  unreachable: config(() => 'http://127.0.0.1:9/api'),
  rejectedSecrets: { API_TOKEN: 'http-conformance-wrong-4567' },
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
