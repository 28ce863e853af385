import { z } from 'zod'
import { defineConnector, type ConnectorAction } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import { configHeadersSchema } from '../http/http-connector-config'
import { defaultHttpTimeoutMs } from '../http/http-request-action'
import { httpStatusError } from '../http/http-status-error'
import { prepareHttpRequest } from '../http/prepare-http-request'
import { sendHttpRequest } from '../http/send-http-request'
import { jsonPointerAtLine } from './json-line-pointer'
import { OpenApiDocumentError, type OpenApiDocumentIssue } from './openapi-document-error'
import {
  createOpenApiOperationAction,
  type OpenApiActionConfig,
  type OpenApiActionOutput,
  type OpenApiOperation,
  type OpenApiParameter,
} from './openapi-operation-action'
import {
  applyOpenApiSecurity,
  openApiCredentialsSchema,
  type OpenApiSecurityRequirement,
  type OpenApiSecurityScheme,
} from './openapi-security'

/**
 * Settings of {@link createOpenApiConnector}.
 *
 * @example
 * ```ts
 * const settings: OpenApiConnectorSettings = { id: 'petstore', document: './petstore.yaml' }
 * ```
 */
export interface OpenApiConnectorSettings {
  /** The connector's id, such as `petstore`. */
  id: string
  /**
   * The OpenAPI 3.0 or 3.1 document: the object, a file path of its JSON or YAML (external
   * `$ref`s resolve relative to it), or an http(s) URL of its JSON, read with `fetch`.
   */
  document: object | string
  /** Default: the document's `info.title`. */
  name?: string
  /**
   * Where the connector is documented. Default: the document's `externalDocs.url`, else the
   * OpenAPI connector's page.
   */
  docs?: string
  /** Default: the global `fetch`, looked up at every request (and used to read a URL document). */
  fetch?: typeof globalThis.fetch
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const

type ParserModule = typeof import('@readme/openapi-parser')

interface OpenApiDocument {
  openapi?: string
  swagger?: string
  info?: { title?: string; description?: string; summary?: string }
  externalDocs?: { url?: string }
  servers?: { url: string; variables?: Record<string, { default: string }> }[]
  paths?: Record<string, Record<string, unknown> & { parameters?: OpenApiParameter[] }>
  security?: OpenApiSecurityRequirement[]
  components?: { securitySchemes?: Record<string, OpenApiSecurityScheme> }
}

/**
 * The action id of an operation: its `operationId` in kebab case (`getPetById` →
 * `get-pet-by-id`), else the method and path (`GET /pets/{petId}` → `get-pets-pet-id`).
 *
 * @example
 * ```ts
 * openApiActionId({ method: 'get', path: '/pets/{petId}', operationId: 'getPetById' }) // 'get-pet-by-id'
 * ```
 */
export function openApiActionId(options: {
  method: string
  path: string
  operationId?: string | undefined
}): string {
  const source = options.operationId ?? `${options.method} ${options.path}`
  const id = source
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
  return id === '' ? options.method.toLowerCase() : id.slice(0, 120)
}

async function loadParser(id: string): Promise<ParserModule> {
  try {
    return await import('@readme/openapi-parser')
  } catch (error) {
    throw new ConnectorError({
      connector: id,
      action: 'import',
      reason: 'invalid-config',
      message: 'install @readme/openapi-parser to use the OpenAPI connector',
      cause: error,
    })
  }
}

function issueFrom(message: string, document: unknown): OpenApiDocumentIssue {
  const line = /^>\s*(\d+)\s*\|/m.exec(message)
  const path = line ? jsonPointerAtLine(document, Number(line[1])) : undefined
  const pointer = /\$ref pointer "([^"]+)"/.exec(message)?.[1]
  return {
    message,
    ...(path !== undefined
      ? { path }
      : pointer !== undefined
        ? { path: pointer.replace(/^#/, '') }
        : {}),
  }
}

/**
 * Reads a JSON document from a URL with the connector's fetch (so hosts choose proxies and
 * credentials; the parser's own HTTP resolver refuses private addresses).
 */
async function fetchDocument(url: string, fetch: typeof globalThis.fetch): Promise<unknown> {
  const fail = (message: string, cause?: unknown) =>
    new OpenApiDocumentError({ source: url, issues: [{ message }], cause })
  let text: string
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(30_000),
    })
    text = await response.text()
    if (!response.ok) throw fail(`GET ${url} answered ${response.status}`)
  } catch (error) {
    if (OpenApiDocumentError.isInstance(error)) throw error
    throw fail(
      `GET ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
      error,
    )
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw fail(
      'the document at the URL is not JSON (read YAML documents from a file, or pass the parsed object)',
      error,
    )
  }
}

/** The document's first server URL with its variables' defaults, resolved against its source. */
function defaultServerUrl(
  document: OpenApiDocument,
  source: string | undefined,
): string | undefined {
  const server = document.servers?.[0]
  if (!server) return undefined
  const url = server.url.replace(
    /\{([^}]+)\}/g,
    (match, name: string) => server.variables?.[name]?.default ?? match,
  )
  try {
    return new URL(url, source && /^https?:/i.test(source) ? source : undefined).href
  } catch {
    return undefined
  }
}

/**
 * Imports an OpenAPI 3.0 or 3.1 document and returns a connector with one typed action per
 * operation. The document is validated and dereferenced with `@readme/openapi-parser` (an
 * optional peer: `npm i @readme/openapi-parser`); an invalid one throws
 * {@link OpenApiDocumentError} with the parser's messages and their JSON Pointers.
 *
 * Each action is named after the operation (see {@link openApiActionId}); its input is
 * `{ path, query, headers, cookies, body }` with zod schemas built from the parameters and the
 * request body (`z.fromJSONSchema` after OpenAPI 3.0's `nullable` and friends are converted);
 * its output `{ status, headers, body }`, the body typed by the 2xx responses. The
 * configuration takes `baseUrl` (default: the first server), `credentials` (one field per
 * security scheme, secrets as references), `headers` and `timeoutMs`. A 4xx/5xx throws a
 * `ConnectorError` (401/403 `unauthorized`, 404 `not-found`, 429 `rate-limited`, 5xx `remote`).
 * The step's idempotency key goes out as an `Idempotency-Key` header. `check` sends a HEAD to
 * the base URL with the document's default credentials and fails only when the host cannot
 * be reached or refuses them (401/403).
 *
 * @example
 * ```ts
 * const petstore = await createOpenApiConnector({ id: 'petstore', document: './petstore.yaml' })
 * const workflow = createWorkflow({ id: 'adopt', input: z.object({ petId: z.number() }) })
 *   .map(({ input }) => ({ path: { petId: input.petId } }))
 *   .action(petstore, 'get-pet-by-id', { credentials: { api_key: { $secret: 'PETSTORE_KEY' } } })
 *   .commit()
 * ```
 */
export async function createOpenApiConnector(settings: OpenApiConnectorSettings) {
  const parser = await loadParser(settings.id)
  const source = typeof settings.document === 'string' ? settings.document : '(given as an object)'
  let raw: OpenApiDocument
  try {
    raw = (await parser.parse(
      typeof settings.document !== 'string'
        ? (structuredClone(settings.document) as never)
        : /^https?:\/\//i.test(settings.document)
          ? ((await fetchDocument(settings.document, settings.fetch ?? globalThis.fetch)) as never)
          : settings.document,
    )) as OpenApiDocument
  } catch (error) {
    if (OpenApiDocumentError.isInstance(error)) throw error
    throw new OpenApiDocumentError({
      source,
      issues: [issueFrom(error instanceof Error ? error.message : String(error), undefined)],
      cause: error,
    })
  }
  if (typeof raw.openapi !== 'string' || !/^3\.[01]\./.test(raw.openapi))
    throw new OpenApiDocumentError({
      source,
      issues: [
        {
          message: `expected an OpenAPI 3.0 or 3.1 document, got ${
            raw.swagger
              ? `Swagger ${raw.swagger}`
              : raw.openapi
                ? `OpenAPI ${raw.openapi}`
                : 'no "openapi" version'
          }`,
          path: '/openapi',
        },
      ],
    })
  const result = await parser.validate(structuredClone(raw) as never).catch((error: unknown) => ({
    valid: false as const,
    errors: [{ message: error instanceof Error ? error.message : String(error) }],
  }))
  if (!result.valid) {
    // The parser validates the dereferenced document: its code frames number those lines.
    const dereferenced = await parser
      .dereference(structuredClone(raw) as never, { dereference: { circular: 'ignore' } })
      .catch(() => raw)
    throw new OpenApiDocumentError({
      source,
      issues: result.errors.map((error) => issueFrom(error.message, dereferenced)),
    })
  }
  const document = (await parser.dereference(structuredClone(raw) as never)) as OpenApiDocument
  const version = document.openapi!.startsWith('3.0') ? '3.0' : '3.1'
  const schemes = document.components?.securitySchemes ?? {}
  const defaultBaseUrl = defaultServerUrl(
    document,
    typeof settings.document === 'string' ? settings.document : undefined,
  )
  const fetch = () => settings.fetch ?? globalThis.fetch

  const actions: Record<
    string,
    ConnectorAction<OpenApiActionConfig, Record<string, unknown>, OpenApiActionOutput>
  > = {}
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of methods) {
      const operation = item[method] as OpenApiOperation | undefined
      if (!operation) continue
      let actionId = openApiActionId({ method, path, operationId: operation.operationId })
      for (let suffix = 2; Object.hasOwn(actions, actionId); suffix++)
        actionId = `${openApiActionId({ method, path, operationId: operation.operationId })}-${suffix}`
      actions[actionId] = createOpenApiOperationAction({
        connectorId: settings.id,
        actionId,
        method,
        path,
        operation,
        ...(item.parameters ? { pathParameters: item.parameters } : {}),
        version,
        security: document.security ?? [],
        schemes,
        defaultBaseUrl,
        fetch,
      })
    }
  }
  if (Object.keys(actions).length === 0)
    throw new OpenApiDocumentError({
      source,
      issues: [{ message: 'the document has no operations', path: '/paths' }],
    })

  const baseUrl = z
    .url({ protocol: /^https?$/, error: 'an http or https URL' })
    .describe(`The API's base URL${defaultBaseUrl ? ` (default ${defaultBaseUrl})` : ''}`)
  const config = z
    .object({
      baseUrl: defaultBaseUrl === undefined ? baseUrl : baseUrl.optional(),
      credentials: openApiCredentialsSchema(schemes).optional(),
      headers: configHeadersSchema.optional(),
      timeoutMs: z
        .number()
        .int()
        .min(1)
        .max(3_600_000)
        .optional()
        .describe('Per-request timeout in milliseconds (default 30000)'),
    })
    .strict()

  return defineConnector({
    id: settings.id,
    name: settings.name ?? document.info?.title ?? settings.id,
    description:
      document.info?.summary ??
      document.info?.description?.split('\n')[0] ??
      `Imported from ${source}`,
    docs:
      settings.docs ?? document.externalDocs?.url ?? 'https://tessera.dev/docs/connectors/openapi',
    config: config as z.ZodType<OpenApiConnectorConfig>,
    actions,
    // A HEAD to the base URL with the document's default credentials: it fails when the host
    // cannot be reached or refuses them (401/403); any other answer (404, 405) is fine.
    async check({ config: values, signal, logger }) {
      const resolved = values as OpenApiActionConfig
      const baseUrl = resolved.baseUrl ?? defaultBaseUrl
      if (baseUrl === undefined) return
      const url = new URL(baseUrl)
      const headers = prepareHttpRequest({
        connector: settings.id,
        action: 'check',
        url,
        configHeaders: resolved.headers,
      })
      const requirements = (document.security ?? []).filter((requirement) =>
        Object.keys(requirement).every((name) => resolved.credentials?.[name] !== undefined),
      )
      if (requirements.length > 0)
        applyOpenApiSecurity({
          connector: settings.id,
          action: 'check',
          requirements,
          schemes,
          credentials: resolved.credentials,
          url,
          headers,
        })
      const response = await sendHttpRequest({
        connector: settings.id,
        action: 'check',
        fetch: fetch(),
        method: 'HEAD',
        url,
        headers,
        signal,
        timeoutMs: resolved.timeoutMs ?? defaultHttpTimeoutMs,
        logger,
      })
      if (response.status !== 401 && response.status !== 403) return
      throw httpStatusError({
        connector: settings.id,
        action: 'check',
        where: response.where,
        status: response.status,
        headers: response.headers,
        body: response.body,
      })!
    },
  })
}

/**
 * The configuration of a connector made by {@link createOpenApiConnector}, as stored.
 *
 * @example
 * ```ts
 * const config: OpenApiConnectorConfig = { credentials: { api_key: { $secret: 'PETSTORE_KEY' } } }
 * ```
 */
export interface OpenApiConnectorConfig {
  baseUrl?: string
  credentials?: Record<
    string,
    { $secret: string } | { username: string; password: { $secret: string } }
  >
  headers?: Record<string, string | { $secret: string }>
  timeoutMs?: number
}

/**
 * A connector made by {@link createOpenApiConnector}.
 *
 * @example
 * ```ts
 * const petstore: OpenApiConnector = await createOpenApiConnector({ id: 'petstore', document })
 * ```
 */
export type OpenApiConnector = Awaited<ReturnType<typeof createOpenApiConnector>>
