const encoder = new TextEncoder()

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

async function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    [usage],
  )
}

function fromHex(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[0-9a-f]{64}$/i.test(text)) return undefined
  const bytes = new Uint8Array(32)
  for (let index = 0; index < 32; index++)
    bytes[index] = Number.parseInt(text.slice(index * 2, index * 2 + 2), 16)
  return bytes
}

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
export async function signWebhookPayload(options: {
  secret: string
  body: string
  /** Unix seconds. Default: now. */
  timestamp?: number
}): Promise<string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
  const key = await hmacKey(options.secret, 'sign')
  const mac = new Uint8Array(
    await globalThis.crypto.subtle.sign(
      'HMAC',
      key,
      encoder.encode(`${timestamp}.${options.body}`),
    ),
  )
  let hex = ''
  for (const byte of mac) hex += byte.toString(16).padStart(2, '0')
  return `t=${timestamp},v1=${hex}`
}

/**
 * The result of {@link verifyWebhookSignature}.
 *
 * @example
 * ```ts
 * const result: WebhookVerification = await verifyWebhookSignature({ secret, body, header })
 * ```
 */
export type WebhookVerification =
  | { valid: true; /** The signed timestamp, in unix seconds. */ timestamp: number }
  | { valid: false; /** Why it was refused (never the expected signature). */ reason: string }

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
export async function verifyWebhookSignature(options: {
  secret: string
  body: string
  header: string | null | undefined
  /** Default 300 000 (5 minutes). */
  toleranceMs?: number
  /** Default `Date.now()`. */
  nowMs?: number
}): Promise<WebhookVerification> {
  if (!options.header) return { valid: false, reason: 'the signature header is missing' }
  let timestamp: number | undefined
  const signatures: Uint8Array<ArrayBuffer>[] = []
  for (const part of options.header.split(',')) {
    const [name, value] = part.trim().split('=', 2) as [string, string | undefined]
    if (name === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value)
    if (name === 'v1' && value !== undefined) {
      const bytes = fromHex(value)
      if (bytes) signatures.push(bytes)
    }
  }
  if (timestamp === undefined || signatures.length === 0)
    return {
      valid: false,
      reason: 'the signature header must be "t=<unix seconds>,v1=<64 hex digits>"',
    }
  const toleranceMs = options.toleranceMs ?? 300_000
  if (Math.abs((options.nowMs ?? Date.now()) - timestamp * 1000) > toleranceMs)
    return {
      valid: false,
      reason: `the timestamp ${timestamp} is outside the tolerance of ${toleranceMs} ms`,
    }
  const key = await hmacKey(options.secret, 'verify')
  const data = encoder.encode(`${timestamp}.${options.body}`)
  let valid = false
  for (const signature of signatures)
    if (await globalThis.crypto.subtle.verify('HMAC', key, signature, data)) valid = true
  return valid ? { valid, timestamp } : { valid, reason: 'the signature does not match the body' }
}
