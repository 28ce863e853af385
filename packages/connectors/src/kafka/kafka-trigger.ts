import type { TriggerContext, TriggerSubscription, TriggerV1, Workflow } from '@tessera/core'
import type { Consumer, Producer } from 'kafkajs'
import {
  consumerTrigger,
  decideMessageWithRetry,
  decodeBody,
  describeError,
  resolveSetting,
  type SecretOrValue,
} from '../consumer-trigger'
import { createKafka, kafkaError } from './kafka-client'

/**
 * A Kafka record as the trigger's `input` and `key` functions see it. `value` is parsed as JSON
 * when it parses, else text; it is the run's input unless `input` says otherwise.
 *
 * @example
 * ```ts
 * const key = (message: KafkaTriggerMessage) => message.headers['tessera-idempotency-key'] ?? `${message.topic}-${message.partition}-${message.offset}`
 * ```
 */
export interface KafkaTriggerMessage {
  topic: string
  partition: number
  /** The record's offset (a decimal string). */
  offset: string
  key: string | null
  value: unknown
  headers: Record<string, string>
  /** The record's timestamp, epoch ms as a string. */
  timestamp: string
}

/**
 * Options of {@link kafkaTrigger}.
 *
 * @example
 * ```ts
 * const options: KafkaTriggerOptions = { id: 'orders', brokers: ['kafka-1:9092'], groupId: 'tessera', topics: 'orders', workflow }
 * ```
 */
export interface KafkaTriggerOptions<W extends Workflow = Workflow> {
  /** Unique per engine and stable across deploys: it scopes the runs' idempotency keys. */
  id: string
  brokers: string[]
  clientId?: string
  sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'
    username: string
    /** The password, or a `{ $secret }` resolved through the engine's secrets provider. */
    password: SecretOrValue
  }
  ssl?: boolean
  /** The consumer group: workers with the same group share the partitions. */
  groupId: string
  /** One topic or several. */
  topics: string | string[]
  /** Where a group without committed offsets starts: the beginning (true) or new records (default). */
  fromBeginning?: boolean
  workflow: W
  /** The run's input for a record; default: its value. */
  input?: (message: KafkaTriggerMessage) => unknown
  /** The run's idempotency key; default `<topic>-<partition>-<offset>`. */
  key?: (message: KafkaTriggerMessage) => string
  /** A topic to copy invalid records to (with a `tessera-error` header) before committing past them. */
  deadLetterTopic?: string
  /** The wait between attempts to start a run while the store fails (default 1 000 ms, doubling to 30 s). */
  retryDelayMs?: number
  description?: string
}

/**
 * A consumer trigger that starts one run per Kafka record, in a consumer group with auto-commit
 * off: the offset past a record is committed only after `context.startRun` resolved for it. A
 * record whose start fails is retried in place (the partition waits, keeping its order); after a
 * crash or a rebalance the group re-reads from the last committed offset and the idempotency
 * key (`<topic>-<partition>-<offset>` by default) finds the existing run. Invalid records go to
 * `deadLetterTopic` (when set) and are committed past.
 *
 * @example
 * ```ts
 * const trigger = kafkaTrigger({
 *   id: 'orders',
 *   brokers: ['kafka-1:9092'],
 *   sasl: { mechanism: 'scram-sha-512', username: 'tessera', password: { $secret: 'KAFKA_PASSWORD' } },
 *   ssl: true,
 *   groupId: 'tessera-orders',
 *   topics: 'orders',
 *   workflow: fulfilOrder,
 *   deadLetterTopic: 'orders.dead',
 * })
 * ```
 */
export function kafkaTrigger<W extends Workflow>(options: KafkaTriggerOptions<W>): TriggerV1 {
  const toInput = options.input ?? ((message: KafkaTriggerMessage) => message.value)
  const toKey =
    options.key ??
    ((message: KafkaTriggerMessage) => `${message.topic}-${message.partition}-${message.offset}`)
  const topics = Array.isArray(options.topics) ? options.topics : [options.topics]
  return consumerTrigger(
    options,
    `Starts ${options.workflow.id} for each record of Kafka topic ${topics.join(', ')}`,
    async (context: TriggerContext): Promise<TriggerSubscription> => {
      const where = `consuming ${topics.join(', ')} in group ${JSON.stringify(options.groupId)}`
      const kafka = await createKafka(
        {
          brokers: options.brokers,
          clientId: options.clientId,
          ssl: options.ssl,
          sasl:
            options.sasl === undefined
              ? undefined
              : {
                  mechanism: options.sasl.mechanism,
                  username: options.sasl.username,
                  password: await resolveSetting(
                    options.sasl.password,
                    context,
                    'kafka',
                    'sasl.password',
                  ),
                },
          retries: 5,
        },
        'kafka',
        'trigger',
      )
      const stopping = new AbortController()
      const consumer: Consumer = kafka.consumer({ groupId: options.groupId })
      let deadLetters: Producer | undefined

      try {
        await consumer.connect()
        await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? false })
        if (options.deadLetterTopic !== undefined) {
          deadLetters = kafka.producer()
          await deadLetters.connect()
        }
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message: record }) => {
            const headers: Record<string, string> = {}
            for (const [name, value] of Object.entries(record.headers ?? {})) {
              const last = Array.isArray(value) ? value.at(-1) : value
              if (last !== undefined) headers[name] = last.toString()
            }
            const message: KafkaTriggerMessage = {
              topic,
              partition,
              offset: record.offset,
              key: record.key === null ? null : record.key.toString(),
              value: decodeBody(record.value),
              headers,
              timestamp: record.timestamp,
            }
            const commit = () =>
              consumer.commitOffsets([
                { topic, partition, offset: (BigInt(record.offset) + 1n).toString() },
              ])
            const outcome = await decideMessageWithRetry(
              context,
              stopping.signal,
              () => toInput(message),
              () => toKey(message),
              {
                retryDelayMs: options.retryDelayMs,
                onRetry: (error, inMs) =>
                  context.logger.error('Starting a run failed; retrying the record', {
                    topic,
                    partition,
                    offset: record.offset,
                    inMs,
                    error: describeError(error),
                  }),
              },
            )
            // Stopped: not committed, so the group reads the record again later.
            if (outcome === undefined) return
            if (outcome.kind === 'invalid') {
              context.logger.warn('Kafka record cannot start a run; skipped', {
                topic,
                partition,
                offset: record.offset,
                error: describeError(outcome.error),
              })
              if (deadLetters !== undefined)
                await deadLetters.send({
                  topic: options.deadLetterTopic!,
                  acks: -1,
                  messages: [
                    {
                      key: record.key,
                      value: record.value,
                      headers: {
                        ...headers,
                        'tessera-error': describeError(outcome.error).slice(0, 1_000),
                        'tessera-source': `${topic}-${partition}-${record.offset}`,
                      },
                    },
                  ],
                })
            }
            return commit()
          },
        })
      } catch (error) {
        await consumer.disconnect().catch(() => undefined)
        await deadLetters?.disconnect().catch(() => undefined)
        throw kafkaError(error, 'kafka', 'trigger', where)
      }

      return {
        async stop() {
          stopping.abort()
          await consumer.disconnect().catch(() => undefined)
          await deadLetters?.disconnect().catch(() => undefined)
        },
      }
    },
  )
}
