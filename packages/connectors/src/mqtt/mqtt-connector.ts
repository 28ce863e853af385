import { z } from 'zod'
import { defineConnector, secretRef } from '@tessera/core'
import type { MqttClient } from 'mqtt'
import { abortable, callerAborted, encodeBody } from '../consumer-trigger'
import { createSdkClientCache } from '../sdk-client-cache'
import { loadSdk } from '../load-sdk'
import { mqttError } from './mqtt-errors'
import { timeoutMsSchema } from '../config-field-schemas'

/**
 * The configuration schema of the MQTT connector: the broker URL, optional credentials (the
 * password a secret reference) and client id. It speaks MQTT 5.
 *
 * @example
 * ```ts
 * mqttConfigSchema.parse({ url: 'mqtts://broker:8883', username: 'plant-7', password: { $secret: 'MQTT_PASSWORD' } })
 * ```
 */
export const mqttConfigSchema = z
  .object({
    url: z
      .url({
        protocol: /^(mqtt|mqtts|ws|wss)$/,
        error: 'an mqtt://, mqtts://, ws:// or wss:// URL',
      })
      .describe('The broker URL, e.g. mqtt://127.0.0.1:1883'),
    username: z.string().optional().describe('The user name'),
    password: secretRef({ title: 'Password', description: 'The password' }).optional(),
    clientId: z
      .string()
      .max(128)
      .optional()
      .describe('The client id (default: a random one per connection)'),
    connectTimeoutMs: timeoutMsSchema('How long to wait for the CONNACK (default 10 000 ms)'),
  })
  .strict()

/**
 * The configuration of the MQTT connector (secret references unresolved).
 *
 * @example
 * ```ts
 * const config: MqttConfig = { url: 'mqtt://127.0.0.1:1883', username: 'plant', password: { $secret: 'MQTT_PASSWORD' } }
 * ```
 */
export type MqttConfig = z.output<typeof mqttConfigSchema>

/**
 * The input schema of the `publish` action.
 *
 * @example
 * ```ts
 * mqttPublishInputSchema.parse({ topic: 'plant/7/alerts', payload: { level: 'high' }, qos: 1 })
 * ```
 */
export const mqttPublishInputSchema = z
  .object({
    topic: z
      .string()
      .min(1)
      .regex(/^[^#+\0]+$/, 'a topic without wildcards, e.g. plant/7/alerts')
      .describe('The topic'),
    payload: z.unknown().describe('The payload: a string as UTF-8 text, anything else as JSON'),
    qos: z
      .union([z.literal(0), z.literal(1), z.literal(2)])
      .optional()
      .describe('0 at most once, 1 at least once (default), 2 exactly once'),
    retain: z.boolean().optional().describe('Keep it as the topic’s retained message'),
    userProperties: z.record(z.string(), z.string()).optional().describe('MQTT 5 user properties'),
    contentType: z.string().optional().describe('The MQTT 5 content type'),
  })
  .strict()

/**
 * The output schema of the `publish` action.
 *
 * @example
 * ```ts
 * const { topic, qos } = mqttPublishOutputSchema.parse(output)
 * ```
 */
export const mqttPublishOutputSchema = z.object({
  topic: z.string().describe('The topic it was published on'),
  qos: z.number().int().describe('Its quality of service'),
  idempotencyKey: z
    .string()
    .describe('The tessera-idempotency-key user property: the step idempotency key'),
})

/**
 * The MQTT 5 user property that carries the step idempotency key.
 *
 * @example
 * ```ts
 * const key = packet.properties?.userProperties?.[mqttIdempotencyProperty]
 * ```
 */
export const mqttIdempotencyProperty = 'tessera-idempotency-key'

/**
 * Settings of {@link createMqttConnector}.
 *
 * @example
 * ```ts
 * createMqttConnector({ id: 'plant' } satisfies MqttConnectorSettings)
 * ```
 */
export interface MqttConnectorSettings {
  /** Default `mqtt`. Give each instance its own id to register several in one engine. */
  id?: string
}

const clients = createSdkClientCache<MqttClient>((client) => client.endAsync())

/**
 * Closes every connection the MQTT connectors opened (all instances).
 *
 * @example
 * ```ts
 * await engine.close()
 * await closeMqttConnections()
 * ```
 */
export function closeMqttConnections(): Promise<void> {
  return clients.close()
}

/**
 * Loads `mqtt`, or throws `invalid-config` saying to install it.
 *
 * @example
 * ```ts
 * const mqtt = await loadMqtt('mqtt', 'publish')
 * ```
 */
export async function loadMqtt(connector: string, action: string): Promise<typeof import('mqtt')> {
  const loaded = await loadSdk(() => import('mqtt'), 'mqtt', 'MQTT', connector, action)
  // Under CommonJS interop the functions may sit on `default`.
  const interop = loaded as unknown as { default?: typeof loaded }
  return interop.default?.connectAsync ? interop.default : loaded
}

/**
 * Creates an MQTT connector with one action, `publish` (MQTT 5), which resolves once the broker
 * acknowledged the message (PUBACK for QoS 1, PUBCOMP for QoS 2). The step idempotency key
 * travels as the user property `tessera-idempotency-key`, which the {@link mqttTrigger} uses as
 * the run key. Connections are cached per configuration; {@link closeMqttConnections} closes them.
 *
 * @example
 * ```ts
 * const mqtt = createMqttConnector()
 * const workflow = createWorkflow({ id: 'alert', input: z.object({ level: z.string() }) })
 *   .map(({ input }) => ({ topic: 'plant/7/alerts', payload: input, qos: 1 as const }))
 *   .action(mqtt, 'publish', { url: 'mqtt://broker:1883', username: 'plant', password: { $secret: 'MQTT_PASSWORD' } })
 *   .commit()
 * ```
 */
export function createMqttConnector(settings: MqttConnectorSettings = {}) {
  const id = settings.id ?? 'mqtt'

  const connection = (
    config: {
      url: string
      username?: string | undefined
      password?: string | undefined
      clientId?: string | undefined
      connectTimeoutMs?: number | undefined
    },
    action: string,
  ) =>
    clients.get({ connector: id, ...config }, async () => {
      const mqtt = await loadMqtt(id, action)
      const client = await mqtt.connectAsync(
        config.url,
        {
          protocolVersion: 5,
          connectTimeout: config.connectTimeoutMs ?? 10_000,
          reconnectPeriod: 1_000,
          ...(config.username !== undefined ? { username: config.username } : {}),
          ...(config.password !== undefined ? { password: config.password } : {}),
          ...(config.clientId !== undefined ? { clientId: config.clientId } : {}),
        },
        false,
      )
      client.on('error', () => undefined)
      return client
    })

  return defineConnector({
    id,
    name: 'MQTT',
    description: 'Publishes messages to an MQTT 5 broker',
    docs: 'https://tessera.dev/docs/connectors/mqtt',
    config: mqttConfigSchema,
    actions: {
      publish: {
        title: 'Publish a message',
        description:
          'Publishes a message on a topic and waits for the broker acknowledgement (QoS 1 or 2); the user property tessera-idempotency-key is the step idempotency key',
        examples: [
          { input: { topic: 'plant/7/alerts', payload: { level: 'high', sensor: 't-3' }, qos: 1 } },
          {
            title: 'A retained status',
            input: { topic: 'plant/7/status', payload: 'online', qos: 1, retain: true },
          },
        ],
        input: mqttPublishInputSchema,
        output: mqttPublishOutputSchema,
        async run({ config, input, signal, idempotencyKey }) {
          const fail = callerAborted(id, 'publish')
          if (signal.aborted) throw fail(signal.reason)
          const qos = input.qos ?? 1
          try {
            const client = await abortable(connection(config, 'publish'), signal, fail)
            await abortable(
              client.publishAsync(input.topic, encodeBody(input.payload), {
                qos,
                retain: input.retain ?? false,
                properties: {
                  userProperties: {
                    ...input.userProperties,
                    [mqttIdempotencyProperty]: idempotencyKey,
                  },
                  contentType:
                    input.contentType ??
                    (typeof input.payload === 'string' ? 'text/plain' : 'application/json'),
                },
              }),
              signal,
              fail,
            )
          } catch (error) {
            throw mqttError(error, id, 'publish', `publishing on ${JSON.stringify(input.topic)}`)
          }
          return { topic: input.topic, qos, idempotencyKey }
        },
      },
    },
    async check({ config, signal }) {
      const fail = callerAborted(id, 'check')
      try {
        await abortable(connection(config, 'check'), signal, fail)
      } catch (error) {
        throw mqttError(error, id, 'check', 'connecting to the broker')
      }
    },
  })
}

/**
 * The MQTT connector with id `mqtt` (see {@link createMqttConnector}).
 *
 * @example
 * ```ts
 * await mqttConnector.actions.publish.run({ config: { url: 'mqtt://127.0.0.1:1883' }, input: { topic: 'a/b', payload: 'hi' }, signal, idempotencyKey: 'k', logger })
 * ```
 */
export const mqttConnector = /* @__PURE__ */ createMqttConnector()

/**
 * The connector that {@link createMqttConnector} returns.
 *
 * @example
 * ```ts
 * const mqtt: MqttConnector = createMqttConnector()
 * ```
 */
export type MqttConnector = ReturnType<typeof createMqttConnector>
