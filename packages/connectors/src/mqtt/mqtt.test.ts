import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConnectorError, createWorkflow, noopLogger } from '@tessera/core'
import {
  crashingOnce,
  eventually,
  orderIdsOf,
  orderWorkflow,
  runsOf,
  storeDownUntilHealthy,
  testEngine,
} from '../../test/consumer-kit'
import { requireService, uniqueName } from '../../test/services'
import { closeMqttConnections, createMqttConnector, mqttConnector, mqttTrigger } from './index'

const url = process.env.TESSERA_MQTT_URL ?? 'mqtt://127.0.0.1:1883'
const up = await requireService('Mosquitto', url, async () => {
  const client = await mqtt.connectAsync(url, { connectTimeout: 3_000, reconnectPeriod: 0 }, false)
  await client.endAsync()
})

describe.runIf(up)('MQTT connector and trigger (real Mosquitto)', { timeout: 30_000 }, () => {
  let client: MqttClient

  beforeAll(async () => {
    client = await mqtt.connectAsync(url, { protocolVersion: 5 })
  })

  afterAll(async () => {
    await client.endAsync()
    await closeMqttConnections()
  })

  const send = (topic: string, payload: unknown) =>
    client.publishAsync(topic, JSON.stringify(payload), { qos: 1 })

  it('publishes with QoS 1 and the idempotency key as a user property', async () => {
    const topic = uniqueName('tessera/publish')
    await client.subscribeAsync(topic, { qos: 1 })
    const received = new Promise<{ payload: string; properties: unknown }>((resolve) =>
      client.once('message', (_topic, payload, packet) =>
        resolve({ payload: payload.toString(), properties: packet.properties }),
      ),
    )
    const output = await mqttConnector.actions.publish.run({
      config: { url },
      input: { topic, payload: { level: 'high' }, userProperties: { plant: '7' } },
      signal: new AbortController().signal,
      idempotencyKey: 'run-3:alert',
      logger: noopLogger,
    })
    expect(output).toEqual({ topic, qos: 1, idempotencyKey: 'run-3:alert' })
    const message = await received
    expect(JSON.parse(message.payload)).toEqual({ level: 'high' })
    expect(message.properties).toMatchObject({
      userProperties: { plant: '7', 'tessera-idempotency-key': 'run-3:alert' },
      contentType: 'application/json',
    })
    await client.unsubscribeAsync(topic)
  })

  it('maps an unreachable broker to network, an abort to aborted; check() connects', async () => {
    const down = await mqttConnector.actions.publish
      .run({
        config: { url: 'mqtt://127.0.0.1:1', connectTimeoutMs: 1_000 },
        input: { topic: 'a', payload: 1 },
        signal: new AbortController().signal,
        idempotencyKey: 'k',
        logger: noopLogger,
      })
      .catch((error: unknown) => error)
    expect(ConnectorError.isInstance(down)).toBe(true)
    expect(down).toMatchObject({ reason: 'network', retryable: true })
    const controller = new AbortController()
    controller.abort()
    await expect(
      mqttConnector.actions.publish.run({
        config: { url },
        input: { topic: 'a', payload: 1 },
        signal: controller.signal,
        idempotencyKey: 'k',
        logger: noopLogger,
      }),
    ).rejects.toMatchObject({ reason: 'aborted' })
    await expect(
      mqttConnector.check!({
        config: { url },
        signal: new AbortController().signal,
        logger: noopLogger,
      }),
    ).resolves.toBeUndefined()
    expect(mqttConnector.config.safeParse({ url, password: 'plain' }).success).toBe(false)
    expect(mqttConnector.config.safeParse({ url: 'http://x' }).success).toBe(false)
  })

  it('publishes through the engine; the trigger starts one run per message, duplicates none', async () => {
    const topic = uniqueName('tessera/orders')
    const consumer = orderWorkflow(uniqueName('mqtt_consumer'))
    const { engine, store } = testEngine()
    const subscription = await engine.startTrigger(
      mqttTrigger({
        id: 'orders',
        url,
        clientId: uniqueName('tessera-test'),
        sessionExpirySeconds: 60,
        topic,
        workflow: consumer,
      }),
    )
    try {
      const broker = createMqttConnector({ id: 'plant' })
      const produce = createWorkflow({
        id: uniqueName('mqtt_producer'),
        input: z.object({ orderId: z.string() }),
      })
        .map(({ input }) => ({ topic, payload: input, qos: 1 as const }))
        .action(broker, 'publish', { url })
        .commit()
      for (let index = 0; index < 4; index++)
        await (await engine.start(produce, { orderId: `o-${index}` })).result()
      // The same payload twice without a key property: the default key (a hash) makes one run.
      await send(topic, { orderId: 'dup' })
      await send(topic, { orderId: 'dup' })
      await eventually('5 runs', async () => (await runsOf(store, consumer.id)).length === 5)
      await subscription.stop()
      expect(await orderIdsOf(store, consumer.id)).toEqual(['dup', 'o-0', 'o-1', 'o-2', 'o-3'])
    } finally {
      await subscription.stop()
      await engine.close()
    }
  })

  it('a crash between the durable start and the ack: the retry finds the run, one run', async () => {
    const topic = uniqueName('tessera/crash')
    const consumer = orderWorkflow(uniqueName('mqtt_crash'))
    const { engine, store } = testEngine()
    const trigger = crashingOnce(
      mqttTrigger({
        id: 'crash',
        url,
        clientId: uniqueName('tessera-crash'),
        sessionExpirySeconds: 60,
        topic,
        workflow: consumer,
        retryDelayMs: 10,
      }),
    )
    const subscription = await engine.startTrigger(trigger)
    try {
      await send(topic, { orderId: 'o-crash' })
      await eventually(
        'the second attempt',
        () => trigger.crashes === 1 && trigger.duplicates === 1,
      )
      expect(await runsOf(store, consumer.id)).toHaveLength(1)
    } finally {
      await subscription.stop()
      await engine.close()
    }
  })

  it('stopped before the ack: the broker redelivers to the next session, one run', async () => {
    const topic = uniqueName('tessera/redeliver')
    const clientId = uniqueName('tessera-session')
    const consumer = orderWorkflow(uniqueName('mqtt_redeliver'))
    const { engine, store } = testEngine()
    try {
      const down = storeDownUntilHealthy(
        mqttTrigger({
          id: 'redeliver',
          url,
          clientId,
          sessionExpirySeconds: 60,
          topic,
          workflow: consumer,
          retryDelayMs: 10,
        }),
      )
      const first = await engine.startTrigger(down.trigger)
      await send(topic, { orderId: 'o-late' })
      await eventually('a failed start', () => down.state.failures > 0)
      await first.stop()
      expect(await runsOf(store, consumer.id)).toHaveLength(0)

      const second = await engine.startTrigger(
        mqttTrigger({
          id: 'redeliver',
          url,
          clientId,
          sessionExpirySeconds: 60,
          topic,
          workflow: consumer,
        }),
      )
      await eventually(
        'the redelivered message started a run',
        async () => (await runsOf(store, consumer.id)).length === 1,
      )
      await second.stop()
      // Acknowledged: a third session gets nothing more.
      const third = await engine.startTrigger(
        mqttTrigger({
          id: 'redeliver',
          url,
          clientId,
          sessionExpirySeconds: 60,
          topic,
          workflow: consumer,
        }),
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      await third.stop()
      expect(await runsOf(store, consumer.id)).toHaveLength(1)
    } finally {
      await engine.close()
    }
  })

  it('an invalid message goes to the dead-letter topic and starts no run', async () => {
    const topic = uniqueName('tessera/invalid')
    const deadTopic = `${topic}/dead`
    await client.subscribeAsync(deadTopic, { qos: 1 })
    const dead = new Promise<{ payload: string; properties: unknown }>((resolve) =>
      client.on('message', (received, payload, packet) => {
        if (received === deadTopic)
          resolve({ payload: payload.toString(), properties: packet.properties })
      }),
    )
    const consumer = orderWorkflow(uniqueName('mqtt_invalid'))
    const { engine, store } = testEngine()
    const subscription = await engine.startTrigger(
      mqttTrigger({
        id: 'invalid',
        url,
        clientId: uniqueName('tessera-invalid'),
        sessionExpirySeconds: 60,
        topic,
        workflow: consumer,
        deadLetterTopic: deadTopic,
      }),
    )
    try {
      await send(topic, { wrong: true })
      const copied = await dead
      expect(JSON.parse(copied.payload)).toEqual({ wrong: true })
      expect(copied.properties).toMatchObject({ userProperties: { 'tessera-topic': topic } })
      expect(await runsOf(store, consumer.id)).toHaveLength(0)
    } finally {
      await subscription.stop()
      await engine.close()
      await client.unsubscribeAsync(deadTopic)
    }
  })
})
