import { z } from 'zod'
import { defineConnector, secretRef } from '@tessera/core'
import { configHeadersSchema } from '../http/http-connector-config'
import { secretValue } from '../http/http-auth'
import { defaultHttpTimeoutMs } from '../http/http-request-action'
import { httpStatusError } from '../http/http-status-error'
import { prepareHttpRequest } from '../http/prepare-http-request'
import { headerRecord, sendHttpRequest } from '../http/send-http-request'
import { signWebhookPayload, webhookSignatureHeader } from './webhook-signature'

/**
 * The configuration schema of the outgoing webhook connector: the receiver's URL, the shared
 * HMAC secret (a secret reference), the signature header (default `x-tessera-signature`),
 * extra headers and a timeout.
 *
 * @example
 * ```ts
 * webhookConnectorConfigSchema.parse({ url: 'https://partner.example.com/hooks/tessera', secret: { $secret: 'PARTNER_HOOK_SECRET' } })
 * ```
 */
export const webhookConnectorConfigSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'an http or https URL' })
      .describe('Where deliveries are POSTed'),
    secret: secretRef({ description: 'The shared HMAC-SHA256 signing secret' }),
    headerName: z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name')
      .optional()
      .describe('The signature header (default "x-tessera-signature")'),
    headers: configHeadersSchema.optional(),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(3_600_000)
      .optional()
      .describe('Per-delivery timeout in milliseconds (default 30000)'),
  })
  .strict()

/**
 * The configuration of the webhook connector, as stored.
 *
 * @example
 * ```ts
 * const config: WebhookConnectorConfig = { url: 'https://partner.example.com/hooks', secret: { $secret: 'HOOK_SECRET' } }
 * ```
 */
export type WebhookConnectorConfig = z.output<typeof webhookConnectorConfigSchema>

/**
 * The input of `send`: the event name and its JSON payload.
 *
 * @example
 * ```ts
 * webhookSendInputSchema.parse({ event: 'order.paid', payload: { orderId: 'A1', amount: 42 } })
 * ```
 */
export const webhookSendInputSchema = z
  .object({
    event: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\r\n\0]*$/, 'an event name without line breaks')
      .describe('The event name, such as "order.paid"'),
    payload: z.unknown().describe('Any JSON value'),
  })
  .strict()

/**
 * The output of `send`: the receiver's status, headers and body, and the delivery id (the
 * step's idempotency key, also the envelope's `id`).
 *
 * @example
 * ```ts
 * const { status, deliveryId } = webhookSendOutputSchema.parse(output)
 * ```
 */
export const webhookSendOutputSchema = z.object({
  status: z.number().int().describe('The receiver’s HTTP status (2xx)'),
  deliveryId: z.string().describe('The delivery id: the step’s idempotency key'),
  headers: z.record(z.string(), z.string()).describe('Response headers, lower-case names'),
  body: z.unknown().describe('The response body: parsed JSON, or text, or null'),
})

/**
 * The JSON body of a delivery: `{ id, event, createdAt, payload }`, `id` being the step's
 * idempotency key (the same on every retry, so a receiver can drop duplicates).
 *
 * @example
 * ```ts
 * const envelope: WebhookEnvelope = { id: 'run-1:notify', event: 'order.paid', createdAt: '2026-01-01T00:00:00.000Z', payload: {} }
 * ```
 */
export interface WebhookEnvelope {
  id: string
  event: string
  /** ISO 8601, when this attempt was sent. */
  createdAt: string
  payload: unknown
}

/**
 * The `x-tessera-delivery` value: the idempotency key, or `sha256:<hex>` of it when it is longer
 * than the 200 characters a Tessera receiver accepts.
 */
async function deliveryHeader(idempotencyKey: string): Promise<string> {
  if (idempotencyKey.length <= 200) return idempotencyKey
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(idempotencyKey)),
  )
  let hex = ''
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0')
  return `sha256:${hex}`
}

/**
 * Settings of {@link createWebhookConnector}.
 *
 * @example
 * ```ts
 * const settings: WebhookConnectorSettings = { id: 'partner-hooks', now: () => clock.now() }
 * ```
 */
export interface WebhookConnectorSettings {
  /** Default `webhook`. */
  id?: string
  /** Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch
  /** The clock for the signature's timestamp and `createdAt` (tests). Default `Date.now`. */
  now?: () => number
}

/**
 * Creates the outgoing webhook connector. Its action `send` POSTs
 * `{ id, event, createdAt, payload }` as JSON to the configured URL, signed like Tessera's
 * inbound webhooks verify (`x-tessera-signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`),
 * with the step's idempotency key as `Idempotency-Key`, as `x-tessera-delivery` (so a Tessera
 * receiver starts one run per delivery; `sha256:<hex>` of it beyond 200 characters) and as the
 * envelope's `id`; the event name goes in
 * `x-tessera-event`. A 2xx is success; other statuses throw a `ConnectorError` (401/403
 * `unauthorized`, 404 `not-found`, 429 `rate-limited` with `Retry-After`, 5xx `remote`,
 * retryable).
 *
 * @example
 * ```ts
 * const partner = createWebhookConnector({ id: 'partner-hooks' })
 * engine.register(partner)
 * ```
 */
export function createWebhookConnector(settings: WebhookConnectorSettings = {}) {
  const id = settings.id ?? 'webhook'
  const now = settings.now ?? Date.now
  return defineConnector({
    id,
    name: 'Outgoing webhook',
    description: 'POSTs signed JSON events (HMAC-SHA256, Tessera’s webhook format) to a URL',
    docs: 'https://tessera.dev/docs/connectors/webhook',
    config: webhookConnectorConfigSchema,
    actions: {
      send: {
        title: 'Send an event',
        description: 'POSTs a signed event envelope to the configured URL',
        examples: [
          {
            title: 'An order was paid',
            input: { event: 'order.paid', payload: { orderId: 'A1' } },
          },
        ],
        input: webhookSendInputSchema,
        output: webhookSendOutputSchema,
        async run({ config, input, signal, idempotencyKey, logger }) {
          const secret = secretValue(config.secret, {
            connector: id,
            action: 'send',
            field: 'secret',
          })
          const timeMs = now()
          const envelope: WebhookEnvelope = {
            id: idempotencyKey,
            event: input.event,
            createdAt: new Date(timeMs).toISOString(),
            payload: input.payload ?? null,
          }
          const body = JSON.stringify(envelope)
          const url = new URL(config.url)
          const headers = prepareHttpRequest({
            connector: id,
            action: 'send',
            url,
            configHeaders: config.headers,
            idempotencyKey,
            headers: {
              'content-type': 'application/json',
              'x-tessera-delivery': await deliveryHeader(idempotencyKey),
              'x-tessera-event': input.event,
            },
          })
          headers.set(
            config.headerName ?? webhookSignatureHeader,
            await signWebhookPayload({ secret, body, timestamp: Math.floor(timeMs / 1000) }),
          )
          const response = await sendHttpRequest({
            connector: id,
            action: 'send',
            fetch: settings.fetch ?? globalThis.fetch,
            method: 'POST',
            url,
            headers,
            body,
            signal,
            timeoutMs: config.timeoutMs ?? defaultHttpTimeoutMs,
            logger,
          })
          const error = httpStatusError({
            connector: id,
            action: 'send',
            where: response.where,
            status: response.status,
            headers: response.headers,
            body: response.body,
          })
          if (error) throw error
          return {
            status: response.status,
            deliveryId: idempotencyKey,
            headers: headerRecord(response.headers),
            body: response.body,
          }
        },
      },
    },
  })
}

/**
 * The outgoing webhook connector with the global `fetch` (see {@link createWebhookConnector}).
 *
 * @example
 * ```ts
 * createWorkflow({ id: 'notify', input: z.object({ orderId: z.string() }) })
 *   .map(({ input }) => ({ event: 'order.paid', payload: input }))
 *   .action(webhookConnector, 'send', { url: 'https://partner.example.com/hooks', secret: { $secret: 'PARTNER_HOOK_SECRET' } })
 * ```
 */
export const webhookConnector = /* @__PURE__ */ createWebhookConnector()

/**
 * The connector that {@link createWebhookConnector} returns.
 *
 * @example
 * ```ts
 * const partner: WebhookConnector = createWebhookConnector({ id: 'partner-hooks' })
 * ```
 */
export type WebhookConnector = ReturnType<typeof createWebhookConnector>
