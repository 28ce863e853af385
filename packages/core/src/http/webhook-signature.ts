import { UnauthenticatedError } from '../errors/unauthenticated-error'

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

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

function fromHex(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (text.length !== 64 || !/^[0-9a-f]+$/i.test(text)) return undefined
  const bytes = new Uint8Array(32)
  for (let index = 0; index < 32; index++) {
    bytes[index] = Number.parseInt(text.slice(index * 2, index * 2 + 2), 16)
  }
  return bytes
}

/**
 * The `x-tessera-signature` header value for a webhook delivery: `t=<unix seconds>,v1=<hex>`,
 * where the hex is HMAC SHA-256 with `secret` over `"<t>.<raw body>"`. What a sender computes
 * (and what tests use).
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ orderId: 'A1' })
 * const signature = await signWebhook({ secret: process.env.HOOK_SECRET!, body })
 * await fetch(`${base}/webhooks/orders`, { method: 'POST', body, headers: { 'x-tessera-signature': signature } })
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
  const mac = await globalThis.crypto.subtle.sign(
    'HMAC',
    key,
    encoder.encode(`${timestamp}.${options.body}`),
  )
  return `t=${timestamp},v1=${toHex(mac)}`
}

/**
 * Checks a webhook delivery's `x-tessera-signature` against the raw body: the HMAC is compared
 * in constant time (`crypto.subtle.verify`), any of several `v1=` values may match (secret
 * rotation), and the timestamp must be within `toleranceMs` of `nowMs`. Throws
 * `UnauthenticatedError` (401) saying what was wrong, never what was expected.
 *
 * @example
 * ```ts
 * await verifyWebhookSignature({ secret, body: rawText, header: request.headers.get('x-tessera-signature'), nowMs: Date.now(), toleranceMs: 300_000 })
 * ```
 */
export async function verifyWebhookSignature(options: {
  secret: string
  body: string
  header: string | null | undefined
  nowMs: number
  toleranceMs: number
}): Promise<void> {
  const refuse = (reason: string) =>
    new UnauthenticatedError({
      reason,
      challenge: 'Signature realm="tessera", header="x-tessera-signature"',
    })
  if (!options.header) throw refuse('the x-tessera-signature header is missing')
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
    throw refuse('the x-tessera-signature header must be "t=<unix seconds>,v1=<64 hex digits>"')
  }
  if (Math.abs(options.nowMs - timestamp * 1000) > options.toleranceMs) {
    throw refuse(
      `the signature's timestamp ${timestamp} is outside the tolerance of ${options.toleranceMs} ms`,
    )
  }
  const key = await hmacKey(options.secret, 'verify')
  const data = encoder.encode(`${timestamp}.${options.body}`)
  let valid = false
  for (const signature of signatures) {
    // crypto.subtle.verify compares in constant time.
    if (await globalThis.crypto.subtle.verify('HMAC', key, signature, data)) valid = true
  }
  if (!valid) throw refuse('the signature does not match the body')
}
