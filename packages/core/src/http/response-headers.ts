import type { HttpHandlerOptions } from './http-handler-options'

/**
 * @internal The headers of every answer by default: what the OWASP REST Security Cheat Sheet
 * asks of every API response (a CSP that loads nothing and allows no framing, HSTS, no MIME
 * sniffing, no framing for older browsers, and no caching, see {@link defaultCacheControl}).
 * Headers that only matter to HTML documents (`Referrer-Policy`, `Permissions-Policy`,
 * `X-XSS-Protection`, `Cross-Origin-*`, …) are not sent: the API serves JSON and event streams,
 * and JSON with `nosniff` is never handed to a cross-origin page (Opaque Response Blocking).
 * A host changes the set with `responseHeaders`.
 */
export const securityHeaders: readonly (readonly [string, string])[] = [
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ['strict-transport-security', 'max-age=15552000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
]

/**
 * @internal Headers sent only in answers to secure (HTTPS) requests: RFC 6797 §7.2 says an HSTS
 * host must not send `Strict-Transport-Security` over plain HTTP (where an attacker could
 * forge or strip it anyway).
 */
const secureOnlyHeaders = new Set(['strict-transport-security'])

/**
 * @internal The `Cache-Control` of an answer whose route sets none: run data, definitions and
 * keys must not be kept by a browser or a shared cache.
 */
export const defaultCacheControl = 'no-store'

/** @internal The headers every answer gets, compiled once from `responseHeaders`. */
export interface ResponseHeaderPolicy {
  /** Set on every answer (over what the route set). */
  readonly always: readonly (readonly [string, string])[]
  /** Set, in addition, on every answer to a secure (HTTPS) request. */
  readonly secure: readonly (readonly [string, string])[]
  /** `Cache-Control` of an answer whose route set none (`undefined`: none). */
  readonly cacheControl: string | undefined
}

/** @internal The headers of every answer: the defaults with the host's changes. */
export function responseHeaderPolicy(
  overrides: Readonly<Record<string, string | false>> = {},
): ResponseHeaderPolicy {
  const always = new Map<string, string>(securityHeaders)
  let cacheControl: string | undefined = defaultCacheControl
  for (const [given, value] of Object.entries(overrides)) {
    const name = given.toLowerCase()
    if (name === 'cache-control') cacheControl = value === false ? undefined : value
    else if (value === false) always.delete(name)
    else always.set(name, value)
  }
  const all = [...always]
  return {
    always: all.filter(([name]) => !secureOnlyHeaders.has(name)),
    secure: all.filter(([name]) => secureOnlyHeaders.has(name)),
    cacheControl,
  }
}

const allowMethods = 'GET,POST,PUT,DELETE'
const allowHeaders =
  'authorization,content-type,idempotency-key,last-event-id,x-api-key,x-request-id'
const exposeHeaders = 'x-request-id,location,retry-after'

/** @internal The CORS headers of the handler's `cors` option. */
export interface CorsPolicy {
  /** Headers of an answer to `origin` (the request's `Origin`, `''` when absent). */
  apply(headers: Record<string, string | string[]>, origin: string): void
  /** Headers of the answer to a preflight (`OPTIONS`) from `origin`. */
  preflight(origin: string): Record<string, string | string[]>
}

/** @internal The CORS policy of `cors` (see {@link HttpHandlerOptions.cors}). */
export function corsPolicy(cors: NonNullable<HttpHandlerOptions['cors']>): CorsPolicy | undefined {
  if (cors === false) return undefined
  const { origin, credentials = false } = cors
  const maxAge = String(cors.maxAge ?? 600)
  const allowed: (value: string) => string | undefined =
    typeof origin === 'function'
      ? (value) => (origin(value) ? value : undefined)
      : typeof origin === 'string'
        ? origin === '*'
          ? () => '*'
          : (value) => (value === origin ? value : undefined)
        : (value) => ((origin as readonly string[]).includes(value) ? value : undefined)
  const varies = origin !== '*'
  const common = (headers: Record<string, string | string[]>, value: string) => {
    const allow = allowed(value)
    if (allow) headers['access-control-allow-origin'] = allow
    if (credentials) headers['access-control-allow-credentials'] = 'true'
    headers['access-control-expose-headers'] = exposeHeaders
  }
  return {
    apply(headers, value) {
      common(headers, value)
      if (varies) {
        const vary = headers.vary
        headers.vary = vary === undefined ? 'Origin' : `${String(vary)}, Origin`
      }
    },
    preflight(value) {
      const headers: Record<string, string | string[]> = {}
      common(headers, value)
      headers['access-control-max-age'] = maxAge
      headers['access-control-allow-methods'] = allowMethods
      headers['access-control-allow-headers'] = allowHeaders
      headers.vary = varies
        ? 'Origin, Access-Control-Request-Headers'
        : 'Access-Control-Request-Headers'
      return headers
    },
  }
}
