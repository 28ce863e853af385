import type { Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { Duration } from '../runtime/duration'
import type { AccessControl, AuditTrail, Authenticator } from './types'

/**
 * An inbound webhook that starts runs of one workflow (see {@link HttpHandlerOptions.webhooks}).
 *
 * @example
 * ```ts
 * const orders: WebhookOptions = { workflowId: 'order-review', secret: process.env.ORDERS_SECRET!, tolerance: '5m' }
 * ```
 */
export interface WebhookOptions {
  /** The workflow each delivery starts. */
  workflowId: string
  /** The shared HMAC secret, or a function that reads it (from a secrets manager). */
  secret: string | (() => Promise<string>)
  /** How far the signature's timestamp may be from now. Default 5 minutes. */
  tolerance?: Duration
  /** Maps the delivery to the run's input. Default: the JSON body. */
  input?: (body: unknown, request: Request) => unknown
  /**
   * Starts the run instead of `engine.start` (given the input and the `x-tessera-delivery` id):
   * what a `webhookTrigger()` from `@tessera/connectors/triggers` provides, so that its runs are
   * keyed and counted by the engine's trigger. Default: `engine.start(workflowId, input)`.
   */
  receive?: (input: unknown, delivery?: string) => Promise<{ runId: string; created: boolean }>
}

/**
 * Options of {@link createHttpHandler}.
 *
 * @example
 * ```ts
 * const options: HttpHandlerOptions = { auth: [apiKeyAuth({ store })], basePath: '/tessera', cors: { origin: 'https://app.example.com' } }
 * ```
 */
export interface HttpHandlerOptions {
  /**
   * Who may call: authenticators asked in order (the first that recognises the credentials
   * wins), one authenticator, or `'none-insecure'` (every caller is an anonymous admin: local
   * development only). Required: there is no default.
   */
  auth: readonly Authenticator[] | Authenticator | 'none-insecure'
  /** Default `createAccessControl({ roles: defaultRoles })`. */
  access?: AccessControl
  /**
   * Where state-changing calls are recorded. Default `createAuditTrail({ store: engine.store })`
   * when the store keeps records; `false` turns auditing off.
   */
  audit?: AuditTrail | false
  /** Routes that need no credentials. Default `['health', 'ready']`. */
  publicRoutes?: readonly ('health' | 'ready' | 'openapi')[]
  /** Prefix of every route (`/api/tessera`). Default `''`. */
  basePath?: string
  limits?: {
    /** Largest request body. Default 1 MiB; larger bodies get 413. */
    bodyBytes?: number
  }
  /** Requests per principal (or per client address when anonymous). Default: no limit. */
  rateLimit?: { requests: number; per: Duration } | false
  /** Cross-origin requests. Default `false`: no CORS headers. */
  cors?:
    | {
        origin: string | readonly string[] | ((origin: string) => boolean)
        credentials?: boolean
        /** `Access-Control-Max-Age` in seconds. Default 600. */
        maxAge?: number
      }
    | false
  /** Inbound webhooks by name (`POST /webhooks/{name}`). */
  webhooks?: Readonly<Record<string, WebhookOptions>>
  /**
   * Headers of every answer, by name: a string adds or replaces one, `false` drops one of the
   * defaults. The defaults are what the OWASP REST Security Cheat Sheet asks of every API
   * response: `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`,
   * `Strict-Transport-Security: max-age=15552000; includeSubDomains` (on answers to secure
   * requests only: RFC 6797 forbids it over plain HTTP; see `HttpRawRequest.secure`),
   * `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, and `Cache-Control: no-store`
   * on answers whose route sets no caching of its own (the event stream sends `no-cache`).
   * `Content-Type`, `Content-Length`, `X-Request-Id` and the CORS headers are the handler's
   * (see `cors`).
   *
   * @example
   * ```ts
   * // Behind a gateway that sets HSTS itself, and with a referrer policy as well:
   * createHttpHandler(engine, { auth, responseHeaders: { 'strict-transport-security': false, 'referrer-policy': 'no-referrer' } })
   * ```
   */
  responseHeaders?: Readonly<Record<string, string | false>>
  /** Take the client address from `x-forwarded-for` (behind a trusted proxy). Default false. */
  trustProxy?: boolean
  openapi?: { title?: string; version?: string; servers?: { url: string; description?: string }[] }
  /** Server-Sent Events of `GET /runs/{runId}/stream`. */
  stream?: {
    /** Comment line sent while nothing happens. Default 15s. */
    heartbeat?: Duration
    /** How often the store is read for runs that execute in other processes. Default 1s. */
    poll?: Duration
  }
  /**
   * Where failures on the server's side (5xx answers, whose body only names the error's code)
   * are logged, with the request id the client got. Default `consoleLogger({ level: 'error' })`;
   * pass `pinoLogger(pino())` or the engine's logger.
   */
  logger?: Logger
  /** Injected clock (tests). Default the system clock. */
  clock?: Clock
}
