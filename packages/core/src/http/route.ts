import type { z } from 'zod'
import type { Engine } from '../runtime/engine'
import type { DefinitionRepository } from '../definition/definition-repository'
import type { HttpHandlerOptions } from './http-handler-options'
import type { ApiKeys } from './security/api-keys'
import type { AccessControl, AuditTrail, Permission, Principal, ResourceRef } from './types'

/**
 * The HTTP methods the route table uses.
 *
 * @example
 * ```ts
 * const method: HttpMethod = 'POST'
 * ```
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

/**
 * What a route handler receives: validated input, the caller and the handler's services.
 *
 * @example
 * ```ts
 * const handle = async ({ params, services }: RouteContext<{ runId: string }>) => ({ status: 200, body: await services.engine.store.getRun(params.runId) })
 * ```
 */
export interface RouteContext<P = any, Q = any, B = any> {
  params: P
  query: Q
  body: B
  /**
   * The request as a Fetch `Request`. With the raw entry (`handler.handle`, what the Node
   * adapters use) it is built on first read: prefer {@link RouteContext.header},
   * {@link RouteContext.text} and {@link RouteContext.signal}, which cost nothing.
   */
  request: Request
  /** The request method (`HEAD` when a GET route answers a HEAD request). */
  method: string
  /** A request header (case-insensitive), `undefined` when absent. */
  header(name: string): string | undefined
  /** The raw body as text (`''` when none), read once and shared. */
  text(): Promise<string>
  /** Aborted when the client goes away (made on first read). */
  readonly signal: AbortSignal
  /** Undefined on public routes and webhooks. */
  principal: Principal | undefined
  requestId: string
  ip: string | undefined
  services: RouteServices
}

/**
 * What the routes share: the engine, the security pieces and the definitions repository.
 *
 * @example
 * ```ts
 * const handle = async ({ services }: RouteContext) => ({ status: 200, body: services.engine.registry.describe() })
 * ```
 */
export interface RouteServices {
  engine: Engine
  access: AccessControl
  audit: AuditTrail | undefined
  definitions: DefinitionRepository | undefined
  apiKeys: ApiKeys | undefined
  options: HttpHandlerOptions
  now(): number
  /** The OpenAPI document (built once, lazily). */
  openapi(): Record<string, unknown>
}

/**
 * A route's answer: a JSON body and a status, or a ready `Response` (SSE).
 *
 * @example
 * ```ts
 * const result: RouteResult = { status: 202, body: { runId: 'r1' } }
 * ```
 */
export type RouteResult =
  | {
      status: number
      body?: unknown
      headers?: Record<string, string>
      /** Overrides what the audit record says the call touched and changed. */
      audit?: { resource?: ResourceRef; change?: unknown; actor?: Principal }
    }
  | Response

/**
 * One documented response of a route.
 *
 * @example
 * ```ts
 * const ok: RouteResponse = { description: 'The run', schema: z.object({ run: z.unknown() }) }
 * ```
 */
export interface RouteResponse {
  description: string
  /** JSON body schema; absent for error statuses (problem details) and streams. */
  schema?: z.ZodType
  /** Default `application/json` (`application/problem+json` for 4xx/5xx). */
  contentType?: string
}

/**
 * One row of the route table: it drives routing, validation, authorisation, auditing and the
 * OpenAPI document alike.
 *
 * @example
 * ```ts
 * const start = handler.routes.find((route) => route.id === 'runs.start')!
 * start.permission // 'workflow:run'
 * ```
 */
export interface RouteDefinition<P = any, Q = any, B = any> {
  /** Stable id, the OpenAPI `operationId` (`runs.start`). */
  id: string
  method: HttpMethod
  /** OpenAPI-style template relative to the base path: `/runs/{runId}`. */
  path: string
  summary: string
  tag: string
  params?: z.ZodType<P>
  query?: z.ZodType<Q>
  body?: z.ZodType<B>
  /** Success responses by status. Error statuses are derived (400, 401, 403, …) or listed in `errors`. */
  responses: Record<number, RouteResponse>
  /** Error statuses this route produces besides the derived ones (404, 409, 422…). */
  errors?: number[]
  /**
   * `public`: no authentication when the host lists the route in `publicRoutes`, else like a
   * permission; `signature`: authenticated by the route itself (webhooks).
   */
  permission: Permission | { signature: true }
  /** Public when the host's `publicRoutes` lists this id (health, ready, openapi). */
  publicable?: boolean
  /**
   * What the permission is checked on. Returning undefined means the handler checks each item
   * itself (listing runs the caller may read). May throw `NotFoundError` (404).
   */
  resource?: (
    context: RouteContext<P, Q, B>,
  ) => ResourceRef | undefined | Promise<ResourceRef | undefined>
  /** Audit action of a state-changing route (`run.start`). */
  audit?: string
  /** What the audit record keeps as `change` (default: the validated body). */
  auditChange?: (context: RouteContext<P, Q, B>) => unknown
  /** Only present when the host configured what it needs (the records store, webhooks…). */
  enabled?: (services: Omit<RouteServices, 'openapi'>) => boolean
  handle(context: RouteContext<P, Q, B>): Promise<RouteResult>
}

/**
 * Declares a route with its input types inferred from its schemas.
 *
 * @example
 * ```ts
 * const health = defineRoute({ id: 'health', method: 'GET', path: '/health', summary: 'Liveness', tag: 'system',
 *   permission: 'registry:read', publicable: true, responses: { 200: { description: 'Up' } },
 *   handle: async () => ({ status: 200, body: { status: 'ok' } }) })
 * ```
 */
export function defineRoute<P = undefined, Q = undefined, B = undefined>(
  route: RouteDefinition<P, Q, B>,
): RouteDefinition<P, Q, B> {
  return route
}
