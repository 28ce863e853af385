import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { nodeSync } from '../../test/consumer-kit'
import { startKafka, startSaslProxy } from '../../test/kafka-mock'
import { requireService, uniqueName, whenUp } from '../../test/services'
import { closeKafkaProducers, kafkaConnector } from './index'

// The connector conformance suite on the Kafka mock behind a SASL/PLAIN front (the mock has no
// SASL of its own): the SASL password is the secret. produce is the call; the last record's
// tessera-idempotency-key header is read back by a child process that consumes the topic
// directly from the mock. A produce with acks=-1 is answered at once: no slow call.

const topic = uniqueName('conformance').replace(/_/g, '-')
const password = `conformance-${randomUUID()}`
let kafka: ReturnType<typeof startKafka> | undefined
let proxy: Awaited<ReturnType<typeof startSaslProxy>> | undefined

const up = await requireService('Kafka (or the kafka-mock)', 'kafka-mock', async () => {
  kafka = startKafka([`${topic}:1`])
  proxy = await startSaslProxy({ upstream: kafka.brokers[0]!, username: 'tessera', password })
  const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  await admin.disconnect()
})

afterAll(async () => {
  await closeKafkaProducers()
  await proxy?.close()
  kafka?.stop()
})

const sasl = { mechanism: 'plain', username: 'tessera', password: { $secret: 'KAFKA_PASSWORD' } }

whenUp(up, 'Kafka (or the kafka-mock)', () =>
  describeConnectorConformance({
    connector: kafkaConnector,
    config: () => ({ brokers: [proxy!.broker], sasl, retries: 1 }),
    secrets: { KAFKA_PASSWORD: password },
    action: { name: 'produce', input: { topic, value: { n: 1 } } },
    unreachable: () => ({
      brokers: ['127.0.0.1:1'],
      sasl,
      retries: 0,
      connectionTimeoutMs: 500,
    }),
    slow: { unsupported: 'a produce with acks=-1 is answered at once; nothing stays in flight' },
    rejectedSecrets: { KAFKA_PASSWORD: 'conformance-wrong-password' },
    timeoutMs: 20_000,
    idempotency: {
      lastReceived: () =>
        nodeSync(`
          import { Kafka, logLevel } from 'kafkajs'
          const kafka = new Kafka({ brokers: ${JSON.stringify(kafka!.brokers)}, logLevel: logLevel.NOTHING })
          const admin = kafka.admin()
          await admin.connect()
          const [{ high }] = await admin.fetchTopicOffsets(${JSON.stringify(topic)})
          await admin.disconnect()
          if (high === '0') { console.log(''); process.exit(0) }
          const consumer = kafka.consumer({ groupId: 'reader-' + Math.random().toString(36).slice(2) })
          await consumer.connect()
          await consumer.subscribe({ topic: ${JSON.stringify(topic)}, fromBeginning: true })
          const last = await new Promise((resolve) => {
            void consumer.run({
              eachMessage: async ({ message }) => {
                if (BigInt(message.offset) + 1n === BigInt(high))
                  resolve(message.headers?.['tessera-idempotency-key']?.toString() ?? '')
              },
            })
          })
          await consumer.disconnect()
          console.log(last)
        `) || undefined,
    },
  }),
)
