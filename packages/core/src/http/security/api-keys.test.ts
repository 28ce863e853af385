import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../memory/memory-store'
import type { RequestContext } from '../types'
import { apiKeyAuth } from './api-key-auth'
import { apiKeysCollection, createApiKeys } from './api-keys'
import { sha256Hex } from './hashing'

const context = (headers: Record<string, string>): RequestContext => ({
  request: new Request('http://localhost/runs', { headers }),
  routeId: 'runs.list',
  requestId: 'req-1',
})
const bearer = (token: string) => context({ authorization: `Bearer ${token}` })

function setup(start = 1_700_000_000_000) {
  const store = createMemoryStore()
  const clock = { time: start, now: () => clock.time }
  return { store, clock, keys: createApiKeys(store, { clock }), auth: apiKeyAuth({ store, clock }) }
}

describe('createApiKeys', () => {
  it('stores the SHA-256 of the token, never the token or its secret', async () => {
    const { store, keys } = setup()
    const { token, key } = await keys.create({
      principalId: 'service:billing',
      name: 'billing sync',
      roles: ['operator'],
      scopes: ['workflow:run', 'run:read'],
      workflows: ['billing-*'],
    })
    expect(token).toMatch(/^tsk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
    expect(token.split('_')[1]).toBe(key.keyId)
    expect(key).not.toHaveProperty('hash')
    const stored = await store.getRecord!({ collection: apiKeysCollection, key: key.keyId })
    const text = JSON.stringify(stored)
    expect(text).not.toContain(token)
    expect(text).not.toContain(token.slice(`tsk_${key.keyId}_`.length))
    expect(stored!.value).toEqual({ ...key, hash: await sha256Hex(token) })
    expect(await keys.get(key.keyId)).toEqual(key)
    expect(await keys.get('0000000000000000')).toBeUndefined()
    expect(await keys.get('../etc')).toBeUndefined()
  })

  it('lists every key without hashes, and makes distinct tokens', async () => {
    const { keys } = setup()
    const made = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        keys.create({ principalId: `user:${index}`, name: `key ${index}`, roles: ['viewer'] }),
      ),
    )
    expect(new Set(made.map((item) => item.token)).size).toBe(5)
    const listed = await keys.list()
    expect(listed.map((key) => key.keyId).sort()).toEqual(made.map((item) => item.key.keyId).sort())
    for (const key of listed) expect(key).not.toHaveProperty('hash')
  })

  it('revokes (idempotent), and refuses an unknown key id with NotFoundError', async () => {
    const { keys, clock } = setup()
    const { key } = await keys.create({ principalId: 'u', name: 'n', roles: [] })
    clock.time += 5
    const revoked = await keys.revoke(key.keyId)
    expect(revoked.revokedAt).toBe(clock.time)
    clock.time += 5
    expect((await keys.revoke(key.keyId)).revokedAt).toBe(revoked.revokedAt)
    await expect(keys.revoke('0123456789abcdef')).rejects.toMatchObject({
      code: 'not_found',
      message: 'No api-key with id "0123456789abcdef"',
    })
  })

  it.each([
    [{ principalId: '', name: 'n', roles: [] }, 'principalId'],
    [{ principalId: 'u', name: '', roles: [] }, 'name'],
    [{ principalId: 'u', name: 'n', roles: 'admin' }, 'roles'],
    [{ principalId: 'u', name: 'n', roles: [], scopes: [1] }, 'scopes'],
    [{ principalId: 'u', name: 'n', roles: [], workflows: [''] }, 'workflows'],
    [{ principalId: 'u', name: 'n', roles: [], expiresAt: 1 }, 'expiresAt'],
  ])('refuses bad input %j naming %s', async (input, argument) => {
    const { keys } = setup()
    await expect(keys.create(input as never)).rejects.toMatchObject({
      code: 'invalid_argument',
      argument,
    })
  })

  it('needs a store that keeps records, naming its provider', () => {
    const store = {
      ...createMemoryStore(),
      provider: 'legacy',
      capabilities: { durable: false, shared: false },
    }
    expect(() => createApiKeys(store as never)).toThrow(/"legacy" store does not keep records/)
    expect(() => apiKeyAuth({ store: store as never })).toThrow(/capabilities\.records/)
  })
})

describe('apiKeyAuth', () => {
  it('turns a valid key into its principal, from Authorization or x-api-key', async () => {
    const { keys, auth } = setup()
    const { token, key } = await keys.create({
      principalId: 'service:billing',
      name: 'billing sync',
      roles: ['operator'],
      scopes: ['run:read'],
      workflows: ['billing-*'],
    })
    const expected = {
      id: 'service:billing',
      method: 'api-key',
      roles: ['operator'],
      scopes: ['run:read'],
      workflows: ['billing-*'],
      name: 'billing sync',
      attributes: { keyId: key.keyId },
    }
    expect(await auth.authenticate(bearer(token))).toEqual(expected)
    expect(await auth.authenticate(context({ 'x-api-key': token }))).toEqual(expected)
    expect(await auth.authenticate(context({ authorization: `bearer   ${token} ` }))).toEqual(
      expected,
    )
  })

  it('leaves requests without an API key to the next authenticator', async () => {
    const { auth } = setup()
    expect(await auth.authenticate(context({}))).toBeUndefined()
    expect(await auth.authenticate(bearer('eyJhbGciOiJIUzI1NiJ9.e30.sig'))).toBeUndefined()
    expect(
      await auth.authenticate(context({ authorization: 'Basic dXNlcjpwdw==' })),
    ).toBeUndefined()
  })

  it.each([
    ['a malformed bearer key', { authorization: 'Bearer tsk_short' }, /malformed API key/],
    ['a malformed x-api-key', { 'x-api-key': 'not-a-key' }, /malformed API key/],
    [
      'an unknown key',
      { authorization: `Bearer tsk_0123456789abcdef_${'A'.repeat(43)}` },
      /unknown API key/,
    ],
  ])('refuses %s with UnauthenticatedError', async (_case, headers, message) => {
    const { auth } = setup()
    const refused = auth.authenticate(context(headers))
    await expect(refused).rejects.toMatchObject({
      code: 'unauthenticated',
      wwwAuthenticate: 'Bearer realm="tessera", error="invalid_token"',
    })
    await expect(refused).rejects.toThrow(message)
  })

  it('refuses a known key id with a wrong secret as unknown', async () => {
    const { keys, auth } = setup()
    const { token } = await keys.create({ principalId: 'u', name: 'n', roles: [] })
    const last = token.at(-1) === 'A' ? 'B' : 'A'
    await expect(auth.authenticate(bearer(token.slice(0, -1) + last))).rejects.toThrow(
      /unknown API key/,
    )
  })

  it('refuses a revoked key and an expired key', async () => {
    const { keys, auth, clock } = setup()
    const revoked = await keys.create({ principalId: 'u', name: 'n', roles: [] })
    await keys.revoke(revoked.key.keyId)
    await expect(auth.authenticate(bearer(revoked.token))).rejects.toMatchObject({
      code: 'unauthenticated',
      message: `Authentication failed: API key "${revoked.key.keyId}" was revoked`,
    })
    const expiring = await keys.create({
      principalId: 'u',
      name: 'n',
      roles: [],
      expiresAt: clock.time + 1000,
    })
    expect(await auth.authenticate(bearer(expiring.token))).toMatchObject({ id: 'u' })
    clock.time += 1000
    await expect(auth.authenticate(bearer(expiring.token))).rejects.toThrow(
      `API key "${expiring.key.keyId}" expired at ${new Date(clock.time).toISOString()}`,
    )
  })

  it('writes lastUsedAt at most once a minute', async () => {
    const { store, keys, auth, clock } = setup()
    const { token, key } = await keys.create({ principalId: 'u', name: 'n', roles: [] })
    const read = () => store.getRecord!({ collection: apiKeysCollection, key: key.keyId })
    const start = clock.time
    await auth.authenticate(bearer(token))
    expect((await keys.get(key.keyId))!.lastUsedAt).toBe(start)
    const revision = (await read())!.revision
    clock.time += 59_999
    await auth.authenticate(bearer(token))
    await auth.authenticate(bearer(token))
    expect((await read())!.revision).toBe(revision)
    clock.time += 1
    await auth.authenticate(bearer(token))
    expect((await read())!.revision).toBe(revision + 1)
    expect((await keys.get(key.keyId))!.lastUsedAt).toBe(start + 60_000)
  })

  it('a revoke racing a lastUsedAt write is never lost', async () => {
    const { keys, auth, clock } = setup()
    const { token, key } = await keys.create({ principalId: 'u', name: 'n', roles: [] })
    clock.time += 120_000
    await Promise.allSettled([auth.authenticate(bearer(token)), keys.revoke(key.keyId)])
    expect((await keys.get(key.keyId))!.revokedAt).toBeDefined()
    await expect(auth.authenticate(bearer(token))).rejects.toThrow(/was revoked/)
  })

  it('reads the bare token from a custom header', async () => {
    const { store, keys, clock } = setup()
    const auth = apiKeyAuth({ store, clock, header: 'X-Tessera-Key' })
    const { token } = await keys.create({ principalId: 'u', name: 'n', roles: [] })
    expect(await auth.authenticate(context({ 'x-tessera-key': token }))).toMatchObject({ id: 'u' })
    expect(await auth.authenticate(bearer(token))).toBeUndefined()
  })
})

describe('damaged key records', () => {
  it('are the store’s fault (StoreError), not the caller’s', async () => {
    const { store, keys, auth } = setup()
    const { token, key } = await keys.create({ principalId: 'u', name: 'n', roles: [] })
    await store.putRecord!({
      collection: apiKeysCollection,
      key: key.keyId,
      value: { keyId: key.keyId },
      now: 0,
    })
    await expect(auth.authenticate(bearer(token))).rejects.toMatchObject({
      code: 'store_error',
      message: `[memory] record api-keys/${key.keyId} is not an API key ({ keyId, hash, principalId, name, roles, createdAt, … })`,
    })
    await expect(keys.list()).rejects.toMatchObject({ code: 'store_error' })
  })
})
