import { Hono, type Context } from 'hono'
import { cors } from 'hono/cors'
import { methodNotAllowed } from 'hono/method-not-allowed'
import { secureHeaders } from 'hono/secure-headers'
import { limitBody } from './body-limit'
import { ForbiddenError } from '../errors/forbidden-error'
import { TesseraError } from '../errors/tessera-error'
import { UnauthenticatedError } from '../errors/unauthenticated-error'
import { systemClock } from '../ports/clock'
import type { Engine } from '../runtime/engine'
import { createDefinitionRepository } from './definition-repository'
import { checkOptions } from './check-handler-options'
import type { HttpHandlerOptions } from './http-handler-options'
import { createOpenApiDocument } from './openapi'
import { HttpProblem, problemBody, problemHeaders } from './problem'
import { parse, queryObject, readJson } from './request-input'
import type { RouteContext, RouteDefinition, RouteResult, RouteServices } from './route'
import { apiKeyRoutes } from './routes/api-key-routes'
import { auditRoutes } from './routes/audit-routes'
import { definitionRoutes } from './routes/definition-routes'
import { runRoutes } from './routes/run-routes'
import { systemRoutes } from './routes/system-routes'
import { receiveWebhook } from './routes/webhook-routes'
import { createAccessControl, defaultRoles } from './security/access-control'
import { createApiKeys } from './security/api-keys'
import { createAuditTrail } from './security/audit-trail'
import { createRateLimiter } from './security/rate-limiter'
import type { RoleAccessControl } from './security/access-control'
import type {
  AccessControl,
  AuditEntry,
  Authenticator,
  Principal,
  RequestContext,
  ResourceRef,
} from './types'

/**
 * Every route the handler knows, in the order they are matched and documented. A host's
 * configuration turns some off (definitions, API keys and audit without a records store,
 * webhooks without `webhooks`): `handler.routes` lists those that are on.
 *
 * @example
 * ```ts
 * httpRoutes.map((route) => `${route.method} ${route.path}`) // ['GET /health', …]
 * ```
 */
export const httpRoutes: readonly RouteDefinition[] = [
  ...systemRoutes,
  ...runRoutes,
  ...definitionRoutes,
  receiveWebhook,
  ...auditRoutes,
  ...apiKeyRoutes,
]

/**
 * The Web Fetch handler of the HTTP surface.
 *
 * @example
 * ```ts
 * const handler: HttpHandler = createHttpHandler(engine, { auth })
 * const response = await handler(request, { ip: socket.remoteAddress })
 * ```
 */
export interface HttpHandler {
  /**
   * Answers one request. `info.ip` is the client address as the adapter saw it (used for rate
   * limits of anonymous callers and audit records; `x-forwarded-for` only with `trustProxy`).
   */
  (request: Request, info?: { ip?: string }): Promise<Response>
  /** The routes this handler serves. */
  readonly routes: readonly RouteDefinition[]
  /** The OpenAPI 3.1 document of those routes. */
  openapi(): Record<string, unknown>
}

const anonymousAdmin: Principal = {
  id: 'anonymous',
  method: 'none',
  roles: ['admin'],
  name: 'anonymous',
}
const requestIdPattern = /^[A-Za-z0-9._:-]{1,200}$/

interface Env {
  Bindings: { ip?: string }
  Variables: { requestId: string }
}

/**
 * The HTTP API of an engine as one Web Fetch function, `(request) => Promise<Response>`: start,
 * list, inspect, cancel, retry, approve and stream runs, send events, edit and publish workflow
 * definitions, receive signed webhooks, read the audit trail. One route table drives routing,
 * validation (400 problem details naming each field), authentication (401), authorisation
 * (403), auditing and the OpenAPI document. Adapters (`@tessera/express`, `@tessera/fastify`,
 * the `tessera serve` sidecar) only translate requests and responses. See docs/http.md.
 *
 * @example
 * ```ts
 * import { apiKeyAuth, createHttpHandler } from '@tessera/core/http'
 *
 * const handler = createHttpHandler(engine, { auth: [apiKeyAuth({ store: engine.store })] })
 * const response = await handler(new Request('http://localhost/runs', {
 *   method: 'POST',
 *   headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
 *   body: JSON.stringify({ workflowId: 'order-review', input: { orderId: 'A1' } }),
 * }))
 * response.status // 201
 * ```
 */
export function createHttpHandler(engine: Engine, options: HttpHandlerOptions): HttpHandler {
  checkOptions(engine, options)
  const clock = options.clock ?? systemClock
  const now = () => clock.now()
  const basePath = options.basePath ?? ''
  const hasRecords = engine.store.capabilities.records === true
  const access = options.access ?? createAccessControl({ roles: defaultRoles })
  const audit =
    options.audit === false
      ? undefined
      : (options.audit ??
        (hasRecords ? createAuditTrail({ store: engine.store, clock }) : undefined))
  const authenticators: readonly Authenticator[] | 'none-insecure' =
    options.auth === 'none-insecure'
      ? 'none-insecure'
      : Array.isArray(options.auth)
        ? (options.auth as readonly Authenticator[])
        : [options.auth as Authenticator]
  const publicRoutes = new Set<string>(options.publicRoutes ?? ['health', 'ready'])
  const limiter = options.rateLimit
    ? createRateLimiter({ requests: options.rateLimit.requests, per: options.rateLimit.per, clock })
    : undefined
  let document: Record<string, unknown> | undefined
  const services: RouteServices = {
    engine,
    access,
    audit,
    definitions: hasRecords ? createDefinitionRepository(engine.store, now) : undefined,
    apiKeys: hasRecords ? createApiKeys(engine.store, { clock }) : undefined,
    options,
    now,
    openapi: () => (document ??= openapiDocument()),
  }
  const routes = httpRoutes.filter((route) => route.enabled?.(services) ?? true)
  const isPublic = (route: RouteDefinition) =>
    route.publicable === true && publicRoutes.has(route.id)
  const openapiDocument = () =>
    createOpenApiDocument(routes, {
      ...options.openapi,
      basePath,
      isPublic,
      rateLimited: limiter !== undefined,
    })

  const app = new Hono<Env>()
  app.use('*', async (c, next) => {
    const given = c.req.header('x-request-id')
    c.set(
      'requestId',
      given !== undefined && requestIdPattern.test(given) ? given : globalThis.crypto.randomUUID(),
    )
    await next()
    c.res.headers.set('x-request-id', c.get('requestId'))
  })
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      crossOriginResourcePolicy: 'same-origin',
      xFrameOptions: 'DENY',
    }),
  )
  if (options.cors) {
    const { origin, credentials, maxAge } = options.cors
    app.use(
      '*',
      cors({
        origin:
          typeof origin === 'function'
            ? (value: string) => (origin(value) ? value : null)
            : (origin as string | string[]),
        credentials: credentials ?? false,
        maxAge: maxAge ?? 600,
        allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
        allowHeaders: [
          'authorization',
          'content-type',
          'idempotency-key',
          'last-event-id',
          'x-api-key',
          'x-request-id',
        ],
        exposeHeaders: ['x-request-id', 'location', 'retry-after'],
      }),
    )
  }
  app.use(
    '*',
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        problem(
          c,
          new HttpProblem(
            405,
            'method_not_allowed',
            `${c.req.method} is not allowed on ${c.req.path}; allowed: ${methods.join(', ')}`,
            undefined,
            { allow: methods.join(', ') },
          ),
        ),
    }),
  )
  const maxBodyBytes = options.limits?.bodyBytes ?? 1024 * 1024
  app.use(
    '*',
    limitBody(maxBodyBytes, async (c) =>
      problem(
        c,
        new HttpProblem(
          413,
          'payload_too_large',
          `The request body is larger than ${maxBodyBytes} bytes`,
        ),
      ),
    ),
  )
  app.notFound((c) =>
    problem(c, new HttpProblem(404, 'not_found', `No route ${c.req.method} ${c.req.path}`)),
  )
  app.onError((error, c) => problem(c, error))

  const api = basePath === '' ? app : app.basePath(basePath)
  for (const route of routes) {
    api.on(route.method, route.path.replace(/\{([^}]+)\}/g, ':$1'), (c) => dispatch(route, c))
  }

  async function authenticate(context: RequestContext): Promise<Principal> {
    if (authenticators === 'none-insecure') return anonymousAdmin
    for (const authenticator of authenticators) {
      const principal = await authenticator.authenticate(context)
      if (principal) return principal
    }
    throw new UnauthenticatedError({ reason: 'the request carries no credentials' })
  }

  async function dispatch(route: RouteDefinition, c: Context<Env>): Promise<Response> {
    const request = c.req.raw
    const requestId = c.get('requestId')
    const ip = clientIp(request, c.env?.ip, options.trustProxy === true)
    const open = isPublic(route)
    const protectedRoute = !open && typeof route.permission === 'string'
    let principal: Principal | undefined
    let context: RouteContext | undefined
    let resource: ResourceRef | undefined
    try {
      let refused: unknown
      if (protectedRoute) {
        try {
          principal = await authenticate({
            request,
            routeId: route.id,
            requestId,
            ...(ip !== undefined ? { ip } : {}),
          })
        } catch (error) {
          refused = error
        }
      }
      if (limiter) {
        limiter.check(principal ? `principal:${principal.id}` : `ip:${ip ?? 'unknown'}`)
      }
      if (refused !== undefined) throw refused
      const url = new URL(request.url)
      const params = parse(route.params, c.req.param(), 'params')
      const query = parse(route.query, queryObject(url.searchParams), 'query')
      const body = route.body ? parse(route.body, await readJson(request), 'body') : undefined
      context = { params, query, body, request, principal, requestId, ip, services }
      if (protectedRoute) {
        resource = await route.resource?.(context)
        const permission = route.permission as string
        const allowed = resource
          ? access.can(principal!, permission, resource)
          : // A listing filters item by item; it is refused only to those who may see none.
            canOnSome(access, principal!, permission)
        if (!allowed) {
          throw new ForbiddenError({
            permission,
            resource: resource ?? { type: route.tag },
            principalId: principal!.id,
          })
        }
      }
      const result = await route.handle(context)
      if (result instanceof Response) return result
      await record(route, context, principal, resource, result)
      return json(result)
    } catch (error) {
      if (route.audit && (principal || !protectedRoute) && context) {
        await record(route, context, principal, resource, undefined, error).catch(() => {
          // The call failed already; its own error is the one to report.
        })
      }
      return problem(c, error)
    }
  }

  async function record(
    route: RouteDefinition,
    context: RouteContext,
    principal: Principal | undefined,
    resource: ResourceRef | undefined,
    result: Exclude<RouteResult, Response> | undefined,
    error?: unknown,
  ): Promise<void> {
    if (!audit || !route.audit) return
    // A refused webhook delivery has no verified signer: its actor is anonymous.
    const actor = result?.audit?.actor ?? principal
    const status = result ? result.status : problemStatus(error)
    const entry: AuditEntry = {
      action: route.audit,
      actor: actor
        ? {
            id: actor.id,
            method: actor.method,
            ...(actor.name !== undefined ? { name: actor.name } : {}),
          }
        : { id: 'anonymous', method: 'none' },
      resource: result?.audit?.resource ?? resource ?? { type: route.tag },
      outcome: {
        ok: result !== undefined,
        status,
        ...(error !== undefined ? { code: errorCode(error) } : {}),
      },
      requestId: context.requestId,
      at: now(),
      ...(context.ip !== undefined ? { ip: context.ip } : {}),
    }
    const userAgent = context.request.headers.get('user-agent')
    if (userAgent) entry.userAgent = userAgent.slice(0, 300)
    const change =
      result?.audit && 'change' in result.audit
        ? result.audit.change
        : route.auditChange
          ? route.auditChange(context)
          : context.body
    if (change !== undefined) entry.change = change
    await audit.append(entry)
  }

  function problem(c: Context<Env>, error: unknown): Response {
    const requestId = c.get('requestId') ?? globalThis.crypto.randomUUID()
    const body = problemBody(error, requestId)
    return new Response(JSON.stringify(body), {
      status: body.status as number,
      headers: { 'content-type': 'application/problem+json', ...problemHeaders(error) },
    })
  }

  const handler = ((request: Request, info?: { ip?: string }) =>
    Promise.resolve(
      app.fetch(request, { ...(info?.ip !== undefined ? { ip: info.ip } : {}) }),
    )) as HttpHandler
  Object.defineProperty(handler, 'routes', { value: routes, enumerable: true })
  Object.defineProperty(handler, 'openapi', { value: () => services.openapi(), enumerable: true })
  return handler
}

function canOnSome(access: AccessControl, principal: Principal, permission: string): boolean {
  const listing = access as Partial<RoleAccessControl>
  return typeof listing.canOnSomeWorkflow === 'function'
    ? listing.canOnSomeWorkflow(principal, permission)
    : true
}

function json(result: Exclude<RouteResult, Response>): Response {
  return new Response(result.body === undefined ? null : JSON.stringify(result.body), {
    status: result.status,
    headers: {
      ...(result.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...result.headers,
    },
  })
}

function problemStatus(error: unknown): number {
  return error instanceof HttpProblem ? error.status : (problemBody(error, '').status as number)
}

function errorCode(error: unknown): string {
  if (error instanceof HttpProblem) return error.code
  return TesseraError.isInstance(error) ? error.code : 'internal'
}

function clientIp(
  request: Request,
  reported: string | undefined,
  trustProxy: boolean,
): string | undefined {
  if (trustProxy) {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim()
    if (forwarded) return forwarded
  }
  return reported
}
