import { ConflictError } from '../../errors/conflict-error'
import { InvalidArgumentError } from '../../errors/invalid-argument-error'
import { StoreError } from '../../errors/store-error'
import { NotFoundError } from '../../errors/not-found-error'
import type { StoreV1, StoredRecord } from '../../ports/store-v1'
import type { Permission } from '../types'
import { hex, sha256Hex } from './hashing'
import { requireRecords, type RecordsStore } from './records-store'

/**
 * The records collection API keys are kept in, keyed by `keyId`.
 *
 * @example
 * ```ts
 * await store.getRecord?.({ collection: apiKeysCollection, key: keyId }) // { value: { keyId, hash, … } }
 * ```
 */
export const apiKeysCollection = 'api-keys'

/** An API key as `list`/`get` show it: everything but the secret and its hash. */
export interface ApiKey {
  /** 16 lowercase hex characters; the token's middle part. */
  keyId: string
  /** The principal the key acts for (`Principal.id` of requests made with it). */
  principalId: string
  /** What the key is for (`"CI deploy"`). */
  name: string
  roles: readonly string[]
  /** If set, the key may do at most this (intersected with its roles' permissions). */
  scopes?: readonly Permission[]
  /** If set, the key acts only on these workflows (ids or `*` globs). */
  workflows?: readonly string[]
  /** Epoch ms. */
  createdAt: number
  revokedAt?: number
  expiresAt?: number
  /** Epoch ms of the last request made with it, written at most once a minute. */
  lastUsedAt?: number
}

/** An API key as stored: with the SHA-256 (hex) of the whole token, never the token. */
export interface StoredApiKey extends ApiKey {
  hash: string
}

/** What {@link ApiKeys.create} takes. */
export interface CreateApiKeyInput {
  principalId: string
  name: string
  roles: readonly string[]
  scopes?: readonly Permission[]
  workflows?: readonly string[]
  /** Epoch ms or a `Date`; the key is refused from then on. */
  expiresAt?: number | Date
}

/** Creates, lists and revokes API keys kept in a store's `api-keys` records. */
export interface ApiKeys {
  /** A new key. `token` is shown this once: only its hash is kept. */
  create(input: CreateApiKeyInput): Promise<{ token: string; key: ApiKey }>
  /** Every key, revoked and expired ones included, oldest key id order. */
  list(): Promise<ApiKey[]>
  get(keyId: string): Promise<ApiKey | undefined>
  /** Marks the key revoked (kept for the audit trail); `NotFoundError` for an unknown id. */
  revoke(keyId: string): Promise<ApiKey>
}

/** Settings of {@link createApiKeys}. */
export interface ApiKeysOptions {
  /** Epoch ms now; `Date.now` by default. */
  clock?: { now(): number }
}

/** `tsk_<16 hex keyId>_<43 base64url characters of secret>`. */
const tokenPattern = /^tsk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/

/**
 * The key id of a well-formed token, or `undefined` for anything else.
 *
 * @example
 * ```ts
 * parseApiKeyToken('tsk_3f9a0c1d2e4b5a67_' + 'x'.repeat(43)) // '3f9a0c1d2e4b5a67'
 * ```
 */
export function parseApiKeyToken(token: string): string | undefined {
  return tokenPattern.exec(token)?.[1]
}

/**
 * API key management over a store that keeps records. Tokens look like
 * `tsk_<keyId>_<secret>` (32 random bytes of secret); the store keeps the SHA-256 of the whole
 * token, so a leaked database gives no usable key. {@link apiKeyAuth} checks them.
 *
 * @example
 * ```ts
 * const keys = createApiKeys(store)
 * const { token, key } = await keys.create({ principalId: 'service:billing', name: 'billing sync', roles: ['operator'], scopes: ['workflow:run', 'run:read'] })
 * // give `token` to the caller now: it cannot be shown again
 * await keys.revoke(key.keyId)
 * ```
 */
export function createApiKeys(store: StoreV1, options: ApiKeysOptions = {}): ApiKeys {
  const records = requireRecords(store, 'createApiKeys')
  const clock = options.clock ?? { now: () => Date.now() }

  return {
    async create(input) {
      const key = checkCreateInput(input, clock.now())
      for (let attempt = 0; attempt < 5; attempt++) {
        const keyId = hex(randomBytes(8))
        const token = `tsk_${keyId}_${base64Url(randomBytes(32))}`
        const stored: StoredApiKey = { keyId, ...key, hash: await sha256Hex(token) }
        const put = await records.putRecord({
          collection: apiKeysCollection,
          key: keyId,
          value: stored,
          now: key.createdAt,
          expectRevision: 0,
        })
        if (put.status === 'written') return { token, key: publicKey(stored) }
      }
      // 64 random bits colliding five times in a row means the random source is broken.
      throw new ConflictError('apiKeys.create: every generated key id (5 tries) was taken')
    },
    async list() {
      const keys: ApiKey[] = []
      let after: string | undefined
      for (;;) {
        const page = await records.listRecords({
          collection: apiKeysCollection,
          limit: 1000,
          ...(after === undefined ? {} : { after }),
        })
        for (const record of page) keys.push(publicKey(storedApiKey(record, records.provider)))
        if (page.length < 1000) return keys
        after = page[page.length - 1]!.key
      }
    },
    async get(keyId) {
      const record = await readApiKey(records, keyId)
      return record ? publicKey(storedApiKey(record, records.provider)) : undefined
    },
    async revoke(keyId) {
      for (;;) {
        const record = await readApiKey(records, keyId)
        if (!record) throw new NotFoundError({ kind: 'api-key', id: keyId })
        const stored = storedApiKey(record, records.provider)
        if (stored.revokedAt !== undefined) return publicKey(stored)
        const now = clock.now()
        const revoked = { ...stored, revokedAt: now }
        const put = await records.putRecord({
          collection: apiKeysCollection,
          key: keyId,
          value: revoked,
          now,
          expectRevision: record.revision,
        })
        // A conflict is a concurrent write (lastUsedAt, another revoke): read again.
        if (put.status === 'written') return publicKey(revoked)
      }
    },
  }
}

/** The stored record of `keyId`, or `undefined` (also for an id no token could carry). */
export async function readApiKey(
  records: RecordsStore,
  keyId: string,
): Promise<StoredRecord | undefined> {
  if (!/^[0-9a-f]{16}$/.test(keyId)) return undefined
  return records.getRecord({ collection: apiKeysCollection, key: keyId })
}

/**
 * A stored record's value as a key, checked enough that a damaged record cannot pass: one that
 * is not a key is the store's fault (`StoreError`, 503), not the caller's.
 */
export function storedApiKey(record: StoredRecord, provider: string): StoredApiKey {
  const value = record.value as Partial<StoredApiKey> | null
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.hash !== 'string' ||
    typeof value.principalId !== 'string' ||
    !Array.isArray(value.roles)
  ) {
    throw new StoreError(
      provider,
      `record ${apiKeysCollection}/${record.key} is not an API key ({ keyId, hash, principalId, name, roles, createdAt, … })`,
    )
  }
  return value as StoredApiKey
}

function publicKey(stored: StoredApiKey): ApiKey {
  const { hash: _hash, ...key } = stored
  return key
}

function checkCreateInput(
  input: CreateApiKeyInput,
  now: number,
): Omit<StoredApiKey, 'keyId' | 'hash'> {
  const fail = (argument: string, expected: string, received: unknown): never => {
    throw new InvalidArgumentError({ fn: 'apiKeys.create', argument, expected, received })
  }
  if (typeof input !== 'object' || input === null) fail('input', 'an object', input)
  if (typeof input.principalId !== 'string' || input.principalId === '') {
    fail('principalId', 'a non-empty string', input.principalId)
  }
  if (typeof input.name !== 'string' || input.name === '' || input.name.length > 200) {
    fail('name', 'a string of 1–200 characters', input.name)
  }
  const strings = (value: unknown) =>
    Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')
  if (!strings(input.roles)) fail('roles', 'an array of role names', input.roles)
  if (input.scopes !== undefined && !strings(input.scopes)) {
    fail('scopes', "an array of permissions such as 'run:read'", input.scopes)
  }
  if (input.workflows !== undefined && !strings(input.workflows)) {
    fail('workflows', "an array of workflow ids or globs such as 'order-*'", input.workflows)
  }
  const expiresAt = input.expiresAt instanceof Date ? input.expiresAt.getTime() : input.expiresAt
  if (expiresAt !== undefined && (!Number.isFinite(expiresAt) || expiresAt <= now)) {
    fail('expiresAt', 'a time in the future (epoch ms or a Date)', input.expiresAt)
  }
  return {
    principalId: input.principalId,
    name: input.name,
    roles: [...input.roles],
    ...(input.scopes === undefined ? {} : { scopes: [...input.scopes] }),
    ...(input.workflows === undefined ? {} : { workflows: [...input.workflows] }),
    createdAt: now,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  }
}

function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length))
}

function base64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
