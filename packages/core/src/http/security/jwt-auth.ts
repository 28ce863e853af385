import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWSAlgorithm,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose'
import { InvalidArgumentError } from '../../errors/invalid-argument-error'
import { AuthUnavailableError } from '../../errors/auth-unavailable-error'
import { UnauthenticatedError } from '../../errors/unauthenticated-error'
import { parseDuration, type Duration } from '../../runtime/duration'
import { requestHeader } from '../raw-request'
import type { Authenticator, Permission, Principal } from '../types'

/** Settings of {@link jwtAuth}. Exactly one of `jwks` and `secret`. */
export interface JwtAuthOptions {
  /**
   * The issuer's public keys: its JWKS URL (fetched, cached, refetched when a token names an
   * unknown `kid`), a JWK set, or a `jose` key function.
   */
  jwks?: URL | string | JSONWebKeySet | JWTVerifyGetKey
  /** A shared secret for HMAC tokens (`HS256`…), instead of `jwks`. */
  secret?: string | Uint8Array
  /** Accepted `iss` value(s). */
  issuer: string | readonly string[]
  /** Accepted `aud` value(s): the token must name one. */
  audience: string | readonly string[]
  /**
   * Accepted `alg` values. Default: the asymmetric ones (RS*, PS*, ES*, EdDSA) with `jwks`,
   * HS256/384/512 with `secret`; `none` never.
   */
  algorithms?: readonly JWSAlgorithm[]
  /** Claim with the role names (array or space-separated string; dot path for nested claims such as `realm_access.roles`). Default `roles`. */
  rolesClaim?: string
  /** Claim with the scopes, which limit the roles' permissions (OAuth `scope` string or array). Default `scope`. */
  scopeClaim?: string
  /** The principal id from the claims; default `sub`. */
  principalId?: (claims: JWTPayload) => string | undefined
  /** Leeway for `exp`/`nbf`/`iat`. Default 0. */
  clockTolerance?: Duration
  /** Remote JWKS caching: refetch at most every `cooldown` (30 s) on an unknown `kid`, and once `maxAge` (10 min) has passed; give up a fetch after `timeout` (5 s). */
  jwksCache?: { cooldown?: Duration; maxAge?: Duration; timeout?: Duration }
  /** Epoch ms now, for `exp`/`nbf` checks; `Date.now` by default. */
  clock?: { now(): number }
  /** The authenticator's name and the principal's `method`. Default `jwt`. */
  name?: string
}

const asymmetric: readonly JWSAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]
const symmetric: readonly JWSAlgorithm[] = ['HS256', 'HS384', 'HS512']
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** JOSE errors that mean "this token is not acceptable", as opposed to "the keys are unreachable". */
const tokenErrorCodes = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWK_INVALID',
])

/**
 * Authenticates `Authorization: Bearer <JWT>` with `jose`: the signature against the JWKS (or
 * secret), `iss`, `aud`, `exp`/`nbf` and the algorithm allow-list. A request without a bearer
 * JWT resolves to `undefined` (an API key is left for `apiKeyAuth`); a token that fails any check
 * throws `UnauthenticatedError`. An unreachable JWKS endpoint is not the caller's fault: it
 * throws `AuthUnavailableError` (a 503, so the client retries; the cause is logged). The principal: `sub` (or `principalId`), the
 * roles and scopes from their claims, `name` from `name`/`preferred_username`, the claims as
 * `attributes`.
 *
 * @example
 * ```ts
 * const auth = jwtAuth({
 *   jwks: new URL('https://login.example.com/.well-known/jwks.json'),
 *   issuer: 'https://login.example.com/',
 *   audience: 'tessera',
 *   rolesClaim: 'realm_access.roles',
 * })
 * ```
 */
export function jwtAuth(options: JwtAuthOptions): Authenticator {
  const fn = 'jwtAuth'
  const fail = (argument: string, expected: string, received: unknown): never => {
    throw new InvalidArgumentError({ fn, argument, expected, received })
  }
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options)
  if ((options.jwks === undefined) === (options.secret === undefined)) {
    fail('options', 'exactly one of `jwks` and `secret`', options.jwks ?? options.secret)
  }
  const strings = (value: unknown) =>
    (typeof value === 'string' && value !== '') ||
    (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'))
  if (!strings(options.issuer)) fail('issuer', 'a string or an array of strings', options.issuer)
  if (!strings(options.audience)) {
    fail('audience', 'a string or an array of strings', options.audience)
  }
  const algorithms = [
    ...(options.algorithms ?? (options.secret === undefined ? asymmetric : symmetric)),
  ]
  if (algorithms.length === 0 || algorithms.some((alg) => (alg as string) === 'none')) {
    fail('algorithms', 'a non-empty list of JWS algorithms, without "none"', options.algorithms)
  }
  const key = keyOf(options)
  const clockTolerance = parseDuration(options.clockTolerance ?? 0, 'jwtAuth.clockTolerance') / 1000
  const rolesClaim = options.rolesClaim ?? 'roles'
  const scopeClaim = options.scopeClaim ?? 'scope'
  const name = options.name ?? 'jwt'
  const issuer = typeof options.issuer === 'string' ? options.issuer : [...options.issuer]
  const audience = typeof options.audience === 'string' ? options.audience : [...options.audience]

  return {
    name,
    async authenticate(context): Promise<Principal | undefined> {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(requestHeader(context, 'authorization') ?? '')
      const token = bearer?.[1]
      if (token === undefined || !compactJws.test(token)) return undefined
      let claims: JWTPayload
      try {
        const verifyOptions = {
          issuer,
          audience,
          algorithms,
          clockTolerance,
          ...(options.clock ? { currentDate: new Date(options.clock.now()) } : {}),
        }
        // Two calls, one per overload of jwtVerify (a key function, or a key).
        const result =
          typeof key === 'function'
            ? await jwtVerify(token, key, verifyOptions)
            : await jwtVerify(token, key, verifyOptions)
        claims = result.payload
      } catch (error) {
        if (error instanceof joseErrors.JOSEError && tokenErrorCodes.has(error.code)) {
          throw new UnauthenticatedError({
            reason: `the bearer token was refused (${error.message})`,
            error: 'invalid_token',
            cause: error,
          })
        }
        // Not the token: the keys could not be had (the JWKS endpoint is down, slow, or
        // serves no key set). The caller may retry; its credentials are not at fault.
        throw new AuthUnavailableError({
          authenticator: 'jwt',
          reason: `the signing keys could not be read (${error instanceof Error ? error.message : String(error)})`,
          cause: error,
        })
      }
      const id = options.principalId ? options.principalId(claims) : claims.sub
      if (typeof id !== 'string' || id === '') {
        throw new UnauthenticatedError({
          reason: 'the bearer token names no principal (no "sub" claim)',
          error: 'invalid_token',
        })
      }
      const roles = listClaim(claimAt(claims, rolesClaim)) ?? []
      const scopes = listClaim(claimAt(claims, scopeClaim))
      const display = typeof claims.name === 'string' ? claims.name : claims.preferred_username
      return {
        id,
        method: name,
        roles,
        ...(scopes === undefined ? {} : { scopes: scopes as Permission[] }),
        ...(typeof display === 'string' ? { name: display } : {}),
        attributes: claims,
      }
    },
  }
}

function keyOf(options: JwtAuthOptions): JWTVerifyGetKey | Uint8Array {
  if (options.secret !== undefined) {
    const secret =
      typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret
    if (!(secret instanceof Uint8Array) || secret.length < 32) {
      throw new InvalidArgumentError({
        fn: 'jwtAuth',
        argument: 'secret',
        expected: 'at least 32 bytes (a string or a Uint8Array)',
        received: options.secret,
      })
    }
    return secret
  }
  const jwks = options.jwks
  if (typeof jwks === 'function') return jwks
  if (typeof jwks === 'string' || jwks instanceof URL) {
    const url = typeof jwks === 'string' ? new URL(jwks) : jwks
    const cache = options.jwksCache ?? {}
    const ms = (value: Duration | undefined, argument: string) =>
      value === undefined
        ? undefined
        : Math.round(parseDuration(value, `jwtAuth.jwksCache.${argument}`))
    const cooldown = ms(cache.cooldown, 'cooldown')
    const maxAge = ms(cache.maxAge, 'maxAge')
    const timeout = ms(cache.timeout, 'timeout')
    return createRemoteJWKSet(url, {
      ...(cooldown === undefined ? {} : { cooldownDuration: cooldown }),
      ...(maxAge === undefined ? {} : { cacheMaxAge: maxAge }),
      ...(timeout === undefined ? {} : { timeoutDuration: timeout }),
    })
  }
  if (typeof jwks === 'object' && jwks !== null && Array.isArray(jwks.keys)) {
    return createLocalJWKSet(jwks)
  }
  throw new InvalidArgumentError({
    fn: 'jwtAuth',
    argument: 'jwks',
    expected: 'a JWKS URL, a JWK set ({ keys: [...] }) or a jose key function',
    received: jwks,
  })
}

function claimAt(claims: JWTPayload, path: string): unknown {
  let value: unknown = claims
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) {
      // A claim whose name itself has dots (`https://example.com/roles`) is looked up whole.
      return Object.hasOwn(claims, path) ? claims[path] : undefined
    }
    value = (value as Record<string, unknown>)[segment]
  }
  return value
}

function listClaim(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.split(/\s+/).filter((item) => item !== '')
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string')
  return undefined
}
