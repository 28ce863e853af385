import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  InvalidArgumentError,
  createEngine,
  createStep,
  createWorkflow,
  mapSecrets,
  type Engine,
  type EngineOptions,
} from '@tessera/core'
import { createHttpHandler, signWebhook } from '@tessera/core/http'
import { webhookTrigger } from '@tessera/connectors/triggers'
import { until } from '../../test/trigger-kit'

const order = z.object({ orderId: z.string() })
const review = createStep({ id: 'review', input: order, output: order, run: ({ input }) => input })
const orderFlow = createWorkflow({ id: 'webhook-order', input: order }).then(review).commit()

const secret = 'whsec-0123456789abcdef0123'

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})
const newEngine = (options: EngineOptions) => {
  const engine = createEngine(options)
  engines.push(engine)
  return engine
}

async function deliver(
  handler: ReturnType<typeof createHttpHandler>,
  body: unknown,
  options: { delivery?: string; signWith?: string } = {},
) {
  const text = JSON.stringify(body)
  return handler(
    new Request('http://tessera.test/webhooks/orders', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-tessera-signature': await signWebhook({
          secret: options.signWith ?? secret,
          body: text,
        }),
        ...(options.delivery ? { 'x-tessera-delivery': options.delivery } : {}),
      },
      body: text,
    }),
  )
}

describe('webhookTrigger', () => {
  it('serves createHttpHandler webhooks: verified deliveries start runs keyed by the trigger', async () => {
    const orders = webhookTrigger({
      id: 'orders',
      workflow: orderFlow,
      secret: { $secret: 'ORDERS_WEBHOOK_SECRET' },
      input: (body) => ({ orderId: (body as { order: { id: string } }).order.id }),
    })
    const engine = newEngine({
      secrets: mapSecrets({ ORDERS_WEBHOOK_SECRET: secret }),
      triggers: [orders],
    })
    const handler = createHttpHandler(engine, { auth: 'none-insecure', webhooks: { orders } })
    await until(() => engine.triggers[0]?.state === 'running', 'the trigger to run')
    expect(engine.triggers[0]).toMatchObject({ id: 'orders', type: 'webhook', state: 'running' })

    const first = await deliver(handler, { order: { id: 'A1' } }, { delivery: 'delivery-1' })
    expect(first.status).toBe(202)
    const body = (await first.json()) as { runId: string; created: boolean }
    expect(body.created).toBe(true)
    const again = await deliver(handler, { order: { id: 'A1' } }, { delivery: 'delivery-1' })
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual({ runId: body.runId, created: false })

    const run = await engine.getRun(body.runId)
    expect(await run.result()).toEqual({ orderId: 'A1' })
    expect((await run.record()).idempotencyKey).toBe('trigger:orders:delivery-1')
    expect(engine.triggers[0]!.runs).toBe(1)

    // Without a delivery id each delivery is its own run.
    const unkeyed = await deliver(handler, { order: { id: 'B2' } })
    expect(unkeyed.status).toBe(202)
    expect(engine.triggers[0]!.runs).toBe(2)

    const forged = await deliver(
      handler,
      { order: { id: 'C3' } },
      { signWith: 'another-secret-of-16+' },
    )
    expect(forged.status).toBe(401)
    expect(engine.triggers[0]!.runs).toBe(2)
  })

  it('refuses deliveries while no engine runs the trigger, and after close', async () => {
    const orders = webhookTrigger({
      id: 'orders',
      workflow: orderFlow,
      secret: async () => secret,
    })
    // An API-only engine does not start triggers unless told to.
    const apiOnly = newEngine({ worker: false, triggers: [orders] })
    const handler = createHttpHandler(apiOnly, { auth: 'none-insecure', webhooks: { orders } })
    const refused = await deliver(handler, { orderId: 'A1' }, { delivery: 'd' })
    expect(refused.status).toBe(409)
    expect(JSON.stringify(await refused.json())).toMatch(/not started in this engine/)

    const engine = newEngine({ worker: false, startTriggers: true, triggers: [orders] })
    const served = createHttpHandler(engine, { auth: 'none-insecure', webhooks: { orders } })
    await until(() => engine.triggers[0]?.state === 'running', 'the trigger to run')
    expect((await deliver(served, { orderId: 'A1' }, { delivery: 'd' })).status).toBe(202)
    await engine.close()
    expect((await deliver(served, { orderId: 'A2' }, { delivery: 'e' })).status).toBe(409)
  })

  it('takes a secret reference or a function, never the secret itself', () => {
    expect(() =>
      webhookTrigger({ id: 'orders', workflow: orderFlow, secret: secret as never }),
    ).toThrow(InvalidArgumentError)
    try {
      webhookTrigger({ id: 'orders', workflow: orderFlow, secret: secret as never })
    } catch (error) {
      expect((error as Error).message).not.toContain(secret)
      expect((error as Error).message).toMatch(/"secret" must be a secret reference/)
    }
  })
})
