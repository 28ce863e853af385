import amqp from 'amqplib'
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
import { closeRabbitmqConnections, createRabbitmqConnector, rabbitmqConnector } from './index'
import { rabbitmqTrigger } from './rabbitmq-trigger'

const url = process.env.TESSERA_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
const up = await requireService('RabbitMQ', '127.0.0.1:5672', async () => {
  const connection = await amqp.connect(url, { timeout: 3_000 })
  await connection.close()
})

describe.runIf(up)('RabbitMQ connector and trigger (real broker)', { timeout: 30_000 }, () => {
  let admin: amqp.ChannelModel
  let channel: amqp.Channel
  const queues: string[] = []
  const exchanges: string[] = []

  /** A queue dead-lettering to its own DLX queue; returns both names. */
  async function queueWithDlx() {
    const queue = uniqueName('tessera_q')
    const dlx = `${queue}.dlx`
    await channel.assertExchange(dlx, 'fanout', { durable: false, autoDelete: false })
    await channel.assertQueue(`${queue}.dead`, { durable: false })
    await channel.bindQueue(`${queue}.dead`, dlx, '')
    await channel.assertQueue(queue, { durable: true, deadLetterExchange: dlx })
    queues.push(queue, `${queue}.dead`)
    exchanges.push(dlx)
    return { queue, dead: `${queue}.dead` }
  }

  const publishRaw = (queue: string, body: unknown, messageId?: string) =>
    channel.sendToQueue(queue, Buffer.from(JSON.stringify(body)), {
      ...(messageId ? { messageId } : {}),
      contentType: 'application/json',
    })

  beforeAll(async () => {
    admin = await amqp.connect(url)
    channel = await admin.createChannel()
  })

  afterAll(async () => {
    for (const queue of queues) await channel.deleteQueue(queue).catch(() => undefined)
    for (const exchange of exchanges) await channel.deleteExchange(exchange).catch(() => undefined)
    await admin.close()
    await closeRabbitmqConnections()
  })

  it('publishes with confirms; the message id is the idempotency key', async () => {
    const { queue } = await queueWithDlx()
    const output = await rabbitmqConnector.actions.publish.run({
      config: { url },
      input: { exchange: '', routingKey: queue, message: { orderId: 'o-1' }, headers: { a: 1 } },
      signal: new AbortController().signal,
      idempotencyKey: 'run-1:publish',
      logger: noopLogger,
    })
    expect(output).toEqual({ exchange: '', routingKey: queue, messageId: 'run-1:publish' })
    const got = await channel.get(queue, { noAck: true })
    expect(got).not.toBe(false)
    if (got === false) return
    expect(JSON.parse(got.content.toString())).toEqual({ orderId: 'o-1' })
    expect(got.properties).toMatchObject({
      messageId: 'run-1:publish',
      contentType: 'application/json',
      deliveryMode: 2,
      headers: { a: 1 },
    })
  })

  it('maps a missing exchange to not-found, bad credentials to unauthorized, no broker to network', async () => {
    const run = (config: { url: string }, exchange: string) =>
      rabbitmqConnector.actions.publish.run({
        config,
        input: { exchange, routingKey: 'x', message: 'hi' },
        signal: new AbortController().signal,
        idempotencyKey: 'k',
        logger: noopLogger,
      })
    const missing = await run({ url }, uniqueName('no_such_exchange')).catch(
      (error: unknown) => error,
    )
    expect(ConnectorError.isInstance(missing)).toBe(true)
    expect(missing).toMatchObject({ reason: 'not-found', retryable: false })
    // The channel the error closed is replaced: the next publish works.
    const { queue } = await queueWithDlx()
    await expect(run({ url }, '')).resolves.toMatchObject({ messageId: 'k' })
    void queue

    const denied = await run({ url: 'amqp://guest:wrong-password@127.0.0.1:5672' }, '').catch(
      (error: unknown) => error,
    )
    expect(denied).toMatchObject({ reason: 'unauthorized' })
    expect(String((denied as Error).message)).not.toContain('wrong-password')

    const down = await run({ url: 'amqp://guest:guest@127.0.0.1:1' }, '').catch(
      (error: unknown) => error,
    )
    expect(down).toMatchObject({ reason: 'network', retryable: true })
  })

  it('refuses to publish once aborted, and check() verifies the configuration', async () => {
    const controller = new AbortController()
    controller.abort(new Error('cancelled'))
    const error = await rabbitmqConnector.actions.publish
      .run({
        config: { url },
        input: { exchange: '', routingKey: 'nowhere', message: 'x' },
        signal: controller.signal,
        idempotencyKey: 'k',
        logger: noopLogger,
      })
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ reason: 'aborted' })
    await expect(
      rabbitmqConnector.check!({
        config: { url },
        signal: new AbortController().signal,
        logger: noopLogger,
      }),
    ).resolves.toBeUndefined()
    await expect(
      rabbitmqConnector.check!({
        config: { url: 'amqp://nobody:nothing@127.0.0.1:5672' },
        signal: new AbortController().signal,
        logger: noopLogger,
      }),
    ).rejects.toMatchObject({ reason: 'unauthorized' })
    expect(rabbitmqConnector.config.safeParse({ url: 'amqp://guest:guest@h' }).success).toBe(false)
    expect(rabbitmqConnector.config.safeParse({ url: { $secret: 'AMQP_URL' } }).success).toBe(true)
  })

  it('publishes as workflow steps through the engine; the trigger starts exactly one run per message', async () => {
    const { queue } = await queueWithDlx()
    const seen: string[] = []
    const consumer = orderWorkflow(uniqueName('rabbit_consumer'), seen)
    const publisher = createRabbitmqConnector({ id: 'events' })
    const produce = createWorkflow({
      id: uniqueName('rabbit_producer'),
      input: z.object({ orderId: z.string() }),
    })
      .map(({ input }) => ({
        exchange: '',
        routingKey: queue,
        message: { orderId: input.orderId },
      }))
      .action(publisher, 'publish', { url: { $secret: 'AMQP_URL' } })
      .commit()
    const { engine, store } = testEngine({ AMQP_URL: url })
    try {
      for (let index = 0; index < 5; index++) {
        const run = await engine.start(produce, { orderId: `o-${index}` })
        expect(await run.result()).toMatchObject({ exchange: '', routingKey: queue })
      }
      // The same message id twice (a duplicate delivery): still one run.
      publishRaw(queue, { orderId: 'dup' }, 'message-dup')
      publishRaw(queue, { orderId: 'dup' }, 'message-dup')
      const subscription = await engine.startTrigger(
        rabbitmqTrigger({ id: 'orders', url: { $secret: 'AMQP_URL' }, queue, workflow: consumer }),
      )
      await eventually('6 runs and an empty queue', async () => {
        const runs = await runsOf(store, consumer.id)
        const { messageCount } = await channel.checkQueue(queue)
        return runs.length === 6 && messageCount === 0
      })
      await subscription.stop()
      expect(await orderIdsOf(store, consumer.id)).toEqual([
        'dup',
        'o-0',
        'o-1',
        'o-2',
        'o-3',
        'o-4',
      ])
      // Nothing left unacknowledged: a new consumer gets nothing.
      expect(await channel.get(queue)).toBe(false)
    } finally {
      await engine.close()
    }
  })

  it('a crash between the durable start and the ack: redelivered, still one run', async () => {
    const { queue } = await queueWithDlx()
    const consumer = orderWorkflow(uniqueName('rabbit_crash'))
    const { engine, store } = testEngine()
    const trigger = crashingOnce(
      rabbitmqTrigger({ id: 'crash', url, queue, workflow: consumer, retryDelayMs: 10 }),
    )
    try {
      publishRaw(queue, { orderId: 'o-crash' })
      const subscription = await engine.startTrigger(trigger)
      await eventually('the redelivery', () => trigger.crashes === 1 && trigger.duplicates === 1)
      await subscription.stop()
      expect(await channel.get(queue)).toBe(false)
      expect(await runsOf(store, consumer.id)).toHaveLength(1)
    } finally {
      await engine.close()
    }
  })

  it('dead-letters a message the workflow refuses, without a run; onInvalid ack drops it', async () => {
    const { queue, dead } = await queueWithDlx()
    const consumer = orderWorkflow(uniqueName('rabbit_invalid'))
    const { engine, store } = testEngine()
    try {
      publishRaw(queue, { wrong: true }, 'bad-1')
      publishRaw(queue, { orderId: 'fine' }, 'good-1')
      const subscription = await engine.startTrigger(
        rabbitmqTrigger({ id: 'invalid', url, queue, workflow: consumer }),
      )
      await eventually('the bad message dead-lettered', async () => {
        const { messageCount } = await channel.checkQueue(dead)
        return messageCount === 1 && (await runsOf(store, consumer.id)).length === 1
      })
      await subscription.stop()
      const deadLettered = await channel.get(dead, { noAck: true })
      expect(deadLettered !== false && deadLettered.properties.messageId).toBe('bad-1')

      publishRaw(queue, 'not even json')
      const acking = await engine.startTrigger(
        rabbitmqTrigger({ id: 'invalid-ack', url, queue, workflow: consumer, onInvalid: 'ack' }),
      )
      await eventually('the bad message acknowledged', async () => {
        const { messageCount } = await channel.checkQueue(queue)
        return messageCount === 0
      })
      await acking.stop()
      expect((await channel.checkQueue(dead)).messageCount).toBe(0)
      expect(await runsOf(store, consumer.id)).toHaveLength(1)
    } finally {
      await engine.close()
    }
  })

  it('connects with the host form and a password secret; refuses both or neither form', async () => {
    const { queue } = await queueWithDlx()
    const consumer = orderWorkflow(uniqueName('rabbit_host'))
    const { engine, store } = testEngine({ AMQP_PASSWORD: 'guest' })
    try {
      publishRaw(queue, { orderId: 'o-host' })
      const subscription = await engine.startTrigger(
        rabbitmqTrigger({
          id: 'host-form',
          host: '127.0.0.1',
          username: 'guest',
          password: { $secret: 'AMQP_PASSWORD' },
          queue,
          workflow: consumer,
        }),
      )
      await eventually('one run', async () => (await runsOf(store, consumer.id)).length === 1)
      await subscription.stop()
      await expect(
        engine.startTrigger(rabbitmqTrigger({ id: 'neither', queue, workflow: consumer })),
      ).rejects.toMatchObject({ reason: 'invalid-config' })
      await expect(
        engine.startTrigger(
          rabbitmqTrigger({ id: 'both', url, host: '127.0.0.1', queue, workflow: consumer }),
        ),
      ).rejects.toMatchObject({ reason: 'invalid-config' })
    } finally {
      await engine.close()
    }
  })

  it('fails to start on a missing queue with not-found', async () => {
    const { engine } = testEngine()
    try {
      await expect(
        engine.startTrigger(
          rabbitmqTrigger({
            id: 'missing',
            url,
            queue: uniqueName('absent'),
            workflow: orderWorkflow(uniqueName('w')),
          }),
        ),
      ).rejects.toMatchObject({ reason: 'not-found' })
    } finally {
      await engine.close()
    }
  })
})
