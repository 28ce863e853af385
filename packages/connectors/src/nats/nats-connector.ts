import { z } from 'zod'
import { defineConnector } from '@tessera/core'
import type { NatsConnection } from '@nats-io/transport-node'
import { abortable, callerAborted, decodeBody, encodeBody } from '../consumer-trigger'
import { createSdkClientCache } from '../sdk-client-cache'
import {
  loadJetstream,
  loadNats,
  natsConfigSchema,
  openNatsConnection,
  type NatsConnectionSettings,
} from './nats-connection'
import { natsError } from './nats-errors'
import { timeoutMsSchema } from '../config-field-schemas'

const connections = createSdkClientCache<NatsConnection>((connection) => connection.close())

/**
 * Closes every connection the NATS connectors opened (all instances); the next action opens a
 * new one. Call it when the host shuts down, or in tests.
 *
 * @example
 * ```ts
 * await engine.close()
 * await closeNatsConnections()
 * ```
 */
export function closeNatsConnections(): Promise<void> {
  return connections.close()
}

const subjectSchema = z
  .string()
  .min(1)
  .regex(/^[^\s*>]+$/, 'a subject without spaces or wildcards, e.g. orders.created')
  .describe('The subject, e.g. orders.created')

const headersSchema = z
  .record(
    z.string().regex(/^[!-9;-~]+$/, 'a header name'),
    z.string().regex(/^[^\r\n]*$/, 'a header value without line breaks'),
  )
  .optional()
  .describe('NATS message headers')

/**
 * The input schema of the `publish` and `jetstream-publish` actions.
 *
 * @example
 * ```ts
 * natsPublishInputSchema.parse({ subject: 'orders.created', data: { orderId: 'o-1' } })
 * ```
 */
export const natsPublishInputSchema = z
  .object({
    subject: subjectSchema,
    data: z.unknown().describe('The payload: a string as UTF-8 text, anything else as JSON'),
    headers: headersSchema,
  })
  .strict()

/**
 * The input schema of the `request` action.
 *
 * @example
 * ```ts
 * natsRequestInputSchema.parse({ subject: 'prices.quote', data: { sku: 'A-1' }, timeoutMs: 2_000 })
 * ```
 */
export const natsRequestInputSchema = natsPublishInputSchema
  .extend({
    timeoutMs: timeoutMsSchema('How long to wait for the reply (default 5 000 ms)'),
  })
  .strict()

/**
 * The output schema of the `jetstream-publish` action: the stream's acknowledgement.
 *
 * @example
 * ```ts
 * const { stream, seq, duplicate } = natsJetstreamPublishOutputSchema.parse(output)
 * ```
 */
export const natsJetstreamPublishOutputSchema = z.object({
  stream: z.string().describe('The stream that stored the message'),
  seq: z.number().int().describe('Its sequence in the stream'),
  duplicate: z
    .boolean()
    .describe(
      'True when the stream already had a message with this Nats-Msg-Id (not stored again)',
    ),
  messageId: z.string().describe('The Nats-Msg-Id header: the step idempotency key'),
})

/**
 * The output schema of the `request` action: the reply, parsed as JSON when it parses.
 *
 * @example
 * ```ts
 * const { data } = natsRequestOutputSchema.parse(output)
 * ```
 */
export const natsRequestOutputSchema = z.object({
  data: z.unknown().describe('The reply payload (JSON when it parses, else text)'),
  headers: z.record(z.string(), z.string()).describe('The reply headers'),
})

/**
 * Settings of {@link createNatsConnector}.
 *
 * @example
 * ```ts
 * createNatsConnector({ id: 'bus' } satisfies NatsConnectorSettings)
 * ```
 */
export interface NatsConnectorSettings {
  /** Default `nats`. Give each instance its own id to register several in one engine. */
  id?: string
}

/**
 * Creates a NATS connector with three actions: `publish` (core NATS, flushed to the server),
 * `jetstream-publish` (stored by a stream, with `Nats-Msg-Id` = the step idempotency key, so
 * the server drops a republish within the stream's duplicate window) and `request`
 * (request/reply with a timeout). Connections are cached per configuration;
 * {@link closeNatsConnections} closes them.
 *
 * @example
 * ```ts
 * const nats = createNatsConnector()
 * const workflow = createWorkflow({ id: 'announce', input: z.object({ orderId: z.string() }) })
 *   .map(({ input }) => ({ subject: 'orders.created', data: input }))
 *   .action(nats, 'jetstream-publish', { servers: 'nats://127.0.0.1:4222', token: { $secret: 'NATS_TOKEN' } })
 *   .commit()
 * ```
 */
export function createNatsConnector(settings: NatsConnectorSettings = {}) {
  const id = settings.id ?? 'nats'

  const connection = (config: NatsConnectionSettings, action: string) =>
    connections.get({ connector: id, ...config }, async () => {
      const opened = await openNatsConnection(config, id, action)
      void opened.closed().then(() => connections.forget({ connector: id, ...config }))
      return opened
    })

  async function messageHeaders(
    action: string,
    values: Record<string, string> | undefined,
    idempotencyKey: string,
    name: string,
  ) {
    const nats = await loadNats(id, action)
    const result = nats.headers()
    for (const [key, value] of Object.entries(values ?? {})) result.set(key, value)
    result.set(name, idempotencyKey)
    return result
  }

  return defineConnector({
    id,
    name: 'NATS',
    description: 'Publishes to NATS subjects and JetStream streams, and sends requests',
    docs: 'https://tessera.dev/docs/connectors/nats',
    config: natsConfigSchema,
    actions: {
      publish: {
        title: 'Publish a message',
        description:
          'Publishes a message on a subject (core NATS, at most once) and flushes it to the server; the Nats-Msg-Id header is the step idempotency key',
        examples: [{ input: { subject: 'orders.created', data: { orderId: 'o-42' } } }],
        input: natsPublishInputSchema,
        output: z.object({
          subject: z.string().describe('The subject it was published on'),
          messageId: z.string().describe('The Nats-Msg-Id header: the step idempotency key'),
        }),
        async run({ config, input, signal, idempotencyKey }) {
          const fail = callerAborted(id, 'publish')
          if (signal.aborted) throw fail(signal.reason)
          try {
            const nc = await abortable(connection(config, 'publish'), signal, fail)
            const headers = await messageHeaders(
              'publish',
              input.headers,
              idempotencyKey,
              'Nats-Msg-Id',
            )
            nc.publish(input.subject, encodeBody(input.data), { headers })
            await abortable(nc.flush(), signal, fail)
          } catch (error) {
            throw natsError(error, id, 'publish', `publishing on ${JSON.stringify(input.subject)}`)
          }
          return { subject: input.subject, messageId: idempotencyKey }
        },
      },
      'jetstream-publish': {
        title: 'Publish to a JetStream stream',
        description:
          'Publishes a message that a JetStream stream stores, and waits for its acknowledgement; Nats-Msg-Id is the step idempotency key, so a retried step is not stored twice',
        examples: [
          {
            title: 'An order event, deduplicated by the stream',
            input: {
              subject: 'orders.created',
              data: { orderId: 'o-42' },
              headers: { source: 'shop' },
            },
          },
        ],
        input: natsPublishInputSchema,
        output: natsJetstreamPublishOutputSchema,
        async run({ config, input, signal, idempotencyKey }) {
          const fail = callerAborted(id, 'jetstream-publish')
          if (signal.aborted) throw fail(signal.reason)
          try {
            const nc = await abortable(connection(config, 'jetstream-publish'), signal, fail)
            const { jetstream } = await loadJetstream(id, 'jetstream-publish')
            const headers = await messageHeaders(
              'jetstream-publish',
              input.headers,
              idempotencyKey,
              'Nats-Msg-Id',
            )
            const ack = await abortable(
              jetstream(nc).publish(input.subject, encodeBody(input.data), {
                msgID: idempotencyKey,
                headers,
              }),
              signal,
              fail,
            )
            return {
              stream: ack.stream,
              seq: ack.seq,
              duplicate: ack.duplicate,
              messageId: idempotencyKey,
            }
          } catch (error) {
            throw natsError(
              error,
              id,
              'jetstream-publish',
              `publishing to JetStream on ${JSON.stringify(input.subject)}`,
            )
          }
        },
      },
      request: {
        title: 'Send a request',
        description:
          'Sends a request on a subject and returns the first reply; the Idempotency-Key header is the step idempotency key',
        examples: [
          {
            input: { subject: 'prices.quote', data: { sku: 'A-1', quantity: 2 }, timeoutMs: 2_000 },
          },
        ],
        input: natsRequestInputSchema,
        output: natsRequestOutputSchema,
        async run({ config, input, signal, idempotencyKey }) {
          const fail = callerAborted(id, 'request')
          if (signal.aborted) throw fail(signal.reason)
          try {
            const nc = await abortable(connection(config, 'request'), signal, fail)
            const headers = await messageHeaders(
              'request',
              input.headers,
              idempotencyKey,
              'Idempotency-Key',
            )
            // An inbox of its own: on abort, an empty message to it ends the pending request
            // (its subscription and timer) at once instead of at the timeout.
            const { createInbox } = await loadNats(id, 'request')
            const inbox = createInbox()
            const reply = await abortable(
              nc.request(input.subject, encodeBody(input.data), {
                timeout: input.timeoutMs ?? 5_000,
                headers,
                noMux: true,
                reply: inbox,
              }),
              signal,
              fail,
              () => nc.publish(inbox),
            )
            const replyHeaders: Record<string, string> = {}
            if (reply.headers)
              for (const key of reply.headers.keys()) replyHeaders[key] = reply.headers.get(key)
            return { data: decodeBody(reply.data), headers: replyHeaders }
          } catch (error) {
            throw natsError(error, id, 'request', `request on ${JSON.stringify(input.subject)}`)
          }
        },
      },
    },
    async check({ config, signal }) {
      const fail = callerAborted(id, 'check')
      try {
        const nc = await abortable(connection(config, 'check'), signal, fail)
        await abortable(nc.flush(), signal, fail)
      } catch (error) {
        throw natsError(error, id, 'check', 'connecting to the server')
      }
    },
  })
}

/**
 * The NATS connector with id `nats` (see {@link createNatsConnector}).
 *
 * @example
 * ```ts
 * const output = await engine.start(createWorkflow({ id: 'w', input: z.object({}) })
 *   .map(() => ({ subject: 'ping', data: 'hi' })).action(natsConnector, 'publish', { servers: 'nats://127.0.0.1:4222' }).commit(), {})
 * ```
 */
export const natsConnector = /* @__PURE__ */ createNatsConnector()

/**
 * The connector that {@link createNatsConnector} returns.
 *
 * @example
 * ```ts
 * const nats: NatsConnector = createNatsConnector()
 * ```
 */
export type NatsConnector = ReturnType<typeof createNatsConnector>
