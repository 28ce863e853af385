import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startGenericApiServer, type GenericApiServer } from '../../test/generic-api-server'
import { webhookConnector } from './create-webhook-connector'
import { verifyWebhookSignature } from './webhook-signature'

const secret = 'webhook-conformance-secret-0123'
let server: GenericApiServer

beforeAll(async () => {
  server = await startGenericApiServer(async (request) => {
    const verified = await verifyWebhookSignature({
      secret,
      body: request.body,
      header: request.headers['x-tessera-signature'] as string | undefined,
    })
    if (!verified.valid) return { status: 401, body: { message: verified.reason } }
    if ((JSON.parse(request.body) as { event: string }).event === 'slow') return 'hold'
    return { status: 202, body: { accepted: true } }
  })
})
afterAll(() => server.close())

const config = (url: () => string) => () => ({ url: url(), secret: { $secret: 'HOOK_SECRET' } })

describeConnectorConformance({
  connector: webhookConnector,
  config: config(() => `${server.url}/hooks/orders`),
  secrets: { HOOK_SECRET: secret },
  action: { name: 'send', input: { event: 'order.paid', payload: { orderId: 'A1' } } },
  unreachable: config(() => 'http://127.0.0.1:9/hooks/orders'),
  rejectedSecrets: { HOOK_SECRET: 'webhook-conformance-wrong-4567' },
  slow: () => {
    const before = server.released
    return {
      name: 'send',
      input: { event: 'slow', payload: null },
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
