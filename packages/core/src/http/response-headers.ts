import type { HttpHandlerOptions } from './http-handler-options'

/**
 * @internal The security headers of every answer, computed once: a restrictive CSP (the API
 * serves no documents), no framing, no sniffing, no referrer, HSTS, same-origin isolation.
 */
export const securityHeaders: readonly (readonly [string, string])[] = [
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=15552000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'DENY'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
]

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
