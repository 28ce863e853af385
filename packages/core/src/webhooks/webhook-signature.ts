// The webhook signature scheme, in one place: `@tessera/core/http` verifies inbound deliveries
// with it (refusing with 401) and `@tessera/connectors/webhook` signs outgoing ones. Web Crypto
// only, so it runs wherever core does.

const encoder = new TextEncoder()

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
  for (let index = 0; index < 32; index++) {
    bytes[index] = Number.parseInt(text.slice(index * 2, index * 2 + 2), 16)
  }
  return bytes
}

/**
 * The signature header value for a webhook delivery: `t=<unix seconds>,v1=<hex>`, where the hex
 * is HMAC SHA-256 with `secret` over `"<t>.<raw body>"` (Tessera's inbound webhooks check it in
 * `x-tessera-signature`).
 *
 * @example
 * ```ts
 * const header = await signWebhook({ secret, body: JSON.stringify({ id: 'A1' }) })
 * ```
 */
export async function signWebhook(options: {
  secret: string
  body: string
  /** Unix seconds; default now. */
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

/** What {@link checkWebhookSignature} found. */
export type WebhookVerification =
  | { valid: true; /** The signed timestamp, in unix seconds. */ timestamp: number }
  | { valid: false; /** Why it was refused (never the expected signature). */ reason: string }

/**
 * Checks a signature header made by {@link signWebhook}: well formed, its timestamp within
 * `toleranceMs` of `nowMs` (replays), and one of its `v1=` values (several while secrets rotate)
 * the HMAC of the body, compared in constant time by `crypto.subtle.verify`. Never throws for a
 * bad signature: it says why.
 *
 * @example
 * ```ts
 * const result = await checkWebhookSignature({ secret, body, header, nowMs: Date.now(), toleranceMs: 300_000 })
 * if (!result.valid) console.warn(result.reason)
 * ```
 */
export async function checkWebhookSignature(options: {
  secret: string
  body: string
  header: string | null | undefined
  nowMs: number
  toleranceMs: number
  /** How the reasons name the header. Default `x-tessera-signature`. */
  headerName?: string
}): Promise<WebhookVerification> {
  const headerName = options.headerName ?? 'x-tessera-signature'
  if (!options.header) return { valid: false, reason: `the ${headerName} header is missing` }
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
  if (timestamp === undefined || signatures.length === 0) {
    return {
      valid: false,
      reason: `the ${headerName} header must be "t=<unix seconds>,v1=<64 hex digits>"`,
    }
  }
  if (Math.abs(options.nowMs - timestamp * 1000) > options.toleranceMs) {
    return {
      valid: false,
      reason: `the signature's timestamp ${timestamp} is outside the tolerance of ${options.toleranceMs} ms`,
    }
  }
  const key = await hmacKey(options.secret, 'verify')
  const data = encoder.encode(`${timestamp}.${options.body}`)
  let valid = false
  for (const signature of signatures) {
    if (await globalThis.crypto.subtle.verify('HMAC', key, signature, data)) valid = true
  }
  return valid ? { valid, timestamp } : { valid, reason: 'the signature does not match the body' }
}
