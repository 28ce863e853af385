import { defineConnector } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import { httpConnectorConfigSchema } from './http-connector-config'
import { createHttpPaginateAction } from './http-paginate-action'
import { createHttpRequestAction, defaultHttpTimeoutMs } from './http-request-action'
import { httpStatusError } from './http-status-error'
import { prepareHttpRequest } from './prepare-http-request'
import { sendHttpRequest, urlUnderBase } from './send-http-request'

/**
 * Settings of {@link createHttpConnector}.
 *
 * @example
 * ```ts
 * const settings: HttpConnectorSettings = { id: 'github', fetch: instrumentedFetch }
 * ```
 */
export interface HttpConnectorSettings {
  /** Default `http`. Give each instance its own id to register several in one engine. */
  id?: string
  /** Default: the global `fetch`, looked up at every request. */
  fetch?: typeof globalThis.fetch
}

/**
 * Creates an HTTP connector with two actions: `request` sends one request relative to the
 * configured base URL, and `paginate` reads a paginated list (Link header, cursor, page or
 * offset). Both pass the step's idempotency key as an `Idempotency-Key` header, the step's
 * abort signal (combined with `timeoutMs`) to fetch, and `auth` credentials (secret
 * references). `request` returns every status as output unless `errors: 'throw'`; network
 * failures, timeouts and aborts throw a `ConnectorError`. `check` GETs `healthPath` and expects
 * a 2xx, or else sends a HEAD to the base URL and only fails when the host is unreachable or
 * the credentials are refused (401/403).
 *
 * @example
 * ```ts
 * const github = createHttpConnector({ id: 'github', fetch: instrumentedFetch })
 * engine.register(github)
 * ```
 */
export function createHttpConnector(settings: HttpConnectorSettings = {}) {
  const id = settings.id ?? 'http'
  const fetch = () => settings.fetch ?? globalThis.fetch
  return defineConnector({
    id,
    name: 'HTTP',
    description:
      'Calls an HTTP API under a base URL: one request, or every page of a list; bearer, basic or API-key auth',
    docs: 'https://tessera.dev/docs/connectors/http',
    config: httpConnectorConfigSchema,
    actions: {
      request: createHttpRequestAction({ connectorId: id, fetch }),
      paginate: createHttpPaginateAction({ connectorId: id, fetch }),
    },
    async check({ config, signal, logger }) {
      const url = urlUnderBase(config.baseUrl, config.healthPath ?? '')
      if (url === undefined)
        throw new ConnectorError({
          connector: id,
          action: 'check',
          reason: 'invalid-config',
          message: `healthPath ${JSON.stringify(config.healthPath)} leaves the base URL`,
        })
      const headers = prepareHttpRequest({
        connector: id,
        action: 'check',
        url,
        configHeaders: config.headers,
        auth: config.auth,
      })
      const method = config.healthPath === undefined ? 'HEAD' : 'GET'
      const response = await sendHttpRequest({
        connector: id,
        action: 'check',
        fetch: fetch(),
        method,
        url,
        headers,
        signal,
        timeoutMs: config.timeoutMs ?? defaultHttpTimeoutMs,
        logger,
      })
      const strict = config.healthPath !== undefined
      if (!strict && response.status !== 401 && response.status !== 403) return
      const error = httpStatusError({
        connector: id,
        action: 'check',
        where: response.where,
        status: response.status,
        headers: response.headers,
        body: response.body,
      })
      if (error) throw error
    },
  })
}

/**
 * The HTTP connector with the global `fetch` (see {@link createHttpConnector}).
 *
 * @example
 * ```ts
 * const config = httpConnector.config.parse({ baseUrl: 'https://api.example.com', auth: { type: 'bearer', token: { $secret: 'API_TOKEN' } } })
 * const { status, body } = await httpConnector.actions.request.run({
 *   config: { ...config, auth: { type: 'bearer', token: resolvedToken } },
 *   input: { method: 'POST', path: '/orders', body: { sku: 'A-1' } },
 *   signal,
 *   idempotencyKey: 'order-42',
 *   logger,
 * })
 * ```
 */
export const httpConnector = /* @__PURE__ */ createHttpConnector()

/**
 * The connector that {@link createHttpConnector} returns.
 *
 * @example
 * ```ts
 * const github: HttpConnector = createHttpConnector({ id: 'github' })
 * ```
 */
export type HttpConnector = ReturnType<typeof createHttpConnector>
