import { UnauthenticatedError } from '../../errors/unauthenticated-error'
import type { StoreV1 } from '../../ports/store-v1'
import { requestHeader } from '../raw-request'
import type { Authenticator, Principal, RequestContext } from '../types'
import { apiKeysCollection, parseApiKeyToken, readApiKey, storedApiKey } from './api-keys'
import { sha256Hex, timingSafeEqual } from './hashing'
import { requireRecords } from './records-store'

/** Settings of {@link apiKeyAuth}. */
export interface ApiKeyAuthOptions {
  /** Where the keys are kept (`createApiKeys` on the same store made them). */
  store: StoreV1
  /**
   * The header carrying `Bearer tsk_…` (default `authorization`); a header other than
   * `authorization` carries the bare token. `x-api-key` is read as well.
   */
  header?: string
  /** Epoch ms now; `Date.now` by default. */
  clock?: { now(): number }
}

/** How often, at most, a key's `lastUsedAt` is written. */
const lastUsedInterval = 60_000

/**
 * Authenticates `Authorization: Bearer tsk_<keyId>_<secret>` (or `x-api-key: tsk_…`) against
 * the keys `createApiKeys` keeps in the store. The token's SHA-256 is compared in constant
 * time with the stored hash. A request without an API key resolves to `undefined` (a JWT in
 * `Authorization` is left for `jwtAuth`); a malformed, unknown, revoked or expired key throws
 * `UnauthenticatedError`. The principal is the key's `principalId` with its roles, scopes and
 * workflows; `attributes.keyId` names the key.
 *
 * @example
 * ```ts
 * const handler = createHttpHandler(engine, { auth: [apiKeyAuth({ store }), jwtAuth({ … })] })
 * ```
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): Authenticator {
  const records = requireRecords(options.store, 'apiKeyAuth')
  const header = (options.header ?? 'authorization').toLowerCase()
  const clock = options.clock ?? { now: () => Date.now() }

  const tokenOf = (context: RequestContext): string | undefined => {
    const direct = requestHeader(context, 'x-api-key')
    if (direct !== undefined) return direct.trim()
    const value = requestHeader(context, header)
    if (value === undefined) return undefined
    if (header !== 'authorization') return value.trim()
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(value)
    // Only tokens that claim to be ours: anything else is another authenticator's.
    return bearer?.[1]?.startsWith('tsk_') ? bearer[1] : undefined
  }

  return {
    name: 'api-key',
    async authenticate(context): Promise<Principal | undefined> {
      const token = tokenOf(context)
      if (token === undefined) return undefined
      const refuse = (reason: string) =>
        new UnauthenticatedError({ reason, error: 'invalid_token' })
      const keyId = parseApiKeyToken(token)
      if (keyId === undefined) {
        throw refuse('malformed API key (expected tsk_<key id>_<secret>)')
      }
      const record = await readApiKey(records, keyId)
      const hash = await sha256Hex(token)
      const stored = record ? storedApiKey(record, records.provider) : undefined
      // Unknown id and wrong secret read the same, so ids cannot be probed.
      if (!record || !stored || !timingSafeEqual(hash, stored.hash)) throw refuse('unknown API key')
      const now = clock.now()
      if (stored.revokedAt !== undefined) throw refuse(`API key "${keyId}" was revoked`)
      if (stored.expiresAt !== undefined && stored.expiresAt <= now) {
        throw refuse(`API key "${keyId}" expired at ${new Date(stored.expiresAt).toISOString()}`)
      }
      if (stored.lastUsedAt === undefined || now - stored.lastUsedAt >= lastUsedInterval) {
        // Compare-and-set: losing to a concurrent write (another request, a revoke) is fine.
        await records.putRecord({
          collection: apiKeysCollection,
          key: keyId,
          value: { ...stored, lastUsedAt: now },
          now,
          expectRevision: record.revision,
        })
      }
      return {
        id: stored.principalId,
        method: 'api-key',
        roles: [...stored.roles],
        ...(stored.scopes === undefined ? {} : { scopes: [...stored.scopes] }),
        ...(stored.workflows === undefined ? {} : { workflows: [...stored.workflows] }),
        name: stored.name,
        attributes: { keyId },
      }
    },
  }
}
