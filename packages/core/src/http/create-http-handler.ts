import { ForbiddenError } from '../errors/forbidden-error'
import { TesseraError } from '../errors/tessera-error'
import { UnauthenticatedError } from '../errors/unauthenticated-error'
import { serializeError } from '../errors/error-json'
import { systemClock } from '../ports/clock'
import { consoleLogger } from '../telemetry/console-logger'
import type { Engine } from '../runtime/engine'
import { createDefinitionRepository } from '../definition/definition-repository'
import { checkOptions } from './check-handler-options'
import type { HttpHandlerOptions } from './http-handler-options'
import { createOpenApiDocument } from './openapi'
import { HttpProblem, problemBody, problemHeaders } from './problem'
import {
  RequestBody,
  bodyText,
  rawHeader,
  tooLarge,
  type HttpRawReply,
  type HttpRawRequest,
} from './raw-request'
import { parse, parseJson, queryObject } from './request-input'
import { newRequestId } from './request-id'
import { RequestState } from './request-state'
import { corsPolicy, responseHeaderPolicy } from './response-headers'
import { compileRoutes, requestPath } from './route-table'
import type { RouteDefinition, RouteResult, RouteServices } from './route'
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
 * The handler of the HTTP surface: a Web Fetch function, with `routes`, `openapi()` and the raw
 * entry `handle` for adapters.
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
  /**
   * Answers one request without Fetch objects: the entry for adapters (`@tessera/express`,
   * `@tessera/fastify` and `tessera serve` use it). Same routes, checks and answers as the
   * Fetch entry, which is a thin wrapper over it; a Fetch `Request` is built only if a route
   * or an authenticator reads `context.request`. Never rejects: failures are problem answers.
   * See docs/adapters.md (writing an adapter).
   *
   * @example
   * ```ts
   * const reply = await handler.handle({ method: 'GET', url: '/runs/r1', headers: { authorization: `Bearer ${token}` } })
   * reply.status // 200
   * ```
   */
  handle(raw: HttpRawRequest): Promise<HttpRawReply>
}

const anonymousAdmin: Principal = {
  id: 'anonymous',
  method: 'none',
  roles: ['admin'],
  name: 'anonymous',
}
const requestIdPattern = /^[A-Za-z0-9._:-]{1,200}$/

/**
 * The HTTP API of an engine as one Web Fetch function, `(request) => Promise<Response>`: start,
 * list, inspect, cancel, retry, approve and stream runs, send events, edit and publish workflow
 * definitions, receive signed webhooks, read the audit trail. One route table drives routing,
 * validation (400 problem details naming each field), authentication (401), authorisation
 * (403), auditing and the OpenAPI document. Adapters (`@tessera/express`, `@tessera/fastify`,
 * the `tessera serve` sidecar) only translate requests and responses, through the handler's raw
 * entry `handler.handle` (no Fetch objects; the Fetch entry is a thin wrapper over it). See
 * docs/http.md, and docs/adapters.md for writing an adapter.
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

  const table = compileRoutes(routes, basePath)
  const cors = options.cors ? corsPolicy(options.cors) : undefined
  const headerPolicy = responseHeaderPolicy(options.responseHeaders)
  const logger = options.logger ?? consoleLogger({ level: 'error' })
  const maxBodyBytes = options.limits?.bodyBytes ?? 1024 * 1024
  const trustProxy = options.trustProxy === true

  async function authenticate(context: RequestContext): Promise<Principal> {
    if (authenticators === 'none-insecure') return anonymousAdmin
    for (const authenticator of authenticators) {
      const principal = await authenticator.authenticate(context)
      if (principal) return principal
    }
    throw new UnauthenticatedError({ reason: 'the request carries no credentials' })
  }

  /** The raw entry: request id, CORS, size limit, routing, 404/405, then the route. */
  async function handle(raw: HttpRawRequest, fetchRequest?: Request): Promise<HttpRawReply> {
    const given = rawHeader(raw.headers, 'x-request-id')
    const requestId = given !== undefined && requestIdPattern.test(given) ? given : newRequestId()
    const method = raw.method
    let reply: HttpRawReply
    if (cors !== undefined && method === 'OPTIONS') {
      reply = {
        status: 204,
        statusText: 'No Content',
        headers: cors.preflight(rawHeader(raw.headers, 'origin') ?? ''),
        body: null,
      }
    } else {
      try {
        reply = await route(raw, method, requestId, fetchRequest)
      } catch (error) {
        reply = failed(error, requestId, raw, undefined)
      }
      cors?.apply(reply.headers, rawHeader(raw.headers, 'origin') ?? '')
    }
    if (method === 'HEAD' && reply.body !== null) {
      // HEAD is answered as GET, without the body.
      if (reply.body instanceof ReadableStream) await reply.body.cancel().catch(() => {})
      reply.body = null
    }
    const headers = reply.headers
    const always = headerPolicy.always
    for (let index = 0; index < always.length; index++) {
      const header = always[index]!
      headers[header[0]] = header[1]
    }
    if (headerPolicy.secure.length > 0 && isSecure(raw)) {
      for (const [name, value] of headerPolicy.secure) headers[name] = value
    }
    if (headerPolicy.cacheControl !== undefined && headers['cache-control'] === undefined) {
      headers['cache-control'] = headerPolicy.cacheControl
    }
    // `delete` only when there is one: it turns the object into a slow dictionary.
    if (headers['x-powered-by'] !== undefined) delete headers['x-powered-by']
    headers['x-request-id'] = requestId
    return reply
  }

  /** Whether `raw` came over TLS, as the adapter says, or from its URL or trusted proxy. */
  function isSecure(raw: HttpRawRequest): boolean {
    if (raw.secure === true || raw.url.startsWith('https:')) return true
    if (!trustProxy) return false
    const proto = rawHeader(raw.headers, 'x-forwarded-proto')
    return proto !== undefined && /^\s*https\s*(,|$)/i.test(proto)
  }

  /** The size limit, then the route (not itself async: one promise less per request). */
  function route(
    raw: HttpRawRequest,
    method: string,
    requestId: string,
    fetchRequest: Request | undefined,
  ): Promise<HttpRawReply> {
    const body = new RequestBody(raw, maxBodyBytes)
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
      // The size limit: from Content-Length when the body announces it, else by reading it.
      const length = rawHeader(raw.headers, 'content-length')
      if (length !== undefined && rawHeader(raw.headers, 'transfer-encoding') === undefined) {
        if (Number(length) > maxBodyBytes) throw tooLarge(maxBodyBytes)
      } else {
        return body.check().then(() => routeChecked(raw, method, requestId, fetchRequest, body))
      }
    }
    return routeChecked(raw, method, requestId, fetchRequest, body)
  }

  /** Routing: the route's answer, or a 404/405 problem (thrown). */
  function routeChecked(
    raw: HttpRawRequest,
    method: string,
    requestId: string,
    fetchRequest: Request | undefined,
    body: RequestBody,
  ): Promise<HttpRawReply> {
    const { path, search } = requestPath(raw.url)
    const found = table.match(method, path)
    if (found === undefined) {
      const allowed = table.allowed(path)
      if (allowed.length > 0 && !allowed.includes(method)) {
        throw new HttpProblem(
          405,
          'method_not_allowed',
          `${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
          undefined,
          { allow: allowed.join(', ') },
        )
      }
      throw new HttpProblem(404, 'not_found', `No route ${method} ${path}`)
    }
    return dispatch(found.route, found.params, search, raw, body, requestId, fetchRequest)
  }

  async function dispatch(
    route: RouteDefinition,
    rawParams: Record<string, string>,
    search: string,
    raw: HttpRawRequest,
    requestBody: RequestBody,
    requestId: string,
    fetchRequest: Request | undefined,
  ): Promise<HttpRawReply> {
    // One object is the authenticator's context and then the route's.
    const context = new RequestState(
      raw,
      requestBody,
      requestId,
      route.id,
      services,
      fetchRequest,
      trustProxy,
    )
    const protectedRoute = typeof route.permission === 'string' && !isPublic(route)
    let validated = false
    let resource: ResourceRef | undefined
    try {
      let refused: unknown
      if (protectedRoute) {
        if (authenticators === 'none-insecure') context.principal = anonymousAdmin
        else {
          try {
            context.principal = await authenticate(context)
          } catch (error) {
            refused = error
          }
        }
      }
      if (limiter) {
        const principal = context.principal
        limiter.check(principal ? `principal:${principal.id}` : `ip:${context.ip ?? 'unknown'}`)
      }
      if (refused !== undefined) throw refused
      if (route.params) context.params = parse(route.params, rawParams, 'params')
      if (route.query) {
        context.query = parse(
          route.query,
          search === '' ? {} : queryObject(new URLSearchParams(search)),
          'query',
        )
      }
      if (route.body) {
        context.body = parse(route.body, parseJson(bodyText(await requestBody.read())), 'body')
      }
      validated = true
      if (protectedRoute) {
        if (route.resource) resource = await route.resource(context)
        const permission = route.permission as string
        const principal = context.principal!
        const allowed = resource
          ? access.can(principal, permission, resource)
          : // A listing filters item by item; it is refused only to those who may see none.
            canOnSome(access, principal, permission)
        if (!allowed) {
          throw new ForbiddenError({
            permission,
            resource: resource ?? { type: route.tag },
            principalId: principal.id,
          })
        }
      }
      const result = await route.handle(context)
      if (result instanceof Response) return fromResponse(result)
      if (audit !== undefined && route.audit !== undefined) {
        await record(route, context, resource, result)
      }
      return json(result)
    } catch (error) {
      if (
        audit !== undefined &&
        route.audit !== undefined &&
        validated &&
        (context.principal || !protectedRoute)
      ) {
        await record(route, context, resource, undefined, error).catch(() => {
          // The call failed already; its own error is the one to report.
        })
      }
      return failed(error, requestId, raw, route)
    }
  }

  /**
   * The problem answer of a failure; one on the server's side (5xx) is logged with the request
   * id, since the client is only told its code.
   */
  function failed(
    error: unknown,
    requestId: string,
    raw: HttpRawRequest,
    route: RouteDefinition | undefined,
  ): HttpRawReply {
    const reply = problem(error, requestId)
    if (reply.status >= 500) {
      logger.error('request failed', {
        requestId,
        method: raw.method,
        url: raw.url,
        ...(route !== undefined ? { route: route.id } : {}),
        status: reply.status,
        error: serializeError(error),
        ...(error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}),
      })
    }
    return reply
  }

  async function record(
    route: RouteDefinition,
    context: RequestState,
    resource: ResourceRef | undefined,
    result: Exclude<RouteResult, Response> | undefined,
    error?: unknown,
  ): Promise<void> {
    if (!audit || !route.audit) return
    // A refused webhook delivery has no verified signer: its actor is anonymous.
    const actor = result?.audit?.actor ?? context.principal
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
    const userAgent = rawHeader(context.raw.headers, 'user-agent')
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

  const handler = ((request: Request, info?: { ip?: string }) =>
    handle(fromFetchRequest(request, info?.ip), request).then(toResponse)) as HttpHandler
  Object.defineProperty(handler, 'routes', { value: routes, enumerable: true })
  Object.defineProperty(handler, 'openapi', { value: () => services.openapi(), enumerable: true })
  Object.defineProperty(handler, 'handle', {
    value: (raw: HttpRawRequest) => handle(raw),
    enumerable: true,
  })
  return handler
}

function canOnSome(access: AccessControl, principal: Principal, permission: string): boolean {
  const listing = access as Partial<RoleAccessControl>
  return typeof listing.canOnSomeWorkflow === 'function'
    ? listing.canOnSomeWorkflow(principal, permission)
    : true
}

function json(result: Exclude<RouteResult, Response>): HttpRawReply {
  const headers: Record<string, string | string[]> = {}
  if (result.body !== undefined) headers['content-type'] = 'application/json'
  if (result.headers !== undefined) {
    for (const [name, value] of Object.entries(result.headers)) headers[name.toLowerCase()] = value
  }
  return {
    status: result.status,
    headers,
    body: result.body === undefined ? null : JSON.stringify(result.body),
  }
}

function problem(error: unknown, requestId: string): HttpRawReply {
  const body = problemBody(error, requestId)
  const headers: Record<string, string | string[]> = {
    'content-type': 'application/problem+json',
  }
  for (const [name, value] of Object.entries(problemHeaders(error))) {
    headers[name.toLowerCase()] = value
  }
  return { status: body.status as number, headers, body: JSON.stringify(body) }
}

/** A route's own `Response` (an event stream) as a raw reply. */
function fromResponse(response: Response): HttpRawReply {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  return {
    status: response.status,
    ...(response.statusText ? { statusText: response.statusText } : {}),
    headers,
    body: response.body,
  }
}

/** The Fetch entry's request as a raw one: the same headers, its body read on demand. */
function fromFetchRequest(request: Request, ip: string | undefined): HttpRawRequest {
  const headers = request.headers
  const announced = headers.has('content-length') && !headers.has('transfer-encoding')
  return {
    method: request.method,
    url: request.url,
    headers,
    // A body with a length is read whole (cheap for a request that holds bytes already).
    body: () =>
      announced
        ? request.arrayBuffer().then((buffer) => new Uint8Array(buffer))
        : (request.body ?? undefined),
    ...(ip !== undefined ? { ip } : {}),
    signal: () => request.signal,
  }
}

function toResponse(reply: HttpRawReply): Response {
  const headers = new Headers()
  for (const [name, value] of Object.entries(reply.headers)) {
    if (typeof value === 'string') headers.set(name, value)
    else for (const item of value) headers.append(name, item)
  }
  return new Response(reply.body as BodyInit | null, {
    status: reply.status,
    ...(reply.statusText !== undefined ? { statusText: reply.statusText } : {}),
    headers,
  })
}

function problemStatus(error: unknown): number {
  return error instanceof HttpProblem ? error.status : (problemBody(error, '').status as number)
}

function errorCode(error: unknown): string {
  if (error instanceof HttpProblem) return error.code
  return TesseraError.isInstance(error) ? error.code : 'internal'
}
