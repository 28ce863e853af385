import { defineConnector } from '@tessera/core'
import { httpConnectorConfigSchema } from './http-connector-config'
import { createHttpRequestAction } from './http-request-action'

/** Settings of {@link createHttpConnector}. */
export interface HttpConnectorSettings {
  /** Default `http`. Give each instance its own id to register several in one engine. */
  id?: string
  /** Default: the global `fetch`, looked up at every request. */
  fetch?: typeof globalThis.fetch
}

/**
 * Creates an HTTP connector with one action, `request`, that sends a request relative to the
 * configured base URL. It passes the step's idempotency key as an `Idempotency-Key` header,
 * and the step's abort signal (combined with `timeoutMs`) to fetch. Every status comes back as
 * output; network failures, timeouts and aborts throw a `ConnectorError`.
 *
 * @example
 * ```ts
 * const github = createHttpConnector({ id: 'github', fetch: instrumentedFetch })
 * engine.register(github)
 * ```
 */
export function createHttpConnector(settings: HttpConnectorSettings = {}) {
  const id = settings.id ?? 'http'
  return defineConnector({
    id,
    name: 'HTTP',
    description: 'Calls an HTTP API under a base URL',
    config: httpConnectorConfigSchema,
    actions: {
      request: createHttpRequestAction({
        connectorId: id,
        fetch: () => settings.fetch ?? globalThis.fetch,
      }),
    },
  })
}

/**
 * The HTTP connector with the global `fetch` (see {@link createHttpConnector}).
 *
 * @example
 * ```ts
 * const config = httpConnector.config.parse({ baseUrl: 'https://api.example.com', headers: { authorization: `Bearer ${token}` } })
 * const { status, body } = await httpConnector.actions.request.run({
 *   config,
 *   input: { method: 'POST', path: '/orders', body: { sku: 'A-1' } },
 *   signal,
 *   idempotencyKey: 'order-42',
 *   logger,
 * })
 * ```
 */
export const httpConnector = /* @__PURE__ */ createHttpConnector()

/** The connector that {@link createHttpConnector} returns. */
export type HttpConnector = ReturnType<typeof createHttpConnector>
