import { z } from 'zod'
import { problemSchema } from './http-schemas'
import type { RouteDefinition } from './route'

const reasons: Record<number, string> = {
  400: 'The request is invalid: `errors` names each field',
  401: 'No credentials, or credentials that were refused',
  403: 'The caller lacks the permission',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'The body is larger than the limit',
  422: 'Well-formed but unusable (schema or definition issues)',
  429: 'Rate limited: retry after `Retry-After` seconds',
}

type JsonObject = Record<string, unknown>

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as JsonObject
  return rest
}

/** The error statuses a route can answer with, given how the handler is configured. */
export function errorStatuses(
  route: RouteDefinition,
  settings: { isPublic: boolean; rateLimited: boolean },
): number[] {
  const statuses = new Set(route.errors ?? [])
  if (route.params || route.query || route.body) statuses.add(400)
  if (route.body) statuses.add(413)
  if (!settings.isPublic && typeof route.permission === 'string') {
    statuses.add(401)
    statuses.add(403)
  }
  if (settings.rateLimited) statuses.add(429)
  return [...statuses].sort((a, b) => a - b)
}

function parameters(route: RouteDefinition): JsonObject[] {
  const list: JsonObject[] = []
  const add = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return
    const json = jsonSchema(schema, 'input') as {
      properties?: Record<string, JsonObject>
      required?: string[]
    }
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = property as JsonObject & { description?: string }
      list.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(description !== undefined ? { description } : {}),
        schema: rest,
        ...(where === 'query' && (rest.anyOf !== undefined || rest.type === 'array')
          ? { explode: true }
          : {}),
      })
    }
  }
  add(route.params, 'path')
  add(route.query, 'query')
  if (route.id === 'runs.start') {
    list.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Starting again with the same key returns the existing run',
      schema: { type: 'string', minLength: 1, maxLength: 200 },
    })
  }
  if (route.id === 'runs.stream') {
    list.push({
      name: 'Last-Event-ID',
      in: 'header',
      required: false,
      description: 'Resume after this event id (the `id` of the last event received)',
      schema: { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})(:[0-9]{1,16}:[1-9][0-9]{0,5})?$' },
    })
  }
  if (route.id === 'webhooks.receive') {
    list.push(
      { name: 'x-tessera-signature', in: 'header', required: true, schema: { type: 'string' } },
      {
        name: 'x-tessera-delivery',
        in: 'header',
        required: false,
        schema: { type: 'string', maxLength: 200 },
      },
    )
  }
  return list
}

/**
 * The OpenAPI 3.1 document of a route table: one operation per route (its id is the
 * `operationId`), parameters, bodies and responses from the routes' zod schemas
 * (`z.toJSONSchema`), error responses as problem details, and the permission each operation
 * needs as `x-permission`.
 *
 * @example
 * ```ts
 * const document = createOpenApiDocument(handler.routes, { title: 'Orders', isPublic: () => false })
 * document.paths['/runs'].post.operationId // 'runs.start'
 * ```
 */
export function createOpenApiDocument(
  routes: readonly RouteDefinition[],
  settings: {
    title?: string
    version?: string
    servers?: readonly { url: string; description?: string }[]
    basePath?: string
    isPublic: (route: RouteDefinition) => boolean
    rateLimited: boolean
  },
): Record<string, unknown> {
  const paths: Record<string, Record<string, JsonObject>> = {}
  const problem = {
    'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
  }
  for (const route of routes) {
    const isPublic = settings.isPublic(route)
    const responses: Record<string, JsonObject> = {}
    for (const [status, response] of Object.entries(route.responses)) {
      const contentType = response.contentType ?? 'application/json'
      responses[status] = {
        description: response.description,
        content: {
          [contentType]: response.schema
            ? { schema: jsonSchema(response.schema, 'output') }
            : { schema: { type: 'string' } },
        },
      }
    }
    for (const status of errorStatuses(route, { isPublic, rateLimited: settings.rateLimited })) {
      responses[String(status)] ??= { description: reasons[status] ?? 'Error', content: problem }
    }
    const operation: JsonObject = {
      operationId: route.id,
      summary: route.summary,
      tags: [route.tag],
      ...(typeof route.permission === 'string' && !isPublic
        ? { 'x-permission': route.permission }
        : {}),
      ...(route.audit ? { 'x-audit-action': route.audit } : {}),
      security:
        isPublic || typeof route.permission !== 'string' ? [] : [{ bearer: [] }, { apiKey: [] }],
      parameters: parameters(route),
      ...(route.body
        ? {
            requestBody: {
              required: !route.body.safeParse(undefined).success,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    }
    const path = `${settings.basePath ?? ''}${route.path}`
    ;(paths[path] ??= {})[route.method.toLowerCase()] = operation
  }
  return {
    openapi: '3.1.0',
    info: { title: settings.title ?? 'Tessera', version: settings.version ?? '1.0.0' },
    ...(settings.servers && settings.servers.length > 0
      ? { servers: settings.servers.map((server) => ({ ...server })) }
      : {}),
    paths,
    components: {
      schemas: { Problem: jsonSchema(problemSchema, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (`tsk_…`) or a JWT' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    },
  }
}
