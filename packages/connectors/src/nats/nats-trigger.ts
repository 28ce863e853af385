import type { TriggerContext, TriggerSubscription, TriggerV1, Workflow } from '@tessera/core'
import {
  consumerTrigger,
  createInFlight,
  decideMessage,
  decodeBody,
  describeError,
  resolveSetting,
  type SecretOrValue,
} from '../consumer-trigger'
import { loadJetstream, openNatsConnection } from './nats-connection'
import { natsError } from './nats-errors'

/**
 * A JetStream message as the trigger's `input` and `key` functions see it. `data` is parsed as
 * JSON when it parses, else text; it is the run's input unless `input` says otherwise.
 *
 * @example
 * ```ts
 * const key = (message: NatsTriggerMessage) => message.headers['Nats-Msg-Id'] ?? `${message.stream}-${message.streamSequence}`
 * ```
 */
export interface NatsTriggerMessage {
  data: unknown
  subject: string
  headers: Record<string, string>
  stream: string
  /** The message's sequence in its stream. */
  streamSequence: number
  /** How many times the consumer delivered it (1 the first time). */
  deliveryCount: number
}

/**
 * Options of {@link natsTrigger}.
 *
 * @example
 * ```ts
 * const options: NatsTriggerOptions = { id: 'orders', servers: 'nats://127.0.0.1:4222', stream: 'ORDERS', consumer: 'fulfil', workflow }
 * ```
 */
export interface NatsTriggerOptions<W extends Workflow = Workflow> {
  /** Unique per engine and stable across deploys: it scopes the runs' idempotency keys. */
  id: string
  /** One server URL or a list. */
  servers: string | string[]
  /** A token, or a `{ $secret }` resolved through the engine's secrets provider. */
  token?: SecretOrValue
  user?: string
  /** The password, or a `{ $secret }` resolved through the engine's secrets provider. */
  password?: SecretOrValue
  /** The stream to consume. */
  stream: string
  /**
   * The durable consumer's name. Several workers with the same name share its messages. The
   * trigger creates it (explicit acks) when it does not exist; an existing one must use explicit acks.
   */
  consumer: string
  /** When the trigger creates the consumer: only subjects matching this filter (default: all). */
  filterSubject?: string
  /** When the trigger creates the consumer: redeliver after this long without an ack (default 30 000 ms). */
  ackWaitMs?: number
  /** How many messages to pull at once (default 10). */
  prefetch?: number
  workflow: W
  /** The run's input for a message; default: its data. */
  input?: (message: NatsTriggerMessage) => unknown
  /** The run's idempotency key; default: `<stream>-<stream sequence>`. */
  key?: (message: NatsTriggerMessage) => string
  /**
   * What to do with a message that cannot start a run: `term` (default) tells the server never
   * to redeliver it (it publishes a MSG_TERMINATED advisory), after copying it to
   * `deadLetterSubject` when set; `ack` acknowledges it.
   */
  onInvalid?: 'term' | 'ack'
  /** A subject to publish invalid messages to (with a `Tessera-Error` header) before dropping them. */
  deadLetterSubject?: string
  /** The delay before a message whose run could not be started is redelivered (default 1 000 ms). */
  retryDelayMs?: number
  description?: string
}

/**
 * A consumer trigger that starts one run per message of a JetStream stream, through a durable
 * pull consumer with explicit acks. It acknowledges a message only after `context.startRun`
 * resolved; a store failure naks it (redelivered after `retryDelayMs`); a message the workflow
 * refuses is terminated (optionally copied to a dead-letter subject first). The key defaults to
 * the stream sequence, so a redelivery starts no second run.
 *
 * @example
 * ```ts
 * const trigger = natsTrigger({
 *   id: 'orders',
 *   servers: 'nats://127.0.0.1:4222',
 *   token: { $secret: 'NATS_TOKEN' },
 *   stream: 'ORDERS',
 *   consumer: 'fulfilment',
 *   workflow: fulfilOrder,
 * })
 * const engine = createEngine({ store, secrets, triggers: [trigger] })
 * ```
 */
export function natsTrigger<W extends Workflow>(options: NatsTriggerOptions<W>): TriggerV1 {
  const onInvalid = options.onInvalid ?? 'term'
  const toInput = options.input ?? ((message: NatsTriggerMessage) => message.data)
  const toKey =
    options.key ?? ((message: NatsTriggerMessage) => `${message.stream}-${message.streamSequence}`)
  return consumerTrigger(
    options,
    `Starts ${options.workflow.id} for each message of JetStream stream ${options.stream}`,
    async (context: TriggerContext): Promise<TriggerSubscription> => {
      const where = `consuming stream ${JSON.stringify(options.stream)} as ${JSON.stringify(options.consumer)}`
      const js = await loadJetstream('nats', 'trigger')
      const nc = await openNatsConnection(
        {
          servers: options.servers,
          token:
            options.token === undefined
              ? undefined
              : await resolveSetting(options.token, context, 'nats', 'token'),
          user: options.user,
          password:
            options.password === undefined
              ? undefined
              : await resolveSetting(options.password, context, 'nats', 'password'),
        },
        'nats',
        'trigger',
      ).catch((error: unknown) => {
        throw natsError(error, 'nats', 'trigger', where)
      })
      let messages: Awaited<
        ReturnType<
          Awaited<ReturnType<ReturnType<typeof js.jetstream>['consumers']['get']>>['consume']
        >
      >
      try {
        const manager = await js.jetstreamManager(nc)
        const existing = await manager.consumers
          .info(options.stream, options.consumer)
          .catch((error: unknown) => {
            if (natsError(error, 'nats', 'trigger', where).reason === 'not-found') return undefined
            throw error
          })
        if (existing === undefined) {
          await manager.consumers.add(options.stream, {
            durable_name: options.consumer,
            ack_policy: js.AckPolicy.Explicit,
            ack_wait: (options.ackWaitMs ?? 30_000) * 1_000_000,
            ...(options.filterSubject !== undefined
              ? { filter_subject: options.filterSubject }
              : {}),
          })
        }
        const consumer = await js.jetstream(nc).consumers.get(options.stream, options.consumer)
        messages = await consumer.consume({ max_messages: options.prefetch ?? 10 })
      } catch (error) {
        await nc.close().catch(() => undefined)
        throw natsError(error, 'nats', 'trigger', where)
      }

      const inFlight = createInFlight()
      const handle = async (
        message: typeof messages extends AsyncIterable<infer M> ? M : never,
      ) => {
        const headers: Record<string, string> = {}
        if (message.headers)
          for (const name of message.headers.keys()) headers[name] = message.headers.get(name)
        const view: NatsTriggerMessage = {
          data: decodeBody(message.data),
          subject: message.subject,
          headers,
          stream: message.info.stream,
          streamSequence: message.info.streamSequence,
          deliveryCount: message.info.deliveryCount,
        }
        const outcome = await decideMessage(
          context,
          () => toInput(view),
          () => toKey(view),
        )
        try {
          if (outcome.kind === 'ack') message.ack()
          else if (outcome.kind === 'invalid') {
            context.logger.warn('NATS message cannot start a run', {
              stream: view.stream,
              seq: view.streamSequence,
              action: onInvalid === 'term' ? 'terminated' : 'acknowledged',
              error: describeError(outcome.error),
            })
            if (options.deadLetterSubject !== undefined) {
              const { headers: makeHeaders } = await import('@nats-io/transport-node')
              const deadHeaders = makeHeaders()
              for (const [name, value] of Object.entries(headers)) deadHeaders.set(name, value)
              deadHeaders.set(
                'Tessera-Error',
                describeError(outcome.error)
                  .slice(0, 500)
                  .replace(/[\r\n]/g, ' '),
              )
              deadHeaders.set('Tessera-Source', `${view.stream}-${view.streamSequence}`)
              nc.publish(options.deadLetterSubject, message.data, { headers: deadHeaders })
              await nc.flush()
            }
            // term() without a reason: servers before 2.10.4 ignore a TERM that carries one.
            if (onInvalid === 'term') message.term()
            else message.ack()
          } else {
            context.logger.error('Starting a run failed; the message will be redelivered', {
              stream: view.stream,
              seq: view.streamSequence,
              error: describeError(outcome.error),
            })
            message.nak(options.retryDelayMs ?? 1_000)
          }
        } catch (error) {
          context.logger.warn('NATS acknowledgement failed; the server will redeliver', {
            error: describeError(error),
          })
        }
      }

      const loop = (async () => {
        for await (const message of messages) void inFlight.track(handle(message))
      })().catch((error: unknown) =>
        context.logger.error('NATS consumer stopped', { error: describeError(error) }),
      )

      return {
        async stop() {
          await messages.close().catch(() => undefined)
          await loop
          await inFlight.idle()
          await nc.drain().catch(() => nc.close())
        },
      }
    },
  )
}
