import { Kafka, logLevel } from 'kafkajs'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConnectorError, createWorkflow, noopLogger } from '@tessera/core'
import {
  crashingOnce,
  eventually,
  orderWorkflow,
  runsOf,
  storeDownUntilHealthy,
  testEngine,
} from '../../test/consumer-kit'
import { startKafka } from '../../test/kafka-mock'
import { requireService, uniqueName } from '../../test/services'
import { closeKafkaProducers, createKafkaConnector, kafkaConnector, kafkaTrigger } from './index'

// Kafka: TESSERA_KAFKA_BROKERS, else librdkafka's mock cluster (see test/kafka-mock.ts).
const topics = {
  orders: uniqueName('orders').replace(/_/g, '-'),
  crash: uniqueName('crash').replace(/_/g, '-'),
  redeliver: uniqueName('redeliver').replace(/_/g, '-'),
  invalid: uniqueName('invalid').replace(/_/g, '-'),
  dead: uniqueName('dead').replace(/_/g, '-'),
}
let kafkaMock: ReturnType<typeof startKafka> | undefined
let brokers: string[] = []
const up = await requireService('Kafka (or the kafka-mock)', 'kafka-mock', async () => {
  kafkaMock = startKafka([
    `${topics.orders}:2`,
    ...[topics.crash, topics.redeliver, topics.invalid, topics.dead].map((topic) => `${topic}:1`),
  ])
  brokers = kafkaMock.brokers
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  await admin.disconnect()
})

afterAll(async () => {
  await closeKafkaProducers()
  kafkaMock?.stop()
})

const run = (input: z.input<typeof kafkaConnector.actions.produce.input>, idempotencyKey = 'k') =>
  kafkaConnector.actions.produce.run({
    config: { brokers },
    input: kafkaConnector.actions.produce.input.parse(input),
    signal: new AbortController().signal,
    idempotencyKey,
    logger: noopLogger,
  })

describe.runIf(up)('Kafka connector and trigger', { timeout: 60_000 }, () => {
  it('produces with acks=-1; no broker is a network error; passwords only as secret references', async () => {
    const output = await run(
      { topic: topics.orders, key: 'c-1', value: { orderId: 'o-x' }, partition: 1 },
      'run-1:produce',
    )
    expect(output).toMatchObject({ topic: topics.orders, partition: 1 })
    expect(Number(output.offset)).toBeGreaterThanOrEqual(0)
    const down = await kafkaConnector.actions.produce
      .run({
        config: { brokers: ['127.0.0.1:1'], retries: 0, connectionTimeoutMs: 500 },
        input: { topic: 'x', value: 1 },
        signal: new AbortController().signal,
        idempotencyKey: 'k',
        logger: noopLogger,
      })
      .catch((error: unknown) => error)
    expect(ConnectorError.isInstance(down)).toBe(true)
    expect(down).toMatchObject({ reason: 'network', retryable: true })
    expect(
      kafkaConnector.config.safeParse({
        brokers,
        sasl: { mechanism: 'plain', username: 'u', password: 'p' },
      }).success,
    ).toBe(false)
  })

  it('produces through the engine; the trigger starts one run per record, duplicates none', async () => {
    const consumer = orderWorkflow(uniqueName('kafka_consumer'))
    const kafka = createKafkaConnector({ id: 'stream' })
    const produce = createWorkflow({
      id: uniqueName('kafka_producer'),
      input: z.object({ orderId: z.string() }),
    })
      .map(({ input }) => ({ topic: topics.orders, key: input.orderId, value: input }))
      .action(kafka, 'produce', { brokers })
      .commit()
    const { engine, store } = testEngine()
    try {
      for (let index = 0; index < 4; index++)
        await (await engine.start(produce, { orderId: `o-${index}` })).result()
      // The same idempotency key twice (a producer retry): the trigger's key makes one run.
      await run({ topic: topics.orders, value: { orderId: 'dup' } }, 'dup-key')
      await run({ topic: topics.orders, value: { orderId: 'dup' } }, 'dup-key')
      const subscription = await engine.startTrigger(
        kafkaTrigger({
          id: 'orders',
          brokers,
          groupId: uniqueName('group'),
          topics: topics.orders,
          fromBeginning: true,
          workflow: consumer,
          input: (message) => message.value,
          key: (message) =>
            message.headers['tessera-idempotency-key'] ??
            `${message.topic}-${message.partition}-${message.offset}`,
        }),
      )
      // o-x is the record the first test wrote to the same topic.
      await eventually(
        '6 runs',
        async () => (await runsOf(store, consumer.id)).length === 6,
        40_000,
      )
      await subscription.stop()
      const orders = (await runsOf(store, consumer.id)).map(
        (entry) => (entry.input as { orderId: string }).orderId,
      )
      expect(orders.sort()).toEqual(['dup', 'o-0', 'o-1', 'o-2', 'o-3', 'o-x'])
    } finally {
      await engine.close()
    }
  })

  it('a crash between the durable start and the commit: the retry finds the run, one run', async () => {
    const consumer = orderWorkflow(uniqueName('kafka_crash'))
    const { engine, store } = testEngine()
    await run({ topic: topics.crash, value: { orderId: 'o-crash' } })
    const trigger = crashingOnce(
      kafkaTrigger({
        id: 'crash',
        brokers,
        groupId: uniqueName('group'),
        topics: topics.crash,
        fromBeginning: true,
        workflow: consumer,
        retryDelayMs: 10,
      }),
    )
    const subscription = await engine.startTrigger(trigger)
    try {
      await eventually('the retry', () => trigger.crashes === 1 && trigger.duplicates === 1, 40_000)
      expect(await runsOf(store, consumer.id)).toHaveLength(1)
    } finally {
      await subscription.stop()
      await engine.close()
    }
  })

  it('stopped before the commit: the group reads the record again, one run', async () => {
    const consumer = orderWorkflow(uniqueName('kafka_redeliver'))
    const groupId = uniqueName('group')
    const { engine, store } = testEngine()
    try {
      await run({ topic: topics.redeliver, value: { orderId: 'o-again' } })
      const options = {
        id: 'redeliver',
        brokers,
        groupId,
        topics: topics.redeliver,
        fromBeginning: true,
        workflow: consumer,
        retryDelayMs: 10,
      }
      const down = storeDownUntilHealthy(kafkaTrigger(options))
      const first = await engine.startTrigger(down.trigger)
      await eventually('a failed start', () => down.state.failures > 0, 40_000)
      await first.stop()
      expect(await runsOf(store, consumer.id)).toHaveLength(0)
      const second = await engine.startTrigger(kafkaTrigger(options))
      await eventually(
        'the record re-read',
        async () => (await runsOf(store, consumer.id)).length === 1,
        40_000,
      )
      await second.stop()
    } finally {
      await engine.close()
    }
  })

  it('an invalid record goes to the dead-letter topic, committed past, no run', async () => {
    const consumer = orderWorkflow(uniqueName('kafka_invalid'))
    const { engine, store } = testEngine()
    await run({ topic: topics.invalid, value: { nope: true } })
    const subscription = await engine.startTrigger(
      kafkaTrigger({
        id: 'invalid',
        brokers,
        groupId: uniqueName('group'),
        topics: topics.invalid,
        fromBeginning: true,
        workflow: consumer,
        deadLetterTopic: topics.dead,
      }),
    )
    const reader = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: uniqueName('dead-reader'),
    })
    try {
      await reader.connect()
      await reader.subscribe({ topic: topics.dead, fromBeginning: true })
      const dead = new Promise<{ value: string; headers: Record<string, string> }>(
        (resolveDead) => {
          void reader.run({
            eachMessage: async ({ message }) => {
              const headers: Record<string, string> = {}
              for (const [name, value] of Object.entries(message.headers ?? {}))
                headers[name] = String(value)
              resolveDead({ value: message.value!.toString(), headers })
            },
          })
        },
      )
      const copied = await dead
      expect(JSON.parse(copied.value)).toEqual({ nope: true })
      expect(copied.headers['tessera-error']).toContain('validation_failed')
      expect(copied.headers['tessera-source']).toBe(`${topics.invalid}-0-0`)
      expect(await runsOf(store, consumer.id)).toHaveLength(0)
    } finally {
      await reader.disconnect()
      await subscription.stop()
      await engine.close()
    }
  })
})
