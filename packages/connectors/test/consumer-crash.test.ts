import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { connect as natsConnect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import amqp from 'amqplib'
import { Redis } from 'ioredis'
import mqtt from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { createEngine, type TriggerV1 } from '@tessera/core'
import { createSqliteStore } from '@tessera/connectors/sqlite'
import { eventually, runsOf } from './consumer-kit'
import { crashTrigger } from './crash-consumer-triggers'
import { requireService, uniqueName } from './services'

// A real crash between the durable start and the acknowledgement, per broker: a worker process
// (crash-consumer-worker.ts) consumes with an SQLite store, reports the run it started, and is
// SIGKILLed before it acknowledges. The broker delivers the message again (RabbitMQ requeues it,
// JetStream after ack_wait, MQTT to the next session with the client id, Redis through
// XAUTOCLAIM by another consumer); a trigger in this process, on the same store, finds the run
// the worker started: one run, and the message acknowledged.

const here = fileURLToPath(new URL('.', import.meta.url))
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const dir = mkdtempSync(join(tmpdir(), 'tessera-consumer-crash-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Broker {
  url: string
  source: string
  publish(body: unknown): Promise<void>
  /** True when nothing is left unacknowledged. */
  settled(): Promise<boolean>
  close(): Promise<void>
}

const amqpUrl = process.env.TESSERA_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
const natsUrl = process.env.TESSERA_NATS_URL ?? 'nats://127.0.0.1:4222'
const redisUrl = process.env.TESSERA_REDIS_URL ?? 'redis://127.0.0.1:6379'
const mqttUrl = process.env.TESSERA_MQTT_URL ?? 'mqtt://127.0.0.1:1883'

const brokers: Record<string, { up: boolean; open: () => Promise<Broker> }> = {
  rabbitmq: {
    up: await requireService('RabbitMQ', amqpUrl, async () =>
      (await amqp.connect(amqpUrl)).close(),
    ),
    async open() {
      const connection = await amqp.connect(amqpUrl)
      const channel = await connection.createChannel()
      const queue = uniqueName('tessera_crash')
      await channel.assertQueue(queue, { durable: true })
      return {
        url: amqpUrl,
        source: queue,
        publish: async (body) => void channel.sendToQueue(queue, Buffer.from(JSON.stringify(body))),
        settled: async () => (await channel.get(queue)) === false,
        close: async () => {
          await channel.deleteQueue(queue)
          await connection.close()
        },
      }
    },
  },
  nats: {
    up: await requireService('NATS', natsUrl, async () =>
      (await natsConnect({ servers: natsUrl })).close(),
    ),
    async open() {
      const connection = await natsConnect({ servers: natsUrl })
      const jsm = await jetstreamManager(connection)
      const stream = uniqueName('CRASH').toUpperCase()
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] })
      return {
        url: natsUrl,
        source: stream,
        publish: async (body) => {
          connection.publish(`${stream}.order`, JSON.stringify(body))
          await connection.flush()
        },
        settled: async () => {
          const info = await jsm.consumers.info(stream, 'crash')
          return info.num_ack_pending === 0 && info.num_pending === 0
        },
        close: async () => {
          await jsm.streams.delete(stream)
          await connection.close()
        },
      }
    },
  },
  redis: {
    up: await requireService('Redis', redisUrl, async () => {
      const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 })
      probe.on('error', () => undefined)
      await probe.connect()
      probe.disconnect()
    }),
    async open() {
      const redis = new Redis(redisUrl)
      const stream = uniqueName('tessera:crash')
      return {
        url: redisUrl,
        source: stream,
        publish: async (body) => void (await redis.xadd(stream, '*', 'data', JSON.stringify(body))),
        settled: async () => ((await redis.xpending(stream, 'crash')) as [number])[0] === 0,
        close: async () => {
          await redis.del(stream)
          await redis.quit()
        },
      }
    },
  },
  mqtt: {
    up: await requireService('Mosquitto', mqttUrl, async () =>
      (await mqtt.connectAsync(mqttUrl, { reconnectPeriod: 0 }, false)).endAsync(),
    ),
    async open() {
      const client = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5 })
      const topic = `tessera/crash/${uniqueName('t')}`
      return {
        url: mqttUrl,
        source: topic,
        publish: async (body) =>
          void (await client.publishAsync(topic, JSON.stringify(body), { qos: 1 })),
        // The redelivery was acknowledged when the trigger saw it (PUBACK follows the start).
        settled: async () => true,
        close: () => client.endAsync(),
      }
    },
  },
}

/** The trigger, counting the starts that found their run already there. */
function observed(trigger: TriggerV1) {
  const seen = { duplicates: 0 }
  const wrapped: TriggerV1 = {
    ...trigger,
    start: (context) =>
      trigger.start({
        ...context,
        async startRun(input, options) {
          const result = await context.startRun(input, options)
          if (!result.created) seen.duplicates++
          return result
        },
      }),
  }
  return { trigger: wrapped, seen }
}

describe(
  'consumer triggers: a worker killed between the durable start and the ack',
  { timeout: 60_000 },
  () => {
    for (const [name, broker] of Object.entries(brokers)) {
      it.runIf(broker.up)(
        `${name}: the message comes again, the next consumer finds the run`,
        async () => {
          const target = await broker.open()
          const filename = join(dir, `${name}.sqlite`)
          const workflowId = uniqueName(`killed_${name}`)
          try {
            const child = spawn(
              process.execPath,
              ['--import', tsxLoader, join(here, 'crash-consumer-worker.ts')],
              {
                env: {
                  ...process.env,
                  TSX_TSCONFIG_PATH: join(here, 'tsconfig.crash.json'),
                  CONSUMER_BROKER: name,
                  CONSUMER_SQLITE: filename,
                  CONSUMER_URL: target.url,
                  CONSUMER_SOURCE: target.source,
                  CONSUMER_WORKFLOW: workflowId,
                  CONSUMER_TRIGGER: 'killed',
                },
                stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
              },
            )
            const exited = new Promise((resolve) => child.once('exit', resolve))
            const messages: { ready?: boolean; started?: string }[] = []
            child.on('message', (message: { ready?: boolean; started?: string }) =>
              messages.push(message),
            )
            const early = exited.then(() => {
              throw new Error('the worker exited before starting a run')
            })
            early.catch(() => undefined)
            await Promise.race([
              eventually('the worker to listen', () => messages.some((m) => m.ready)),
              early,
            ])
            await target.publish({ orderId: `o-${name}` })
            await Promise.race([
              eventually('the durable start', () => messages.some((m) => m.started)),
              early,
            ])
            const started = messages.find((m) => m.started)!.started!
            // The run is committed, the message not acknowledged: kill the worker now.
            child.kill('SIGKILL')
            await exited

            const store = createSqliteStore({ filename })
            const engine = createEngine({ store, worker: false })
            try {
              const { trigger, seen } = observed(
                crashTrigger(name, {
                  id: 'killed',
                  url: target.url,
                  source: target.source,
                  workflowId,
                  consumer: 'parent',
                }),
              )
              const subscription = await engine.startTrigger(trigger)
              await eventually('the message delivered again', () => seen.duplicates === 1, 30_000)
              await subscription.stop()
              await eventually('nothing left unacknowledged', () => target.settled())
              expect((await runsOf(store, workflowId)).map((run) => run.id)).toEqual([started])
            } finally {
              await engine.close()
            }
          } finally {
            await target.close()
          }
        },
      )
    }
  },
)
