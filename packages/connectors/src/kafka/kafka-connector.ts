import { z } from 'zod'
import { ConnectorError, defineConnector } from '@tessera/core'
import type { Producer } from 'kafkajs'
import { abortable, callerAborted, encodeBody } from '../consumer-trigger'
import { createSdkClientCache } from '../sdk-client-cache'
import {
  createKafka,
  kafkaConfigSchema,
  kafkaError,
  type KafkaConnectionSettings,
} from './kafka-client'

/**
 * The Kafka header that carries the step idempotency key.
 *
 * @example
 * ```ts
 * const key = record.headers?.[kafkaIdempotencyHeader]?.toString()
 * ```
 */
export const kafkaIdempotencyHeader = 'tessera-idempotency-key'

/**
 * The input schema of the `produce` action.
 *
 * @example
 * ```ts
 * kafkaProduceInputSchema.parse({ topic: 'orders', key: 'customer-7', value: { orderId: 'o-1' } })
 * ```
 */
export const kafkaProduceInputSchema = z
  .object({
    topic: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,249}$/, 'a topic name: letters, digits, ".", "_" or "-"')
      .describe('The topic'),
    key: z
      .string()
      .optional()
      .describe('The message key: messages with the same key go to the same partition, in order'),
    value: z.unknown().describe('The value: a string as UTF-8 text, anything else as JSON'),
    headers: z.record(z.string(), z.string()).optional().describe('Message headers'),
    partition: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('A partition to write to instead of the key’s'),
  })
  .strict()

/**
 * The output schema of the `produce` action: where the message was written.
 *
 * @example
 * ```ts
 * const { partition, offset } = kafkaProduceOutputSchema.parse(output)
 * ```
 */
export const kafkaProduceOutputSchema = z.object({
  topic: z.string().describe('The topic'),
  partition: z.number().int().describe('The partition it was written to'),
  offset: z.string().describe('Its offset in the partition (a decimal string)'),
})

/**
 * Settings of {@link createKafkaConnector}.
 *
 * @example
 * ```ts
 * createKafkaConnector({ id: 'analytics' } satisfies KafkaConnectorSettings)
 * ```
 */
export interface KafkaConnectorSettings {
  /** Default `kafka`. Give each instance its own id to register several in one engine. */
  id?: string
}

const producers = createSdkClientCache<Producer>((producer) => producer.disconnect())

/**
 * Disconnects every producer the Kafka connectors opened (all instances).
 *
 * @example
 * ```ts
 * await engine.close()
 * await closeKafkaProducers()
 * ```
 */
export function closeKafkaProducers(): Promise<void> {
  return producers.close()
}

/**
 * Creates a Kafka connector with one action, `produce`, which writes a message with `acks: -1`
 * (every in-sync replica has it before the action resolves). The step idempotency key travels in
 * the header `tessera-idempotency-key` (kafkajs's idempotent producer only deduplicates within
 * one producer session, so consumers deduplicate by this header across retries). Producers are
 * cached per configuration; {@link closeKafkaProducers} disconnects them.
 *
 * @example
 * ```ts
 * const kafka = createKafkaConnector()
 * const workflow = createWorkflow({ id: 'order-events', input: z.object({ orderId: z.string() }) })
 *   .map(({ input }) => ({ topic: 'orders', key: input.orderId, value: input }))
 *   .action(kafka, 'produce', { brokers: ['kafka-1:9092'], sasl: { mechanism: 'plain', username: 'app', password: { $secret: 'KAFKA_PASSWORD' } } })
 *   .commit()
 * ```
 */
export function createKafkaConnector(settings: KafkaConnectorSettings = {}) {
  const id = settings.id ?? 'kafka'

  const producer = (config: KafkaConnectionSettings, action: string) =>
    producers.get({ connector: id, ...config }, async () => {
      const kafka = await createKafka(config, id, action)
      const created = kafka.producer({ allowAutoTopicCreation: false })
      try {
        await created.connect()
      } catch (error) {
        await created.disconnect().catch(() => undefined)
        throw error
      }
      created.on('producer.disconnect', () => producers.forget({ connector: id, ...config }))
      return created
    })

  return defineConnector({
    id,
    name: 'Kafka',
    description: 'Produces messages to Apache Kafka topics',
    docs: 'https://tessera.dev/docs/connectors/kafka',
    config: kafkaConfigSchema,
    actions: {
      produce: {
        title: 'Produce a message',
        description:
          'Writes a message to a topic and waits until every in-sync replica has it (acks=-1); the header tessera-idempotency-key is the step idempotency key',
        examples: [
          {
            input: {
              topic: 'orders',
              key: 'customer-7',
              value: { orderId: 'o-42', total: 99.5 },
              headers: { source: 'checkout' },
            },
          },
        ],
        input: kafkaProduceInputSchema,
        output: kafkaProduceOutputSchema,
        async run({ config, input, signal, idempotencyKey }) {
          const fail = callerAborted(id, 'produce')
          if (signal.aborted) throw fail(signal.reason)
          const where = `producing to ${JSON.stringify(input.topic)}`
          try {
            const connected = await abortable(producer(config, 'produce'), signal, fail)
            const [written] = await abortable(
              connected.send({
                topic: input.topic,
                acks: -1,
                messages: [
                  {
                    ...(input.key !== undefined ? { key: input.key } : {}),
                    ...(input.partition !== undefined ? { partition: input.partition } : {}),
                    value: encodeBody(input.value),
                    headers: { ...input.headers, [kafkaIdempotencyHeader]: idempotencyKey },
                  },
                ],
              }),
              signal,
              fail,
            )
            if (written === undefined || written.errorCode !== 0)
              throw new ConnectorError({
                connector: id,
                action: 'produce',
                reason: 'invalid-response',
                message: `${where}: the broker answered without a record metadata`,
              })
            return {
              topic: written.topicName,
              partition: written.partition,
              offset: written.baseOffset ?? written.offset ?? '',
            }
          } catch (error) {
            throw kafkaError(error, id, 'produce', where)
          }
        },
      },
    },
    async check({ config, signal }) {
      const fail = callerAborted(id, 'check')
      try {
        await abortable(producer(config, 'check'), signal, fail)
      } catch (error) {
        throw kafkaError(error, id, 'check', 'connecting to the brokers')
      }
    },
  })
}

/**
 * The Kafka connector with id `kafka` (see {@link createKafkaConnector}).
 *
 * @example
 * ```ts
 * await kafkaConnector.actions.produce.run({ config: { brokers: ['127.0.0.1:9092'] }, input: { topic: 'orders', value: { id: 1 } }, signal, idempotencyKey: 'k', logger })
 * ```
 */
export const kafkaConnector = /* @__PURE__ */ createKafkaConnector()

/**
 * The connector that {@link createKafkaConnector} returns.
 *
 * @example
 * ```ts
 * const kafka: KafkaConnector = createKafkaConnector()
 * ```
 */
export type KafkaConnector = ReturnType<typeof createKafkaConnector>
