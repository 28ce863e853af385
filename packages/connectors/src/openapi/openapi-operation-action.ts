import { z } from 'zod'
import type { ConnectorAction, ConnectorActionExample } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import { defaultHttpTimeoutMs } from '../http/http-request-action'
import { httpStatusError } from '../http/http-status-error'
import { prepareHttpRequest } from '../http/prepare-http-request'
import { headerRecord, sendHttpRequest, urlUnderBase } from '../http/send-http-request'
import { openApiSchemaToJsonSchema, openApiSchemaToZod } from './openapi-json-schema'
import { sampleForSchema } from './openapi-sample'
import {
  applyOpenApiSecurity,
  type OpenApiSecurityRequirement,
  type OpenApiSecurityScheme,
} from './openapi-security'

/**
 * An OpenAPI Parameter Object (dereferenced).
 *
 * @example
 * ```ts
 * const limit: OpenApiParameter = { name: 'limit', in: 'query', schema: { type: 'integer' } }
 * ```
 */
export interface OpenApiParameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  description?: string
  schema?: unknown
  content?: Record<string, { schema?: unknown }>
  style?: string
  explode?: boolean
  example?: unknown
}

/**
 * An OpenAPI Operation Object (dereferenced; the fields the connector reads).
 *
 * @example
 * ```ts
 * const operation: OpenApiOperation = { operationId: 'listPets', responses: { '200': { description: 'ok' } } }
 * ```
 */
export interface OpenApiOperation {
  operationId?: string
  summary?: string
  description?: string
  parameters?: OpenApiParameter[]
  requestBody?: {
    required?: boolean
    description?: string
    content?: Record<string, { schema?: unknown }>
  }
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: unknown }> }
  >
  security?: OpenApiSecurityRequirement[]
}

/**
 * What the generated actions need from the connector's configuration (secrets resolved).
 *
 * @example
 * ```ts
 * const config: OpenApiActionConfig = { baseUrl: 'https://api.example.com', credentials: { api_key: 'resolved-key' } }
 * ```
 */
export interface OpenApiActionConfig {
  baseUrl?: string | undefined
  credentials?: Record<string, unknown> | undefined
  headers?: Record<string, string> | undefined
  timeoutMs?: number | undefined
}

/**
 * The output of a generated action: the body typed at run time by the 2xx response schemas.
 *
 * @example
 * ```ts
 * const output: OpenApiActionOutput = { status: 200, headers: {}, body: { id: 1, name: 'Rex' } }
 * ```
 */
export interface OpenApiActionOutput {
  status: number
  headers: Record<string, string>
  body: unknown
}

const ignoredHeaders = new Set(['accept', 'content-type', 'authorization'])

/** The parameter groups of a generated action's input. */
const groups = { path: 'path', query: 'query', header: 'headers', cookie: 'cookies' } as const

const isJsonMedia = (type: string) =>
  /^application\/(?:[\w.+-]+\+)?json\b/i.test(type) || type === '*/*'

/**
 * Builds the action of one OpenAPI operation: its input is `{ path, query, headers, cookies,
 * body }` (only the groups the operation has; each a strict object of its parameters, built
 * from their schemas), its output `{ status, headers, body }` with the body typed by the 2xx
 * response schemas. `run` fills the path template, serialises the query (form, exploded or
 * not, and deepObject), sends the body as JSON or form-urlencoded by the operation's media
 * type, applies the operation's security, and throws a `ConnectorError` for a 4xx/5xx.
 *
 * @example
 * ```ts
 * const action = createOpenApiOperationAction({ connectorId: 'pets', actionId: 'get-pet', method: 'get', path: '/pets/{petId}', operation, version: '3.0', security: [], schemes: {}, fetch: () => fetch })
 * ```
 */
export function createOpenApiOperationAction(settings: {
  connectorId: string
  actionId: string
  method: string
  path: string
  operation: OpenApiOperation
  /** Path-level parameters; the operation's override them by name and location. */
  pathParameters?: OpenApiParameter[]
  version: '3.0' | '3.1'
  /** The document's default security requirements. */
  security: readonly OpenApiSecurityRequirement[]
  schemes: Readonly<Record<string, OpenApiSecurityScheme>>
  defaultBaseUrl?: string | undefined
  fetch: () => typeof globalThis.fetch
}): ConnectorAction<OpenApiActionConfig, Record<string, unknown>, OpenApiActionOutput> {
  const { connectorId, actionId, operation, version } = settings
  const method = settings.method.toUpperCase()
  const parameters = new Map<string, OpenApiParameter>()
  for (const parameter of [...(settings.pathParameters ?? []), ...(operation.parameters ?? [])]) {
    // OpenAPI: header parameters named Accept, Content-Type or Authorization are ignored (the
    // media types and security schemes say those).
    if (parameter.in === 'header' && ignoredHeaders.has(parameter.name.toLowerCase())) continue
    parameters.set(`${parameter.in}:${parameter.name}`, parameter)
  }

  const shape: Record<string, z.ZodType> = {}
  const sample: Record<string, unknown> = {}
  for (const [location, group] of Object.entries(groups)) {
    const members = [...parameters.values()].filter((parameter) => parameter.in === location)
    if (members.length === 0) continue
    const fields: Record<string, z.ZodType> = {}
    const groupSample: Record<string, unknown> = {}
    for (const parameter of members) {
      const schema = parameter.schema ?? Object.values(parameter.content ?? {})[0]?.schema
      let field = openApiSchemaToZod(schema, { version, direction: 'request' })
      field = field.describe(
        parameter.description ??
          field.description ??
          `The ${location} parameter "${parameter.name}"`,
      )
      const required = location === 'path' || parameter.required === true
      fields[parameter.name] = required ? field : field.optional()
      if (required)
        groupSample[parameter.name] =
          parameter.example ??
          sampleForSchema(
            openApiSchemaToJsonSchema(schema ?? {}, { version, direction: 'request' }),
          )
    }
    const anyRequired = members.some((parameter) => parameter.in === 'path' || parameter.required)
    const object = z.object(fields).strict().describe(`The ${location} parameters`)
    shape[group] = anyRequired ? object : object.optional()
    if (anyRequired) sample[group] = groupSample
  }
  const media = Object.keys(operation.requestBody?.content ?? {})
  const bodyType =
    media.find(isJsonMedia) ??
    media.find((type) => type === 'application/x-www-form-urlencoded') ??
    media[0]
  if (operation.requestBody && bodyType !== undefined) {
    const schema = operation.requestBody.content?.[bodyType]?.schema
    let body = openApiSchemaToZod(schema, { version, direction: 'request' })
    body = body.describe(operation.requestBody.description ?? `The request body (${bodyType})`)
    shape.body = operation.requestBody.required ? body : body.optional()
    if (operation.requestBody.required)
      sample.body = sampleForSchema(
        openApiSchemaToJsonSchema(schema ?? {}, { version, direction: 'request' }),
      )
  }
  const input = z.object(shape).strict()

  const bodies: z.ZodType[] = []
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (!/^2(?:\d\d|XX)$/i.test(status)) continue
    const content = Object.entries(response.content ?? {})
    const json = content.find(([type]) => isJsonMedia(type))
    bodies.push(
      content.length === 0
        ? z.null()
        : json
          ? openApiSchemaToZod(json[1].schema, { version, direction: 'response' })
          : z.unknown(),
    )
  }
  const body =
    bodies.length === 0 ? z.unknown() : bodies.length === 1 ? bodies[0]! : z.union(bodies)
  const output: z.ZodType<OpenApiActionOutput> = z.object({
    status: z.number().int().describe('The HTTP status (2xx)'),
    headers: z.record(z.string(), z.string()).describe('Response headers, lower-case names'),
    body: body.describe('The response body, as the 2xx responses of the operation describe it'),
  })

  const examples: ConnectorActionExample<Record<string, unknown>>[] = []
  if (input.safeParse(sample).success)
    examples.push({ title: operation.summary ?? actionId, input: sample })

  const fail = (reason: ConnectorError['reason'], message: string) =>
    new ConnectorError({ connector: connectorId, action: actionId, reason, message })

  return {
    title: operation.summary ?? actionId,
    description: operation.description ?? operation.summary ?? `${method} ${settings.path}`,
    examples,
    input,
    output,
    async run({ config, input: values, signal, idempotencyKey, logger }) {
      const baseUrl = config.baseUrl ?? settings.defaultBaseUrl
      if (baseUrl === undefined)
        throw fail('invalid-config', 'the document has no server URL: set config.baseUrl')
      const pathValues = (values.path ?? {}) as Record<string, unknown>
      const path = settings.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
        encodeURIComponent(serializeSimple(pathValues[name])),
      )
      const url = urlUnderBase(baseUrl, path)
      if (url === undefined)
        throw fail('invalid-request', `the path parameters lead out of the base URL ${baseUrl}`)
      const headerValues: Record<string, string> = {}
      const cookies: string[] = []
      for (const parameter of parameters.values()) {
        const group = values[groups[parameter.in]] as Record<string, unknown> | undefined
        const value = group?.[parameter.name]
        if (value === undefined || value === null || parameter.in === 'path') continue
        const asJson = parameter.schema === undefined && parameter.content !== undefined
        if (parameter.in === 'query') appendQuery(url, parameter, value, asJson)
        else if (parameter.in === 'header')
          headerValues[parameter.name] = asJson ? JSON.stringify(value) : serializeSimple(value)
        else
          cookies.push(
            `${parameter.name}=${encodeURIComponent(asJson ? JSON.stringify(value) : serializeSimple(value))}`,
          )
      }
      if (cookies.length > 0) headerValues.cookie = cookies.join('; ')
      if (values.body !== undefined && bodyType !== undefined)
        headerValues['content-type'] = bodyType === '*/*' ? 'application/json' : bodyType
      const headers = prepareHttpRequest({
        connector: connectorId,
        action: actionId,
        url,
        configHeaders: config.headers,
        idempotencyKey,
        headers: headerValues,
      })
      applyOpenApiSecurity({
        connector: connectorId,
        action: actionId,
        requirements: operation.security ?? settings.security,
        schemes: settings.schemes,
        credentials: config.credentials,
        url,
        headers,
      })
      const response = await sendHttpRequest({
        connector: connectorId,
        action: actionId,
        fetch: settings.fetch(),
        method,
        url,
        headers,
        body: encodeBody(values.body, bodyType),
        signal,
        timeoutMs: config.timeoutMs ?? defaultHttpTimeoutMs,
        logger,
      })
      const error = httpStatusError({
        connector: connectorId,
        action: actionId,
        where: response.where,
        status: response.status,
        headers: response.headers,
        body: response.body,
      })
      if (error) throw error
      return {
        status: response.status,
        headers: headerRecord(response.headers),
        body: response.body,
      }
    },
  }
}

/** OpenAPI's `simple` style: arrays and objects as comma-separated values. */
function serializeSimple(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(',')
  if (typeof value === 'object' && value !== null)
    return Object.entries(value)
      .flatMap(([key, item]) => [key, String(item)])
      .join(',')
  return String(value)
}

/** OpenAPI's `form` (exploded by default) and `deepObject` query styles. */
function appendQuery(url: URL, parameter: OpenApiParameter, value: unknown, asJson: boolean): void {
  const name = parameter.name
  if (asJson) return url.searchParams.append(name, JSON.stringify(value))
  const style = parameter.style ?? 'form'
  const explode = parameter.explode ?? style === 'form'
  if (Array.isArray(value)) {
    if (explode) for (const item of value) url.searchParams.append(name, String(item))
    else
      url.searchParams.append(
        name,
        value
          .map(String)
          .join(style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ','),
      )
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (style === 'deepObject') url.searchParams.append(`${name}[${key}]`, String(item))
      else if (explode) url.searchParams.append(key, String(item))
    }
    if (style !== 'deepObject' && !explode) url.searchParams.append(name, serializeSimple(value))
  } else url.searchParams.append(name, String(value))
}

function encodeBody(body: unknown, type: string | undefined): unknown {
  if (body === undefined) return undefined
  // Objects with a form media type are form-encoded by the transport.
  if (type === 'application/x-www-form-urlencoded') return body
  if (type === undefined || isJsonMedia(type)) return JSON.stringify(body)
  return typeof body === 'string' ? body : JSON.stringify(body)
}
