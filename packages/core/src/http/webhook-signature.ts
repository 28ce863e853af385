import { UnauthenticatedError } from '../errors/unauthenticated-error'
import { checkWebhookSignature } from '../webhooks/webhook-signature'

// The scheme itself (signing, parsing, the constant-time check) is in core's main entry,
// shared with the outgoing webhook connector; this is the HTTP handler's throwing form.
export { signWebhook } from '../webhooks/webhook-signature'

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
  const result = await checkWebhookSignature(options)
  if (!result.valid) {
    throw new UnauthenticatedError({
      reason: result.reason,
      challenge: 'Signature realm="tessera", header="x-tessera-signature"',
    })
  }
}
