import { spawn, type ChildProcess } from 'node:child_process'
import { connect, headers, type NatsConnection } from '@nats-io/transport-node'
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConnectorError, createWorkflow, noopLogger } from '@tessera/core'
import {
  crashingOnce,
  eventually,
  orderIdsOf,
  orderWorkflow,
  runsOf,
  testEngine,
} from '../../test/consumer-kit'
import { requireService, uniqueName } from '../../test/services'
import { closeNatsConnections, createNatsConnector, natsConnector, natsTrigger } from './index'
import { freePort } from '../../test/free-port'

const servers = process.env.TESSERA_NATS_URL ?? 'nats://127.0.0.1:4222'
const up = await requireService('NATS', servers, async () => {
  const connection = await connect({ servers, timeout: 3_000 })
  await connection.close()
})

const context = (idempotencyKey = 'run-1:step') => ({
  signal: new AbortController().signal,
  idempotencyKey,
  logger: noopLogger,
})

describe.runIf(up)(
  'NATS connector and trigger (real server with JetStream)',
  { timeout: 30_000 },
  () => {
    let nc: NatsConnection
    let jsm: JetStreamManager
    const streams: string[] = []

    async function stream() {
      const name = uniqueName('TESSERA').toUpperCase()
      await jsm.streams.add({ name, subjects: [`${name}.>`] })
      streams.push(name)
      return name
    }

    beforeAll(async () => {
      nc = await connect({ servers })
      jsm = await jetstreamManager(nc)
    })

    afterAll(async () => {
      for (const name of streams) await jsm.streams.delete(name).catch(() => undefined)
      await nc.close()
      await closeNatsConnections()
    })

    it('publish: core NATS, flushed, with Nats-Msg-Id', async () => {
      const subject = uniqueName('tessera.core')
      const subscription = nc.subscribe(subject, { max: 1 })
      const received = (async () => {
        for await (const message of subscription) return message
      })()
      await nc.flush()
      const output = await natsConnector.actions.publish.run({
        config: { servers },
        input: { subject, data: { orderId: 'o-1' }, headers: { source: 'test' } },
        ...context('run-1:announce'),
      })
      expect(output).toEqual({ subject, messageId: 'run-1:announce' })
      const message = (await received)!
      expect(message.json()).toEqual({ orderId: 'o-1' })
      expect(message.headers?.get('Nats-Msg-Id')).toBe('run-1:announce')
      expect(message.headers?.get('source')).toBe('test')
    })

    it('jetstream-publish: a republish with the same idempotency key is deduplicated by the server', async () => {
      const name = await stream()
      const run = () =>
        natsConnector.actions['jetstream-publish'].run({
          config: { servers },
          input: { subject: `${name}.created`, data: 'first' },
          ...context('run-9:publish'),
        })
      const first = await run()
      const second = await run()
      expect(first).toMatchObject({
        stream: name,
        seq: 1,
        duplicate: false,
        messageId: 'run-9:publish',
      })
      expect(second).toMatchObject({ stream: name, seq: 1, duplicate: true })
      expect((await jsm.streams.info(name)).state.messages).toBe(1)
      // No stream captures the subject: not-found.
      const error = await natsConnector.actions['jetstream-publish']
        .run({
          config: { servers },
          input: { subject: uniqueName('nostream'), data: 1 },
          ...context(),
        })
        .catch((caught: unknown) => caught)
      expect(ConnectorError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ reason: 'not-found' })
    })

    it('request: the reply, no responders → not-found, a silent responder → timeout', async () => {
      const subject = uniqueName('tessera.quote')
      const responder = nc.subscribe(subject)
      void (async () => {
        for await (const message of responder) {
          const replyHeaders = headers()
          replyHeaders.set('x-key', message.headers?.get('Idempotency-Key') ?? '')
          message.respond(JSON.stringify({ price: 12, for: message.json() }), {
            headers: replyHeaders,
          })
        }
      })()
      await nc.flush()
      const output = await natsConnector.actions.request.run({
        config: { servers },
        input: { subject, data: { sku: 'A-1' } },
        ...context('run-2:quote'),
      })
      expect(output).toEqual({
        data: { price: 12, for: { sku: 'A-1' } },
        headers: { 'x-key': 'run-2:quote' },
      })
      responder.unsubscribe()

      const nobody = await natsConnector.actions.request
        .run({
          config: { servers },
          input: { subject: uniqueName('nobody'), data: 1 },
          ...context(),
        })
        .catch((caught: unknown) => caught)
      expect(nobody).toMatchObject({ reason: 'not-found' })

      const silentSubject = uniqueName('tessera.silent')
      const silent = nc.subscribe(silentSubject)
      await nc.flush()
      const slow = await natsConnector.actions.request
        .run({
          config: { servers },
          input: { subject: silentSubject, data: 1, timeoutMs: 200 },
          ...context(),
        })
        .catch((caught: unknown) => caught)
      expect(slow).toMatchObject({ reason: 'timeout', retryable: true })

      const controller = new AbortController()
      const pending = natsConnector.actions.request.run({
        config: { servers },
        input: { subject: silentSubject, data: 1, timeoutMs: 60_000 },
        signal: controller.signal,
        idempotencyKey: 'k',
        logger: noopLogger,
      })
      controller.abort(new Error('cancelled'))
      await expect(pending).rejects.toMatchObject({ reason: 'aborted' })
      silent.unsubscribe()
    })

    it('maps a refused token to unauthorized and no server to network; check() connects', async () => {
      const port = await freePort()
      const server: ChildProcess = spawn(
        'nats-server',
        ['-a', '127.0.0.1', '-p', String(port), '--auth', 'right-token'],
        {
          stdio: 'ignore',
        },
      )
      try {
        const url = `nats://127.0.0.1:${port}`
        await eventually('the token server', async () =>
          connect({ servers: url, token: 'right-token', timeout: 500 }).then(
            (connection) => connection.close().then(() => true),
            () => false,
          ),
        )
        await expect(
          natsConnector.check!({
            config: { servers: url, token: 'right-token' },
            signal: new AbortController().signal,
            logger: noopLogger,
          }),
        ).resolves.toBeUndefined()
        const denied = await natsConnector.actions.publish
          .run({
            config: { servers: url, token: 'wrong-token' },
            input: { subject: 'a', data: 1 },
            ...context(),
          })
          .catch((caught: unknown) => caught)
        expect(denied).toMatchObject({ reason: 'unauthorized' })
        expect((denied as Error).message).not.toContain('wrong-token')
      } finally {
        server.kill()
      }
      const down = await natsConnector.actions.publish
        .run({
          config: { servers: `nats://127.0.0.1:${await freePort()}`, connectTimeoutMs: 1_000 },
          input: { subject: 'a', data: 1 },
          ...context(),
        })
        .catch((caught: unknown) => caught)
      expect(down).toMatchObject({ reason: 'network', retryable: true })
      expect(natsConnector.config.safeParse({ servers, token: 'plain' }).success).toBe(false)
      expect(natsConnector.config.safeParse({ servers, user: 'a' }).success).toBe(false)
    })

    it('publishes through the engine; the trigger starts one run per message, duplicates none', async () => {
      const name = await stream()
      const consumer = orderWorkflow(uniqueName('nats_consumer'))
      const nats = createNatsConnector({ id: 'bus' })
      const produce = createWorkflow({
        id: uniqueName('nats_producer'),
        input: z.object({ orderId: z.string() }),
      })
        .map(({ input }) => ({ subject: `${name}.created`, data: input }))
        .action(nats, 'jetstream-publish', { servers })
        .commit()
      const { engine, store } = testEngine()
      try {
        for (let index = 0; index < 4; index++)
          await (await engine.start(produce, { orderId: `o-${index}` })).result()
        // Two messages carrying the same order header: the trigger's key makes them one run.
        const duplicate = headers()
        duplicate.set('order', 'dup')
        nc.publish(`${name}.created`, JSON.stringify({ orderId: 'dup' }), { headers: duplicate })
        nc.publish(`${name}.created`, JSON.stringify({ orderId: 'dup' }), { headers: duplicate })
        await nc.flush()
        const subscription = await engine.startTrigger(
          natsTrigger({
            id: 'orders',
            servers,
            stream: name,
            consumer: 'fulfilment',
            workflow: consumer,
            key: (message) =>
              message.headers['order'] ?? `${message.stream}-${message.streamSequence}`,
          }),
        )
        await eventually('5 runs, nothing pending', async () => {
          const info = await jsm.consumers.info(name, 'fulfilment')
          return (
            (await runsOf(store, consumer.id)).length === 5 &&
            info.num_pending === 0 &&
            info.num_ack_pending === 0
          )
        })
        await subscription.stop()
        expect(await orderIdsOf(store, consumer.id)).toEqual(['dup', 'o-0', 'o-1', 'o-2', 'o-3'])
      } finally {
        await engine.close()
      }
    })

    it('a crash between the durable start and the ack: redelivered, still one run', async () => {
      const name = await stream()
      const consumer = orderWorkflow(uniqueName('nats_crash'))
      const { engine, store } = testEngine()
      const trigger = crashingOnce(
        natsTrigger({
          id: 'crash',
          servers,
          stream: name,
          consumer: 'c',
          workflow: consumer,
          retryDelayMs: 10,
        }),
      )
      try {
        nc.publish(`${name}.x`, JSON.stringify({ orderId: 'o-crash' }))
        await nc.flush()
        const subscription = await engine.startTrigger(trigger)
        await eventually('the redelivery', () => trigger.crashes === 1 && trigger.duplicates === 1)
        await subscription.stop()
        await eventually(
          'acknowledged',
          async () => (await jsm.consumers.info(name, 'c')).num_ack_pending === 0,
        )
        expect(await runsOf(store, consumer.id)).toHaveLength(1)
      } finally {
        await engine.close()
      }
    })

    it('terminates an invalid message, copies it to the dead-letter subject, starts no run', async () => {
      const name = await stream()
      const consumer = orderWorkflow(uniqueName('nats_invalid'))
      const deadSubject = uniqueName('tessera.dead')
      const dead = nc.subscribe(deadSubject, { max: 1 })
      const deadMessage = (async () => {
        for await (const message of dead) return message
      })()
      await nc.flush()
      const { engine, store } = testEngine()
      try {
        nc.publish(`${name}.x`, JSON.stringify({ nope: 1 }))
        await nc.flush()
        const subscription = await engine.startTrigger(
          natsTrigger({
            id: 'invalid',
            servers,
            stream: name,
            consumer: 'c',
            workflow: consumer,
            deadLetterSubject: deadSubject,
          }),
        )
        const copied = (await deadMessage)!
        expect(copied.json()).toEqual({ nope: 1 })
        expect(copied.headers?.get('Tessera-Error')).toContain('validation_failed')
        await eventually('nothing pending', async () => {
          const info = await jsm.consumers.info(name, 'c')
          return info.num_ack_pending === 0 && info.num_pending === 0
        })
        await subscription.stop()
        expect(await runsOf(store, consumer.id)).toHaveLength(0)
      } finally {
        await engine.close()
      }
    })
  },
)
