// The signature scheme is core's (`signWebhook`, `checkWebhookSignature` from @tessera/core),
// the one Tessera's inbound webhooks verify with; these are the connector's names for it.
import { checkWebhookSignature, signWebhook, type WebhookVerification } from '@tessera/core'

export type { WebhookVerification } from '@tessera/core'

/**
 * The header Tessera signs deliveries in (and its inbound webhooks read):
 * `x-tessera-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 *
 * @example
 * ```ts
 * request.headers.get(webhookSignatureHeader)
 * ```
 */
export const webhookSignatureHeader = 'x-tessera-signature'

/**
 * Signs a webhook body the way Tessera's inbound webhooks verify it: returns the header value
 * `t=<unix seconds>,v1=<hex>`, the hex being HMAC-SHA256 with `secret` over `"<t>.<body>"`.
 * Sign the exact bytes you send. Web Crypto only (runs in Node, Deno, Bun, workers).
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ event: 'order.paid', payload: { orderId: 'A1' } })
 * const signature = await signWebhookPayload({ secret, body })
 * await fetch(url, { method: 'POST', body, headers: { 'x-tessera-signature': signature } })
 * ```
 */
export const signWebhookPayload: typeof signWebhook = signWebhook

/**
 * Verifies a `t=<unix>,v1=<hex>` signature over the raw body received: the HMAC is compared
 * in constant time (`crypto.subtle.verify`), any of several `v1=` values may match (secret
 * rotation), and the timestamp must be within `toleranceMs` (default 5 minutes) of now, which
 * stops replays of old deliveries. Returns a result instead of throwing.
 *
 * @example
 * ```ts
 * const raw = await request.text()
 * const result = await verifyWebhookSignature({ secret, body: raw, header: request.headers.get('x-tessera-signature') })
 * if (!result.valid) return new Response(result.reason, { status: 401 })
 * ```
 */
export function verifyWebhookSignature(options: {
  secret: string
  body: string
  header: string | null | undefined
  /** Default 5 minutes. */
  toleranceMs?: number
  /** Default `Date.now()`. */
  nowMs?: number
}): Promise<WebhookVerification> {
  return checkWebhookSignature({
    secret: options.secret,
    body: options.body,
    header: options.header,
    toleranceMs: options.toleranceMs ?? 300_000,
    nowMs: options.nowMs ?? Date.now(),
    headerName: 'signature',
  })
}
