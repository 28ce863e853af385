import {
  ConnectorError,
  type TriggerContext,
  type TriggerSubscription,
  type TriggerV1,
  type Workflow,
} from '@tessera/core'
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib'
import {
  consumerTrigger,
  createInFlight,
  decideMessage,
  decodeBody,
  describeError,
  messageHash,
  resolveSetting,
  type SecretOrValue,
  sleepUnlessAborted,
} from '../consumer-trigger'
import { loadSdk } from '../load-sdk'
import { rabbitmqConnectTarget } from './rabbitmq-connector'
import { rabbitmqError } from './rabbitmq-errors'

/**
 * A RabbitMQ delivery as the trigger's `input` and `key` functions see it. `body` is parsed as
 * JSON when it parses, else text; it is the run's input unless `input` says otherwise.
 *
 * @example
 * ```ts
 * const input = (message: RabbitmqTriggerMessage) => ({ orderId: (message.body as { id: string }).id })
 * ```
 */
export interface RabbitmqTriggerMessage {
  body: unknown
  exchange: string
  routingKey: string
  /** The `message-id` property (our publish action sets it to the step idempotency key). */
  messageId: string | undefined
  headers: Record<string, unknown>
  contentType: string | undefined
  /** True when the broker delivered it before (a previous consumer did not acknowledge it). */
  redelivered: boolean
}

/**
 * Options of {@link rabbitmqTrigger}.
 *
 * @example
 * ```ts
 * const options: RabbitmqTriggerOptions = { id: 'orders', url: { $secret: 'AMQP_URL' }, queue: 'orders', workflow }
 * ```
 */
export interface RabbitmqTriggerOptions<W extends Workflow = Workflow> {
  /** Unique per engine and stable across deploys: it scopes the runs' idempotency keys. */
  id: string
  /**
   * The AMQP URL, or a `{ $secret: 'NAME' }` resolved through the engine's secrets provider.
   * Or give `host` (with `username`, `password`, `vhost`, …) instead.
   */
  url?: SecretOrValue
  /** The broker host, instead of `url`. */
  host?: string
  /** The broker port (default 5672, or 5671 with `tls`). */
  port?: number
  username?: string
  /** The password, or a `{ $secret }` resolved through the engine's secrets provider. */
  password?: SecretOrValue
  /** The virtual host (default `/`). */
  vhost?: string
  /** Connect with TLS (amqps). */
  tls?: boolean
  /** The queue to consume (it must exist; declare it, with its dead-letter exchange, beforehand). */
  queue: string
  /** How many unacknowledged messages the broker hands this consumer at once (default 10). */
  prefetch?: number
  /** The workflow each message starts. */
  workflow: W
  /** The run's input for a message; default: its body (JSON parsed when it parses, else text). */
  input?: (message: RabbitmqTriggerMessage) => unknown
  /**
   * The run's idempotency key for a message; default: the `message-id` property, else a
   * SHA-256 of the routing key and the body.
   */
  key?: (message: RabbitmqTriggerMessage) => string
  /**
   * What to do with a message that cannot start a run (the workflow's input schema refuses it,
   * or `input`/`key` throws): `reject` (default) rejects it without requeue, so the broker
   * dead-letters it to the queue's `x-dead-letter-exchange` (or drops it when there is none);
   * `ack` acknowledges it and logs a warning.
   */
  onInvalid?: 'reject' | 'ack'
  /** Wait before requeueing a message whose run could not be started (store down); default 1 000 ms. */
  retryDelayMs?: number
  /** Wait before reconnecting after the connection broke; default 1 000 ms, doubling to 30 s. */
  reconnectDelayMs?: number
  description?: string
}

/**
 * A consumer trigger that starts one run per RabbitMQ message. It acknowledges a message only
 * after `context.startRun` resolved (the run is committed to the store), so a crash in between
 * leads to a redelivery, which the idempotency key turns into the same run. A store failure
 * requeues the message (after `retryDelayMs`); a message the workflow refuses is rejected
 * without requeue (dead-lettered). The connection reconnects by itself when it breaks.
 *
 * @example
 * ```ts
 * const orders = rabbitmqTrigger({
 *   id: 'orders-created',
 *   url: { $secret: 'AMQP_URL' },
 *   queue: 'orders.created',
 *   workflow: fulfilOrder,
 *   input: (message) => message.body,
 * })
 * const engine = createEngine({ store, secrets, triggers: [orders] })
 * ```
 */
export function rabbitmqTrigger<W extends Workflow>(options: RabbitmqTriggerOptions<W>): TriggerV1 {
  const onInvalid = options.onInvalid ?? 'reject'
  const toInput = options.input ?? ((message: RabbitmqTriggerMessage) => message.body)
  const toKey =
    options.key ??
    ((message: RabbitmqTriggerMessage) =>
      message.messageId !== undefined && message.messageId !== ''
        ? message.messageId
        : messageHash([message.routingKey, JSON.stringify(message.body)]))

  return consumerTrigger(
    options,
    `Starts ${options.workflow.id} for each message on RabbitMQ queue ${options.queue}`,
    async (context: TriggerContext): Promise<TriggerSubscription> => {
      const amqp = await loadSdk(
        () => import('amqplib'),
        'amqplib',
        'RabbitMQ',
        'rabbitmq',
        'trigger',
      )
      if ((options.url === undefined) === (options.host === undefined))
        throw new ConnectorError({
          connector: 'rabbitmq',
          action: 'trigger',
          reason: 'invalid-config',
          message: 'give either "url" or "host"',
        })
      const target = rabbitmqConnectTarget({
        url:
          options.url === undefined
            ? undefined
            : await resolveSetting(options.url, context, 'rabbitmq', 'url'),
        host: options.host,
        port: options.port,
        username: options.username,
        password:
          options.password === undefined
            ? undefined
            : await resolveSetting(options.password, context, 'rabbitmq', 'password'),
        vhost: options.vhost,
        tls: options.tls,
      })
      const inFlight = createInFlight()
      let stopped = false
      let connection: ChannelModel | undefined
      let channel: Channel | undefined
      let consumerTag: string | undefined
      let reconnectTimer: ReturnType<typeof setTimeout> | undefined
      let reconnectDelay = options.reconnectDelayMs ?? 1_000

      async function handle(current: Channel, delivery: ConsumeMessage): Promise<void> {
        const message: RabbitmqTriggerMessage = {
          body: decodeBody(delivery.content),
          exchange: delivery.fields.exchange,
          routingKey: delivery.fields.routingKey,
          messageId:
            typeof delivery.properties.messageId === 'string'
              ? delivery.properties.messageId
              : undefined,
          headers: { ...(delivery.properties.headers ?? {}) },
          contentType:
            typeof delivery.properties.contentType === 'string'
              ? delivery.properties.contentType
              : undefined,
          redelivered: delivery.fields.redelivered,
        }
        const outcome = await decideMessage(
          context,
          () => toInput(message),
          () => toKey(message),
        )
        // The channel may have closed meanwhile; the broker then redelivers the message.
        if (current !== channel) return
        try {
          if (outcome.kind === 'ack') current.ack(delivery)
          else if (outcome.kind === 'invalid') {
            context.logger.warn('RabbitMQ message cannot start a run', {
              queue: options.queue,
              routingKey: message.routingKey,
              action: onInvalid === 'reject' ? 'rejected (dead-lettered)' : 'acknowledged',
              error: describeError(outcome.error),
            })
            if (onInvalid === 'reject') current.reject(delivery, false)
            else current.ack(delivery)
          } else {
            context.logger.error('Starting a run failed; the message will be redelivered', {
              queue: options.queue,
              error: describeError(outcome.error),
            })
            await sleepUnlessAborted(options.retryDelayMs ?? 1_000, context.signal)
            if (current === channel) current.nack(delivery, false, true)
          }
        } catch (error) {
          context.logger.warn('RabbitMQ acknowledgement failed; the broker will redeliver', {
            queue: options.queue,
            error: describeError(error),
          })
        }
      }

      async function connect(): Promise<void> {
        const opened = await amqp.connect(target, { timeout: 10_000 })
        opened.on('error', (error: Error) =>
          context.logger.warn('RabbitMQ connection error', { error: describeError(error) }),
        )
        try {
          const openedChannel = await opened.createChannel()
          openedChannel.on('error', (error: Error) =>
            context.logger.warn('RabbitMQ channel error', { error: describeError(error) }),
          )
          await openedChannel.prefetch(options.prefetch ?? 10)
          await openedChannel.checkQueue(options.queue)
          connection = opened
          channel = openedChannel
          opened.on('close', () => {
            if (connection !== opened) return
            connection = undefined
            channel = undefined
            if (!stopped) scheduleReconnect()
          })
          const consumed = await openedChannel.consume(
            options.queue,
            (delivery) => {
              if (delivery === null) {
                // The broker cancelled the consumer (queue deleted): reconnect and re-check.
                void opened.close().catch(() => undefined)
                return
              }
              void inFlight.track(handle(openedChannel, delivery))
            },
            { noAck: false },
          )
          consumerTag = consumed.consumerTag
          reconnectDelay = options.reconnectDelayMs ?? 1_000
        } catch (error) {
          await opened.close().catch(() => undefined)
          throw error
        }
      }

      function scheduleReconnect() {
        const delay = reconnectDelay
        reconnectDelay = Math.min(reconnectDelay * 2, 30_000)
        context.logger.warn('RabbitMQ connection lost; reconnecting', { inMs: delay })
        reconnectTimer = setTimeout(() => {
          reconnectTimer = undefined
          if (stopped) return
          connect().catch((error: unknown) => {
            context.logger.error('RabbitMQ reconnect failed', { error: describeError(error) })
            if (!stopped) scheduleReconnect()
          })
        }, delay)
      }

      try {
        await connect()
      } catch (error) {
        throw rabbitmqError(
          error,
          'rabbitmq',
          'trigger',
          `consuming queue ${JSON.stringify(options.queue)}`,
        )
      }

      return {
        async stop() {
          stopped = true
          if (reconnectTimer !== undefined) clearTimeout(reconnectTimer)
          const current = channel
          if (current !== undefined && consumerTag !== undefined)
            await current.cancel(consumerTag).catch(() => undefined)
          await inFlight.idle()
          const open = connection
          connection = undefined
          channel = undefined
          await open?.close().catch(() => undefined)
        },
      }
    },
  )
}
