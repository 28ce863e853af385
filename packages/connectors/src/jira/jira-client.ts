import type { Client, Version3Client } from 'jira.js'
import { ConnectorError } from '@tessera/core'
import { loadSdk } from '../load-sdk'
import { createSdkClientCache } from '../sdk-client-cache'
import { failureOf, vendorStatusError } from '../vendor-error'
import { jiraApiVersion, type JiraConfig } from './jira-config'

type JiraModule = typeof import('jira.js')

/** The jira.js pieces the connector uses: a client, and API groups bound to one call's signal. */
export interface JiraSdk {
  module: JiraModule
  client: Version3Client
  /** A client for the API groups (`new module.Version3.Issues(scoped)`) that passes `signal`. */
  scoped(signal: AbortSignal): Client
}

/**
 * The API groups of the configured REST version (`Version2` has the same groups and methods on
 * `/rest/api/2`, with plain-text descriptions and comments), typed as version 3's.
 */
export function jiraApi(sdk: JiraSdk, config: JiraConfig): JiraModule['Version3'] {
  return (jiraApiVersion(config) === '2'
    ? sdk.module.Version2
    : sdk.module.Version3) as unknown as JiraModule['Version3']
}

/** Clients per resolved configuration (keyed by a hash: no token in the key). */
export class JiraClients {
  readonly #clients = createSdkClientCache<JiraSdk>(() => undefined)
  readonly #connectorId: string

  constructor(connectorId: string) {
    this.#connectorId = connectorId
  }

  get(config: JiraConfig, action: string): Promise<JiraSdk> {
    return this.#clients.get([config.host, config.email, config.apiToken, config.token], () =>
      this.#create(config, action),
    )
  }

  /** Forgets every client (axios pools its sockets in Node's global agent). */
  clear(): void {
    void this.#clients.close()
  }

  async #create(config: JiraConfig, action: string): Promise<JiraSdk> {
    const module: JiraModule = await loadSdk(
      () => import('jira.js'),
      'jira.js',
      'Jira',
      this.#connectorId,
      action,
    )
    const client =
      config.token !== undefined
        ? new module.Version3Client({
            host: config.host,
            baseRequestConfig: { headers: { Authorization: `Bearer ${config.token}` } },
          })
        : new module.Version3Client({
            host: config.host,
            authentication: {
              basic: { email: config.email ?? '', apiToken: config.apiToken ?? '' },
            },
          })
    const scoped = (signal: AbortSignal): Client =>
      ({
        sendRequest: (request: object, callback?: never) =>
          client.sendRequest({ ...request, signal }, callback as never),
        sendRequestFullResponse: (request: object) =>
          client.sendRequestFullResponse({ ...request, signal }),
        handleSuccessResponse: client.handleSuccessResponse.bind(client),
        handleFailedResponse: client.handleFailedResponse.bind(client),
      }) as unknown as Client
    return { module, client, scoped }
  }
}

interface JiraErrorShape {
  status?: unknown
  code?: unknown
  message?: unknown
  response?: { data?: unknown; status?: unknown; headers?: Record<string, unknown> }
  cause?: { response?: { headers?: Record<string, unknown> } }
}

/**
 * Maps what jira.js throws to a `ConnectorError`, reading Jira's error body
 * (`{ errorMessages: [], errors: {} }`): 401/403 unauthorized, 404 not-found, 400 invalid-request,
 * 429 rate-limited (retryAfterMs from Retry-After), 5xx remote (retryable), no response network,
 * an aborted signal aborted.
 */
export function jiraError(
  connector: string,
  action: string,
  error: unknown,
  signal: AbortSignal,
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const fail = failureOf({ connector, action }, error)
  if (signal.aborted) return fail('aborted', 'the call was aborted by the caller')
  const shape = (typeof error === 'object' && error !== null ? error : {}) as JiraErrorShape
  // jira.js wraps an HTTP error in an HttpException (status, response.data, cause = AxiosError).
  const status = typeof shape.status === 'number' ? shape.status : undefined
  const data = shape.response?.data
  if (status === undefined || data === undefined) {
    const message = error instanceof Error ? error.message : String(error)
    return fail('network', `Jira could not be reached: ${message}`)
  }
  const detail = jiraMessages(data) ?? `HTTP ${status} from Jira`
  const headers = shape.cause?.response?.headers ?? {}
  const retryAfter = Number(headers['retry-after'])
  const retryAfterMs =
    headers['retry-after'] !== undefined && Number.isFinite(retryAfter)
      ? retryAfter * 1000
      : undefined
  return vendorStatusError(fail, {
    vendor: 'Jira',
    refused: 'the credentials',
    status,
    detail,
    retryAfterMs,
    remoteRetryAfter: true,
  })
}

/** Jira's `{ errorMessages, errors }` as one line, or undefined when the body is not that. */
function jiraMessages(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const body = data as { errorMessages?: unknown; errors?: unknown; message?: unknown }
  const parts: string[] = []
  if (Array.isArray(body.errorMessages))
    parts.push(...body.errorMessages.filter((item): item is string => typeof item === 'string'))
  if (typeof body.errors === 'object' && body.errors !== null)
    for (const [field, message] of Object.entries(body.errors))
      parts.push(`${field}: ${String(message)}`)
  if (parts.length === 0 && typeof body.message === 'string') parts.push(body.message)
  return parts.length > 0 ? parts.join('; ') : undefined
}
