import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createEngine, createMemoryStore, type Logger } from '../../index'
import { createHttpHandler } from '../create-http-handler'
import type { RequestContext } from '../types'
import { jwtAuth } from './jwt-auth'

const issuer = 'https://login.test/'
const audience = 'tessera'

const context = (token: string | undefined): RequestContext => ({
  request: new Request('http://localhost/runs', {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  }),
  routeId: 'runs.list',
  requestId: 'req-1',
})

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>
interface SigningKey {
  kid: string
  alg: 'RS256' | 'ES256'
  pair: KeyPair
  jwk: JWK
}
async function signingKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<SigningKey> {
  const pair = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, pair, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' } }
}

function sign(
  key: SigningKey,
  claims: JWTPayload,
  options: { exp?: string | number; iss?: string; aud?: string } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setIssuer(options.iss ?? issuer)
    .setAudience(options.aud ?? audience)
    .setSubject('user:ann')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m')
    .sign(key.pair.privateKey)
}

// A real JWKS endpoint: what it serves can change (key rotation), and it counts its requests.
let server: Server
let jwksUrl: URL
let served: JWK[] = []
let fetches = 0
let first: SigningKey
let second: SigningKey

beforeAll(async () => {
  first = await signingKey('key-1')
  second = await signingKey('key-2', 'ES256')
  server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks.json') {
      response.writeHead(404).end()
      return
    }
    fetches++
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ keys: served }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  jwksUrl = new URL(
    `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
  )
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => {
  served = [first.jwk]
  fetches = 0
})

describe('jwtAuth against a JWKS endpoint', () => {
  it('turns a valid token into a principal: sub, roles, scope, name, claims', async () => {
    const auth = jwtAuth({ jwks: jwksUrl, issuer, audience })
    const token = await sign(first, {
      roles: ['operator', 'approver'],
      scope: 'run:read run:approve',
      name: 'Ann',
    })
    const principal = await auth.authenticate(context(token))
    expect(principal).toMatchObject({
      id: 'user:ann',
      method: 'jwt',
      roles: ['operator', 'approver'],
      scopes: ['run:read', 'run:approve'],
      name: 'Ann',
      attributes: { iss: issuer, aud: audience, sub: 'user:ann' },
    })
    expect(fetches).toBe(1)
  })

  it('reads nested and array claims, and a custom principal id', async () => {
    const auth = jwtAuth({
      jwks: jwksUrl.href,
      issuer,
      audience: ['other', audience],
      rolesClaim: 'realm_access.roles',
      scopeClaim: 'scp',
      principalId: (claims) =>
        typeof claims.email === 'string' ? `email:${claims.email}` : undefined,
    })
    const token = await sign(first, {
      realm_access: { roles: ['viewer'] },
      scp: ['run:read'],
      email: 'ann@example.com',
      preferred_username: 'ann',
    })
    expect(await auth.authenticate(context(token))).toMatchObject({
      id: 'email:ann@example.com',
      roles: ['viewer'],
      scopes: ['run:read'],
      name: 'ann',
    })
    // No email claim: no principal id, so no principal.
    await expect(auth.authenticate(context(await sign(first, {})))).rejects.toThrow(
      'the bearer token names no principal',
    )
  }, 10_000)

  it('without a scope claim the principal has no scopes (roles alone decide)', async () => {
    const auth = jwtAuth({ jwks: jwksUrl, issuer, audience })
    const principal = await auth.authenticate(context(await sign(first, { roles: 'admin' })))
    expect(principal).toMatchObject({ roles: ['admin'] })
    expect(principal).not.toHaveProperty('scopes')
  })

  it.each([
    ['a wrong issuer', () => sign(first, {}, { iss: 'https://evil.test/' }), /"iss" claim/],
    ['a wrong audience', () => sign(first, {}, { aud: 'someone-else' }), /"aud" claim/],
    [
      'an expired token',
      () => sign(first, {}, { exp: Math.floor(Date.now() / 1000) - 60 }),
      /"exp" claim/,
    ],
    [
      'a bad signature',
      async () => (await sign(first, {})).slice(0, -4) + 'AAAA',
      /signature verification failed/,
    ],
    [
      'an unknown key',
      async () => sign(await signingKey('key-x', 'ES256'), {}),
      /no applicable key found/,
    ],
  ])('refuses %s with UnauthenticatedError', async (_case, make, message) => {
    const auth = jwtAuth({ jwks: jwksUrl, issuer, audience })
    const refused = auth.authenticate(context(await make()))
    await expect(refused).rejects.toMatchObject({
      code: 'unauthenticated',
      wwwAuthenticate: 'Bearer realm="tessera", error="invalid_token"',
    })
    await expect(refused).rejects.toThrow(message)
  })

  it('refuses an algorithm outside the allow-list', async () => {
    served = [first.jwk, second.jwk]
    const auth = jwtAuth({ jwks: jwksUrl, issuer, audience, algorithms: ['RS256'] })
    expect(await auth.authenticate(context(await sign(first, {})))).toMatchObject({
      id: 'user:ann',
    })
    await expect(auth.authenticate(context(await sign(second, {})))).rejects.toThrow(
      /"alg" \(Algorithm\) Header Parameter value not allowed/,
    )
  })

  it('honours clockTolerance and an injected clock', async () => {
    const expired = await sign(first, {}, { exp: Math.floor(Date.now() / 1000) - 30 })
    const lenient = jwtAuth({ jwks: jwksUrl, issuer, audience, clockTolerance: '1m' })
    expect(await lenient.authenticate(context(expired))).toMatchObject({ id: 'user:ann' })
    const later = jwtAuth({
      jwks: jwksUrl,
      issuer,
      audience,
      clock: { now: () => Date.now() + 10 * 60_000 },
    })
    await expect(later.authenticate(context(await sign(first, {})))).rejects.toThrow(/"exp" claim/)
  })

  it('rotates keys: a token with an unknown kid refetches the JWKS (after the cooldown)', async () => {
    const auth = jwtAuth({ jwks: jwksUrl, issuer, audience, jwksCache: { cooldown: 0 } })
    expect(await auth.authenticate(context(await sign(first, {})))).toMatchObject({
      id: 'user:ann',
    })
    expect(fetches).toBe(1)
    // The issuer rotates: key-2 is published and key-1 withdrawn.
    served = [second.jwk]
    const rotated = await sign(second, { roles: ['viewer'] })
    expect(await auth.authenticate(context(rotated))).toMatchObject({ roles: ['viewer'] })
    expect(fetches).toBe(2)
    // key-1 is still in nobody's set now: refused after one more fetch.
    await expect(auth.authenticate(context(await sign(first, {})))).rejects.toThrow(
      /no applicable key/,
    )
    expect(fetches).toBe(3)

    const cooling = jwtAuth({ jwks: jwksUrl, issuer, audience, jwksCache: { cooldown: '1m' } })
    served = [first.jwk]
    fetches = 0
    await cooling.authenticate(context(await sign(first, {})))
    served = [first.jwk, second.jwk]
    await expect(cooling.authenticate(context(rotated))).rejects.toThrow(/no applicable key/)
    expect(fetches).toBe(1) // within the cooldown: no refetch, so a flood of bad kids cannot hammer the issuer
  })

  it('leaves requests without a bearer JWT to the next authenticator', async () => {
    const auth = jwtAuth({ jwks: jwksUrl, issuer, audience })
    expect(await auth.authenticate(context(undefined))).toBeUndefined()
    expect(
      await auth.authenticate(context(`tsk_0123456789abcdef_${'A'.repeat(43)}`)),
    ).toBeUndefined()
    expect(fetches).toBe(0)
  })

  it('an unreachable JWKS endpoint is a 503 to retry, not a 401, and the cause is logged', async () => {
    const auth = jwtAuth({ jwks: new URL('/missing', jwksUrl), issuer, audience })
    const failed = auth.authenticate(context(await sign(first, {})))
    await expect(failed).rejects.toMatchObject({
      code: 'auth_unavailable',
      authenticator: 'jwt',
      message: expect.stringMatching(/jwt: credentials cannot be checked now/),
    })
    // Through the handler: 503 with only the code; the server log has the cause and the id.
    const logged: { message: string; fields: Record<string, any> | undefined }[] = []
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (message, fields) => logged.push({ message, fields }),
      child: () => logger,
    }
    const engine = createEngine({ store: createMemoryStore() })
    const handler = createHttpHandler(engine, { auth: [auth], logger })
    const answer = await handler.handle({
      method: 'GET',
      url: '/runs',
      headers: { authorization: `Bearer ${await sign(first, {})}`, 'x-request-id': 'req-jwks' },
    })
    expect(answer.status).toBe(503)
    const problem = JSON.parse(answer.body as string) as Record<string, unknown>
    expect(problem).toMatchObject({ code: 'auth_unavailable', requestId: 'req-jwks' })
    expect(JSON.stringify(problem)).not.toMatch(/127\.0\.0\.1|missing/)
    // Unauthenticated callers are told nothing else either way.
    expect(answer.headers['www-authenticate']).toBeUndefined()
    expect(logged).toEqual([
      {
        message: 'request failed',
        fields: expect.objectContaining({
          requestId: 'req-jwks',
          route: 'runs.list',
          status: 503,
          error: expect.objectContaining({ code: 'auth_unavailable' }),
        }),
      },
    ])
    await engine.close()
  })
})

describe('jwtAuth with a secret or a local JWK set', () => {
  const secret = 'a-shared-secret-of-at-least-32-bytes!'

  it('verifies HS256 tokens and refuses RS256 ones (no algorithm confusion)', async () => {
    const auth = jwtAuth({ secret, issuer, audience })
    const token = await new SignJWT({ roles: ['viewer'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('svc')
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(secret))
    expect(await auth.authenticate(context(token))).toMatchObject({ id: 'svc', roles: ['viewer'] })
    await expect(auth.authenticate(context(await sign(first, {})))).rejects.toMatchObject({
      code: 'unauthenticated',
    })
  })

  it('verifies against a local JWK set', async () => {
    const auth = jwtAuth({ jwks: { keys: [first.jwk] }, issuer, audience })
    expect(await auth.authenticate(context(await sign(first, {})))).toMatchObject({
      id: 'user:ann',
    })
  })

  it.each([
    [{ issuer, audience }, 'options'],
    [{ secret: 'x'.repeat(32), jwks: { keys: [] }, issuer, audience }, 'options'],
    [{ secret: 'short', issuer, audience }, 'secret'],
    [{ jwks: 42, issuer, audience }, 'jwks'],
    [{ secret: 'x'.repeat(32), issuer: '', audience }, 'issuer'],
    [{ secret: 'x'.repeat(32), issuer, audience: [] }, 'audience'],
    [{ secret: 'x'.repeat(32), issuer, audience, algorithms: ['none'] }, 'algorithms'],
    [
      { secret: 'x'.repeat(32), issuer, audience, clockTolerance: 'soon' },
      'jwtAuth.clockTolerance',
    ],
  ])('refuses bad options %#, naming %s', (options, argument) => {
    expect(() => jwtAuth(options as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument', argument }),
    )
  })
})
