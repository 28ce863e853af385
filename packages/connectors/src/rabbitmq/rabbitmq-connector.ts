import { z } from 'zod'
import { defineConnector, secretRef } from '@tessera/core'
import type { ChannelModel, ConfirmChannel } from 'amqplib'
import { abortable, callerAborted, encodeBody } from '../consumer-trigger'
import { createSdkClientCache } from '../sdk-client-cache'
import { loadSdk } from '../load-sdk'
import { rabbitmqError } from './rabbitmq-errors'
import { timeoutMsSchema } from '../config-field-schemas'

/**
 * The configuration schema of the RabbitMQ connector: either the AMQP URL, as a secret reference
 * because it holds the password (`amqp://user:password@host:5672/vhost`), or the host and its
 * parts with only the password secret.
 *
 * @example
 * ```ts
 * rabbitmqConfigSchema.parse({ url: { $secret: 'AMQP_URL' } })
 * rabbitmqConfigSchema.parse({ host: 'rabbit', username: 'app', password: { $secret: 'AMQP_PASSWORD' }, vhost: 'prod' })
 * ```
 */
export const rabbitmqConfigSchema = z
  .object({
    url: secretRef({
      title: 'AMQP URL',
      description:
        'amqp:// or amqps:// URL with the credentials and virtual host, e.g. amqp://app:…@rabbit:5672/prod',
    }).optional(),
    host: z.string().min(1).optional().describe('The broker host, instead of url'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .optional()
      .describe('The broker port (default 5672, or 5671 with tls)'),
    username: z.string().optional().describe('The user name (with host)'),
    password: secretRef({ title: 'Password', description: "The user's password" }).optional(),
    vhost: z.string().optional().describe('The virtual host (default "/")'),
    tls: z.boolean().optional().describe('Connect with TLS (amqps)'),
    connectTimeoutMs: timeoutMsSchema(
      'How long to wait for the TCP and AMQP handshake (default 10 000 ms)',
    ),
  })
  .strict()
  .refine((config) => (config.url === undefined) !== (config.host === undefined), {
    message: 'give either "url" or "host"',
    path: ['url'],
  })

/**
 * Where and how to connect, with secrets resolved (the `url` or the `host` form).
 *
 * @example
 * ```ts
 * const settings: RabbitmqConnectionSettings = { host: 'rabbit', username: 'app', password: resolvedPassword }
 * ```
 */
export interface RabbitmqConnectionSettings {
  url?: string | undefined
  host?: string | undefined
  port?: number | undefined
  username?: string | undefined
  password?: string | undefined
  vhost?: string | undefined
  tls?: boolean | undefined
  connectTimeoutMs?: number | undefined
}

/**
 * What `amqplib.connect` takes for a configuration: the URL, or the connection options.
 *
 * @example
 * ```ts
 * await amqp.connect(rabbitmqConnectTarget({ host: 'rabbit', username: 'app', password }))
 * ```
 */
export function rabbitmqConnectTarget(config: RabbitmqConnectionSettings) {
  if (config.url !== undefined) return config.url
  return {
    protocol: config.tls ? 'amqps' : 'amqp',
    hostname: config.host ?? 'localhost',
    port: config.port ?? (config.tls ? 5671 : 5672),
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.vhost !== undefined ? { vhost: config.vhost } : {}),
  }
}

/**
 * The configuration of the RabbitMQ connector (secret references unresolved).
 *
 * @example
 * ```ts
 * const config: RabbitmqConfig = { url: { $secret: 'AMQP_URL' } }
 * ```
 */
export type RabbitmqConfig = z.output<typeof rabbitmqConfigSchema>

/**
 * The input schema of the `publish` action.
 *
 * @example
 * ```ts
 * rabbitmqPublishInputSchema.parse({ exchange: 'orders', routingKey: 'order.created', message: { id: 'o-1' } })
 * ```
 */
export const rabbitmqPublishInputSchema = z
  .object({
    exchange: z
      .string()
      .max(255)
      .describe(
        'The exchange to publish to; "" is the default exchange (routing key = queue name)',
      ),
    routingKey: z.string().max(255).describe('The routing key'),
    message: z
      .unknown()
      .describe('The message body: a string is sent as text/plain, anything else as JSON'),
    headers: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe('AMQP headers of the message'),
    persistent: z
      .boolean()
      .optional()
      .describe('Store the message on disk in durable queues (delivery mode 2); default true'),
    contentType: z
      .string()
      .optional()
      .describe('Overrides the content type (default application/json or text/plain)'),
  })
  .strict()

/**
 * The output schema of the `publish` action: where it went and its message id (the step's
 * idempotency key), once the broker confirmed it.
 *
 * @example
 * ```ts
 * const { messageId } = rabbitmqPublishOutputSchema.parse(output)
 * ```
 */
export const rabbitmqPublishOutputSchema = z.object({
  exchange: z.string().describe('The exchange it was published to'),
  routingKey: z.string().describe('Its routing key'),
  messageId: z.string().describe('The AMQP message-id property: the step idempotency key'),
})

/**
 * Settings of {@link createRabbitmqConnector}.
 *
 * @example
 * ```ts
 * createRabbitmqConnector({ id: 'events' } satisfies RabbitmqConnectorSettings)
 * ```
 */
export interface RabbitmqConnectorSettings {
  /** Default `rabbitmq`. Give each instance its own id to register several in one engine. */
  id?: string
  /** Replaces `import('amqplib')`, e.g. to pass an instrumented build. */
  amqplib?: () => Promise<Pick<typeof import('amqplib'), 'connect'>>
}

interface CachedConnection {
  connection: ChannelModel
  channel: Promise<ConfirmChannel> | undefined
}

const connections = createSdkClientCache<CachedConnection>((cached) => cached.connection.close())

/**
 * Closes every connection the RabbitMQ connectors opened (all instances); the next publish
 * opens a new one. Call it when the host shuts down, or in tests.
 *
 * @example
 * ```ts
 * await engine.close()
 * await closeRabbitmqConnections()
 * ```
 */
export function closeRabbitmqConnections(): Promise<void> {
  return connections.close()
}

/**
 * Creates a RabbitMQ connector with one action, `publish`, which publishes a message through a
 * confirm channel and resolves once the broker has confirmed it (so a persistent message in a
 * durable queue is on disk). The step's idempotency key is the message's `messageId` property,
 * which consumers (the {@link rabbitmqTrigger} among them) use to drop duplicates. Connections
 * are cached per configuration; {@link closeRabbitmqConnections} closes them.
 *
 * @example
 * ```ts
 * const broker = createRabbitmqConnector({ id: 'events' })
 * const workflow = createWorkflow({ id: 'notify', input: z.object({ orderId: z.string() }) })
 *   .map(({ input }) => ({ exchange: 'orders', routingKey: 'order.paid', message: input }))
 *   .action(broker, 'publish', { url: { $secret: 'AMQP_URL' } })
 *   .commit()
 * ```
 */
export function createRabbitmqConnector(settings: RabbitmqConnectorSettings = {}) {
  const id = settings.id ?? 'rabbitmq'
  const sdk = (action: string) =>
    settings.amqplib
      ? settings.amqplib()
      : loadSdk(() => import('amqplib'), 'amqplib', 'RabbitMQ', id, action)

  async function connect(
    config: RabbitmqConnectionSettings,
    action: string,
  ): Promise<CachedConnection> {
    const amqp = await sdk(action)
    const key = { connector: id, ...config }
    return connections.get(key, async () => {
      const connection = await amqp.connect(rabbitmqConnectTarget(config), {
        timeout: config.connectTimeoutMs ?? 10_000,
      })
      const cached: CachedConnection = { connection, channel: undefined }
      // A broken connection leaves the cache, so the next publish reconnects.
      connection.on('error', () => undefined)
      connection.on('close', () => connections.forget(key))
      return cached
    })
  }

  function confirmChannel(cached: CachedConnection): Promise<ConfirmChannel> {
    if (cached.channel === undefined) {
      const channel = cached.connection.createConfirmChannel()
      cached.channel = channel
      channel.then(
        (open) => {
          // A channel error (such as a missing exchange) closes the channel: open a new one next time.
          open.on('error', () => undefined)
          open.on('close', () => {
            if (cached.channel === channel) cached.channel = undefined
          })
        },
        () => {
          if (cached.channel === channel) cached.channel = undefined
        },
      )
    }
    return cached.channel
  }

  return defineConnector({
    id,
    name: 'RabbitMQ',
    description: 'Publishes messages to RabbitMQ exchanges with publisher confirms',
    docs: 'https://tessera.dev/docs/connectors/rabbitmq',
    config: rabbitmqConfigSchema,
    actions: {
      publish: {
        title: 'Publish a message',
        description:
          'Publishes a message to an exchange and waits for the broker to confirm it; the message id is the step idempotency key',
        examples: [
          {
            title: 'An order event as JSON',
            input: {
              exchange: 'orders',
              routingKey: 'order.created',
              message: { orderId: 'o-42', total: 99.5 },
              headers: { source: 'checkout' },
            },
          },
          {
            title: 'A text message straight to a queue',
            input: { exchange: '', routingKey: 'emails', message: 'hello', persistent: true },
          },
        ],
        input: rabbitmqPublishInputSchema,
        output: rabbitmqPublishOutputSchema,
        async run({ config, input, signal, idempotencyKey, logger }) {
          const where = `publishing to exchange ${JSON.stringify(input.exchange)} with routing key ${JSON.stringify(input.routingKey)}`
          const fail = callerAborted(id, 'publish')
          if (signal.aborted) throw fail(signal.reason)
          try {
            const cached = await abortable(connect(config, 'publish'), signal, fail)
            const channel = await abortable(confirmChannel(cached), signal, fail)
            if (signal.aborted) throw fail(signal.reason)
            const confirmed = new Promise<void>((resolve, reject) => {
              const onClose = (error?: unknown) =>
                reject(error ?? new Error('the channel closed before the broker confirmed'))
              channel.once('error', onClose)
              channel.publish(
                input.exchange,
                input.routingKey,
                encodeBody(input.message),
                {
                  persistent: input.persistent ?? true,
                  messageId: idempotencyKey,
                  contentType:
                    input.contentType ??
                    (typeof input.message === 'string' ? 'text/plain' : 'application/json'),
                  ...(input.headers ? { headers: input.headers } : {}),
                },
                (error: unknown) => {
                  channel.removeListener('error', onClose)
                  if (error) reject(error)
                  else resolve()
                },
              )
            })
            await abortable(confirmed, signal, fail)
          } catch (error) {
            throw rabbitmqError(error, id, 'publish', where)
          }
          logger.debug('rabbitmq message confirmed', {
            exchange: input.exchange,
            routingKey: input.routingKey,
          })
          return {
            exchange: input.exchange,
            routingKey: input.routingKey,
            messageId: idempotencyKey,
          }
        },
      },
    },
    async check({ config, signal }) {
      const fail = callerAborted(id, 'check')
      try {
        const cached = await abortable(connect(config, 'check'), signal, fail)
        await abortable(confirmChannel(cached), signal, fail)
      } catch (error) {
        throw rabbitmqError(error, id, 'check', 'connecting to the broker')
      }
    },
  })
}

/**
 * The RabbitMQ connector with id `rabbitmq` (see {@link createRabbitmqConnector}).
 *
 * @example
 * ```ts
 * const notify = createWorkflow({ id: 'notify', input: z.object({ orderId: z.string() }) })
 *   .map(({ input }) => ({ exchange: 'orders', routingKey: 'order.paid', message: input }))
 *   .action(rabbitmqConnector, 'publish', { url: { $secret: 'AMQP_URL' } })
 *   .commit()
 * ```
 */
export const rabbitmqConnector = /* @__PURE__ */ createRabbitmqConnector()

/**
 * The connector that {@link createRabbitmqConnector} returns.
 *
 * @example
 * ```ts
 * const broker: RabbitmqConnector = createRabbitmqConnector({ id: 'events' })
 * ```
 */
export type RabbitmqConnector = ReturnType<typeof createRabbitmqConnector>
