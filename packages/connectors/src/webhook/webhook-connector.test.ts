import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConnectorError,
  createEngine,
  createWorkflow,
  mapSecrets,
  noopLogger,
  type Engine,
} from '@tessera/core'
import { createHttpHandler, signWebhook } from '@tessera/core/http'
import {
  createWebhookConnector,
  webhookConnector,
  type WebhookEnvelope,
} from './create-webhook-connector'
import { signWebhookPayload, verifyWebhookSignature } from './webhook-signature'

// A real Tessera receiver: an engine behind createHttpHandler with an inbound webhook, served
// by node:http. The connector's deliveries must start runs there; tampered ones must not.

const secret = 'whsec-shared-0123456789abcdef'
let receiver: Engine
let server: Server
let origin: string
const received: { headers: IncomingHttpHeaders; body: string; status: number }[] = []
let tamper: ((body: string) => string) | undefined

const onOrder = createWorkflow({
  id: 'on-order',
  input: z.object({
    id: z.string(),
    event: z.string(),
    createdAt: z.string(),
    payload: z.object({ orderId: z.string() }),
  }),
})
  .map(({ input }) => ({ handled: input.payload.orderId, event: input.event, delivery: input.id }))
  .commit()

beforeAll(async () => {
  receiver = createEngine()
  receiver.register(onOrder)
  const handler = createHttpHandler(receiver, {
    auth: 'none-insecure',
    webhooks: { orders: { workflowId: 'on-order', secret } },
  })
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      let body = Buffer.concat(chunks).toString('utf8')
      if (tamper) body = tamper(body)
      const headers = new Headers()
      for (const [name, value] of Object.entries(request.headers))
        if (typeof value === 'string') headers.set(name, value)
      void handler(
        new Request(`${origin}${request.url}`, { method: request.method, headers, body }),
      ).then(async (answer) => {
        const text = await answer.text()
        received.push({ headers: request.headers, body, status: answer.status })
        const answerHeaders: Record<string, string> = {}
        answer.headers.forEach((value, name) => (answerHeaders[name] = value))
        response.writeHead(answer.status, answerHeaders)
        response.end(text)
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await receiver.close()
})

const send = (
  input: { event: string; payload: unknown },
  options: { path?: string; idempotencyKey?: string; headerName?: string } = {},
) =>
  webhookConnector.actions.send.run({
    config: {
      url: `${origin}${options.path ?? '/webhooks/orders'}`,
      secret,
      ...(options.headerName ? { headerName: options.headerName } : {}),
    },
    input,
    signal: new AbortController().signal,
    idempotencyKey: options.idempotencyKey ?? 'run-1:notify',
    logger: noopLogger,
  })

async function waitForOutput(runId: string): Promise<unknown> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const run = await receiver.store.getRun(runId)
    if (run?.status === 'succeeded') return run.output
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`run ${runId} did not succeed`)
}

describe('webhook signatures', () => {
  it('match core’s inbound format byte for byte, and verify (rotation, tolerance, tampering)', async () => {
    const body = '{"a":1}'
    const ours = await signWebhookPayload({ secret, body, timestamp: 1_700_000_000 })
    expect(ours).toBe(await signWebhook({ secret, body, timestamp: 1_700_000_000 }))
    const { createHmac } = await import('node:crypto')
    expect(ours).toBe(
      `t=1700000000,v1=${createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex')}`,
    )
    const nowMs = 1_700_000_010_000
    expect(await verifyWebhookSignature({ secret, body, header: ours, nowMs })).toEqual({
      valid: true,
      timestamp: 1_700_000_000,
    })
    expect(
      await verifyWebhookSignature({ secret, body: '{"a":2}', header: ours, nowMs }),
    ).toMatchObject({ valid: false, reason: 'the signature does not match the body' })
    expect(
      await verifyWebhookSignature({ secret, body, header: ours, nowMs: nowMs + 600_000 }),
    ).toMatchObject({ valid: false, reason: expect.stringContaining('outside the tolerance') })
    expect(
      await verifyWebhookSignature({
        secret,
        body,
        header: `t=1700000000,v1=${'0'.repeat(64)},${ours.split(',')[1]}`,
        nowMs,
      }),
    ).toMatchObject({ valid: true })
    expect(await verifyWebhookSignature({ secret, body, header: 'v1=zz', nowMs })).toMatchObject({
      valid: false,
    })
    expect(await verifyWebhookSignature({ secret, body, header: null })).toMatchObject({
      valid: false,
      reason: 'the signature header is missing',
    })
  })
})

describe('webhookConnector → a Tessera inbound webhook', () => {
  it('starts a run with the envelope; a retry of the same step starts no second run', async () => {
    const first = await send({ event: 'order.paid', payload: { orderId: 'A1' } })
    expect(first.status).toBe(202)
    expect(first.deliveryId).toBe('run-1:notify')
    const { runId, created } = first.body as { runId: string; created: boolean }
    expect(created).toBe(true)
    expect(await waitForOutput(runId)).toEqual({
      handled: 'A1',
      event: 'order.paid',
      delivery: 'run-1:notify',
    })
    const seen = received.at(-1)!
    expect(seen.headers).toMatchObject({
      'idempotency-key': 'run-1:notify',
      'x-tessera-delivery': 'run-1:notify',
      'x-tessera-event': 'order.paid',
      'content-type': 'application/json',
    })
    const envelope = JSON.parse(seen.body) as WebhookEnvelope
    expect(envelope).toMatchObject({
      id: 'run-1:notify',
      event: 'order.paid',
      payload: { orderId: 'A1' },
    })
    expect(
      await verifyWebhookSignature({
        secret,
        body: seen.body,
        header: seen.headers['x-tessera-signature'] as string,
      }),
    ).toMatchObject({ valid: true })

    const again = await send({ event: 'order.paid', payload: { orderId: 'A1' } })
    expect(again.status).toBe(200)
    expect(again.body).toEqual({ runId, created: false })
  })

  it('sends a digest as x-tessera-delivery when the key is longer than a receiver accepts', async () => {
    const longKey = `run-${'x'.repeat(250)}:notify`
    const output = await send(
      { event: 'order.paid', payload: { orderId: 'L1' } },
      { idempotencyKey: longKey },
    )
    expect(output.status).toBe(202)
    const { createHash } = await import('node:crypto')
    expect(received.at(-1)!.headers).toMatchObject({
      'x-tessera-delivery': `sha256:${createHash('sha256').update(longKey).digest('hex')}`,
      'idempotency-key': longKey,
    })
    expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ id: longKey })
  })

  it('a tampered body is refused with 401 → unauthorized, and no run starts', async () => {
    const before = (await receiver.store.listRuns({ workflowId: 'on-order' })).runs.length
    tamper = (body) => body.replace('"B2"', '"B3"')
    try {
      const error = await send(
        { event: 'order.paid', payload: { orderId: 'B2' } },
        { idempotencyKey: 'run-2:notify' },
      ).then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(ConnectorError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ reason: 'unauthorized', status: 401, retryable: false })
      expect((error as Error).message).not.toContain(secret)
    } finally {
      tamper = undefined
    }
    expect(received.at(-1)!.status).toBe(401)
    expect((await receiver.store.listRuns({ workflowId: 'on-order' })).runs.length).toBe(before)
  })

  it('a wrong secret or a wrong header name is refused; an unknown hook is not-found', async () => {
    const wrongSecret = await webhookConnector.actions.send
      .run({
        config: { url: `${origin}/webhooks/orders`, secret: 'another-secret-0123456789' },
        input: { event: 'x', payload: { orderId: 'C' } },
        signal: new AbortController().signal,
        idempotencyKey: 'k-3',
        logger: noopLogger,
      })
      .catch((caught: unknown) => caught)
    expect(wrongSecret).toMatchObject({ reason: 'unauthorized' })
    await expect(
      send(
        { event: 'x', payload: { orderId: 'D' } },
        { headerName: 'x-signature', idempotencyKey: 'k-4' },
      ),
    ).rejects.toMatchObject({ reason: 'unauthorized' })
    await expect(
      send({ event: 'x', payload: {} }, { path: '/webhooks/nope', idempotencyKey: 'k-5' }),
    ).rejects.toMatchObject({ reason: 'not-found' })
  })

  it('runs as a workflow step, its secret resolved by the engine from a secrets provider', async () => {
    const hooks = createWebhookConnector({ id: 'order-hooks' })
    const notify = createWorkflow({
      id: 'notify-partner',
      input: z.object({ orderId: z.string() }),
    })
      .map(({ input }) => ({ event: 'order.shipped', payload: input }))
      .action(hooks, 'send', {
        url: `${origin}/webhooks/orders`,
        secret: { $secret: 'ORDERS_HOOK' },
      })
      .commit()
    expect(JSON.stringify(notify.definition)).not.toContain(secret)
    const sender = createEngine({ secrets: mapSecrets({ ORDERS_HOOK: secret }) })
    try {
      const run = await sender.start(notify, { orderId: 'E5' })
      const output = (await run.result()) as {
        status: number
        deliveryId: string
        body: { runId: string }
      }
      expect(output).toMatchObject({ status: 202, deliveryId: `${run.id}:order-hooks.send` })
      expect(await waitForOutput(output.body.runId)).toMatchObject({
        handled: 'E5',
        event: 'order.shipped',
        delivery: `${run.id}:order-hooks.send`,
      })
    } finally {
      await sender.close()
    }
  })
})
