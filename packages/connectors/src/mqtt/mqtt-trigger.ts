import type { TriggerContext, TriggerSubscription, TriggerV1, Workflow } from '@tessera/core'
import type { IPublishPacket, MqttClient } from 'mqtt'
import {
  consumerTrigger,
  decideMessageWithRetry,
  decodeBody,
  describeError,
  messageHash,
  resolveSetting,
  type SecretOrValue,
} from '../consumer-trigger'
import { loadMqtt, mqttIdempotencyProperty } from './mqtt-connector'
import { mqttError } from './mqtt-errors'

/**
 * An MQTT message as the trigger's `input` and `key` functions see it. `payload` is parsed as
 * JSON when it parses, else text; it is the run's input unless `input` says otherwise.
 *
 * @example
 * ```ts
 * const input = (message: MqttTriggerMessage) => ({ sensor: message.topic.split('/')[2], reading: message.payload })
 * ```
 */
export interface MqttTriggerMessage {
  topic: string
  payload: unknown
  /** MQTT 5 user properties (a repeated name keeps its last value). */
  userProperties: Record<string, string>
  qos: 0 | 1 | 2
  retain: boolean
  /** True when the broker delivers it again (an earlier session did not acknowledge it). */
  duplicate: boolean
}

/**
 * Options of {@link mqttTrigger}.
 *
 * @example
 * ```ts
 * const options: MqttTriggerOptions = { id: 'alerts', url: 'mqtt://127.0.0.1:1883', clientId: 'tessera-alerts', topic: 'plant/+/alerts', workflow }
 * ```
 */
export interface MqttTriggerOptions<W extends Workflow = Workflow> {
  /** Unique per engine and stable across deploys: it scopes the runs' idempotency keys. */
  id: string
  /** The broker URL, e.g. mqtt://127.0.0.1:1883. */
  url: string
  username?: string
  /** The password, or a `{ $secret }` resolved through the engine's secrets provider. */
  password?: SecretOrValue
  /**
   * The client id of the persistent session (required: the broker keeps unacknowledged QoS 1/2
   * messages for this id and redelivers them when it reconnects). One process per id: use
   * `$share/<group>/<topic>` filters to spread messages over several workers.
   */
  clientId: string
  /** The topic filter (wildcards and shared subscriptions allowed). */
  topic: string
  /** 1 (default) or 2. QoS 0 messages cannot be redelivered, so they are refused. */
  qos?: 1 | 2
  /** How long the broker keeps the session after a disconnect, in seconds (default 1 day). */
  sessionExpirySeconds?: number
  workflow: W
  /** The run's input for a message; default: its payload. */
  input?: (message: MqttTriggerMessage) => unknown
  /**
   * The run's idempotency key; default: the `tessera-idempotency-key` user property (which
   * the MQTT connector's publish sets), else a SHA-256 of the topic and the payload.
   */
  key?: (message: MqttTriggerMessage) => string
  /** A topic to publish invalid messages to (with a `tessera-error` user property) before acknowledging them. */
  deadLetterTopic?: string
  /** Wait between attempts to start a run while the store fails (default 1 000 ms, doubling to 30 s). */
  retryDelayMs?: number
  description?: string
}

/**
 * A consumer trigger that starts one run per MQTT message, on an MQTT 5 persistent session with
 * manual acknowledgements (mqtt.js `customHandleAcks`): the PUBACK (or PUBREC) goes out only
 * after `context.startRun` resolved. A message the workflow refuses is acknowledged with reason
 * code 0x99 (payload format invalid), after a copy to `deadLetterTopic` when set. While the
 * store fails, it retries the start in-process; stopping then leaves the message unacknowledged,
 * and the broker redelivers it to the next session with the same client id. mqtt.js handles one
 * incoming message at a time, so runs start in arrival order.
 *
 * @example
 * ```ts
 * const alerts = mqttTrigger({
 *   id: 'plant-alerts',
 *   url: 'mqtts://broker:8883',
 *   username: 'tessera',
 *   password: { $secret: 'MQTT_PASSWORD' },
 *   clientId: 'tessera-plant-alerts',
 *   topic: 'plant/+/alerts',
 *   workflow: handleAlert,
 * })
 * ```
 */
export function mqttTrigger<W extends Workflow>(options: MqttTriggerOptions<W>): TriggerV1 {
  const toInput = options.input ?? ((message: MqttTriggerMessage) => message.payload)
  const toKey =
    options.key ??
    ((message: MqttTriggerMessage) =>
      message.userProperties[mqttIdempotencyProperty] ??
      messageHash([message.topic, JSON.stringify(message.payload)]))
  return consumerTrigger(
    options,
    `Starts ${options.workflow.id} for each MQTT message on ${options.topic}`,
    async (context: TriggerContext): Promise<TriggerSubscription> => {
      const where = `subscribing to ${JSON.stringify(options.topic)}`
      const mqtt = await loadMqtt('mqtt', 'trigger')
      const password =
        options.password === undefined
          ? undefined
          : await resolveSetting(options.password, context, 'mqtt', 'password')
      const stopping = new AbortController()
      let current: Promise<void> = Promise.resolve()
      let client: MqttClient | undefined

      async function handle(
        topic: string,
        payload: Buffer,
        packet: IPublishPacket,
      ): Promise<number | undefined> {
        const userProperties: Record<string, string> = {}
        for (const [name, value] of Object.entries(packet.properties?.userProperties ?? {}))
          userProperties[name] = Array.isArray(value) ? String(value.at(-1)) : String(value)
        const message: MqttTriggerMessage = {
          topic,
          payload: decodeBody(payload),
          userProperties,
          qos: packet.qos,
          retain: packet.retain,
          duplicate: packet.dup,
        }
        const outcome = await decideMessageWithRetry(
          context,
          stopping.signal,
          () => toInput(message),
          () => toKey(message),
          {
            retryDelayMs: options.retryDelayMs,
            onRetry: (error, inMs) =>
              context.logger.error('Starting a run failed; retrying', {
                topic,
                inMs,
                error: describeError(error),
              }),
          },
        )
        // Stopped: no acknowledgement, so the broker redelivers it to the next session.
        if (outcome === undefined) return undefined
        if (outcome.kind === 'ack') return 0
        context.logger.warn('MQTT message cannot start a run; acknowledged as invalid', {
          topic,
          error: describeError(outcome.error),
        })
        if (options.deadLetterTopic !== undefined && client !== undefined) {
          // Not awaited: its PUBACK arrives only after this handler lets mqtt.js read on.
          void client
            .publishAsync(options.deadLetterTopic, payload, {
              qos: 1,
              properties: {
                userProperties: {
                  ...userProperties,
                  'tessera-error': describeError(outcome.error).slice(0, 500),
                  'tessera-topic': topic,
                },
              },
            })
            .catch((error: unknown) =>
              context.logger.error('MQTT dead-letter publish failed', {
                error: describeError(error),
              }),
            )
        }
        return 0x99
      }

      try {
        client = await mqtt.connectAsync(
          options.url,
          {
            protocolVersion: 5,
            clientId: options.clientId,
            clean: false,
            reconnectPeriod: 1_000,
            connectTimeout: 10_000,
            properties: { sessionExpiryInterval: options.sessionExpirySeconds ?? 86_400 },
            ...(options.username !== undefined ? { username: options.username } : {}),
            ...(password !== undefined ? { password } : {}),
            customHandleAcks: (topic, payload, packet, done) => {
              const work = current.then(() => handle(topic, payload, packet))
              current = work.then(
                () => undefined,
                () => undefined,
              )
              work.then(
                (code) => {
                  if (code !== undefined) done(code as 0)
                },
                (error: unknown) =>
                  context.logger.error('MQTT message handler failed', {
                    error: describeError(error),
                  }),
              )
            },
          },
          false,
        )
        client.on('error', (error) =>
          context.logger.warn('MQTT client error', { error: describeError(error) }),
        )
        const granted = await client.subscribeAsync(options.topic, { qos: options.qos ?? 1 })
        const refused = granted.find((grant) => grant.qos > 2)
        if (refused !== undefined)
          throw Object.assign(
            new Error(`the broker refused the subscription (reason ${refused.qos})`),
            {
              code: refused.qos,
            },
          )
      } catch (error) {
        await client?.endAsync(true).catch(() => undefined)
        throw mqttError(error, 'mqtt', 'trigger', where)
      }

      return {
        async stop() {
          stopping.abort()
          await current
          // A forced end sends no more acknowledgements; the session keeps the rest.
          await client?.endAsync(true).catch(() => undefined)
        },
      }
    },
  )
}
