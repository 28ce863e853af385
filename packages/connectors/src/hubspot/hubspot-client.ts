import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type { Client } from '@hubspot/api-client'
import { ConnectorError } from '@tessera/core'
import { loadSdk } from '../load-sdk'
import { createSdkClientCache } from '../sdk-client-cache'
import { failureOf, vendorStatusError } from '../vendor-error'
import type { HubSpotConfig } from './hubspot-config'

const defaultBasePath = 'https://api.hubapi.com'

/** Clients per resolved configuration (keyed by a hash: no token in the key). */
export class HubSpotClients {
  readonly #clients = createSdkClientCache<Client>(() => undefined)
  readonly #connectorId: string

  constructor(connectorId: string) {
    this.#connectorId = connectorId
  }

  get(config: HubSpotConfig, action: string): Promise<Client> {
    return this.#clients.get([config.accessToken, config.basePath ?? ''], () =>
      this.#create(config, action),
    )
  }

  /** Forgets every client (each call has its own agent, closed when it ends). */
  clear(): void {
    void this.#clients.close()
  }

  async #create(config: HubSpotConfig, action: string): Promise<Client> {
    const module = await loadSdk(
      () => import('@hubspot/api-client'),
      '@hubspot/api-client',
      'HubSpot',
      this.#connectorId,
      action,
    )
    // No SDK retries and no limiter: the engine's retry policy owns retries.
    return new module.Client({
      accessToken: config.accessToken,
      basePath: (config.basePath ?? defaultBasePath).replace(/\/+$/, ''),
      numberOfApiCallRetries: 0,
    })
  }
}

/**
 * The per-call options that make one SDK call abortable. The SDK's fetch takes no signal, so the
 * call gets an HTTP agent of its own (through a call-time middleware) whose sockets are
 * destroyed when `signal` aborts; the returned `run` also rejects at once on abort.
 */
export function abortableCall(config: HubSpotConfig, signal: AbortSignal) {
  const secure = new URL(config.basePath ?? defaultBasePath).protocol === 'https:'
  const agent = secure ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false })
  const options = {
    middleware: [
      {
        pre: async (context: { setAgent(agent: HttpAgent | HttpsAgent): void }) => {
          context.setAgent(agent)
          return context
        },
        post: async <T>(context: T) => context,
      },
    ],
    middlewareMergeStrategy: 'append' as const,
  }
  const run = async <T>(call: (options: never) => Promise<T>): Promise<T> => {
    signal.throwIfAborted()
    let onAbort!: () => void
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        agent.destroy()
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      return await Promise.race([call(options as never), aborted])
    } finally {
      signal.removeEventListener('abort', onAbort)
      agent.destroy()
    }
  }
  return run
}

interface HubSpotErrorShape {
  code?: unknown
  body?: unknown
  headers?: Record<string, unknown>
}

/**
 * Maps what the HubSpot SDK throws (an `ApiException` with `code`, `body`, `headers`) to a
 * `ConnectorError`, reading HubSpot's `{ status: 'error', message, category, correlationId }`:
 * 401/403 unauthorized, 404 not-found, 400/409/422 invalid-request, 429 rate-limited
 * (retryAfterMs from Retry-After, else the rate-limit interval headers), 5xx remote and
 * retryable, no response network, an aborted signal aborted.
 */
export function hubspotError(
  connector: string,
  action: string,
  error: unknown,
  signal: AbortSignal,
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const fail = failureOf({ connector, action }, error)
  if (signal.aborted) return fail('aborted', 'the call was aborted by the caller')
  const shape = (typeof error === 'object' && error !== null ? error : {}) as HubSpotErrorShape
  const status = typeof shape.code === 'number' ? shape.code : undefined
  if (status === undefined || status < 100) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    return fail('network', `HubSpot could not be reached: ${message}`)
  }
  const body = (typeof shape.body === 'object' && shape.body !== null ? shape.body : {}) as {
    message?: unknown
    category?: unknown
    correlationId?: unknown
    policyName?: unknown
  }
  const detail = [
    typeof body.message === 'string' ? body.message : `HTTP ${status}`,
    typeof body.category === 'string' ? `category ${body.category}` : undefined,
    typeof body.correlationId === 'string' ? `correlationId ${body.correlationId}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join('; ')
  return vendorStatusError(fail, {
    vendor: 'HubSpot',
    refused: 'the token',
    status,
    detail,
    retryAfterMs:
      status === 429 ? rateLimitWaitMs(shape.headers ?? {}, body.policyName) : undefined,
  })
}

/** How long to wait after a 429: Retry-After, else the rolling window's length. */
function rateLimitWaitMs(headers: Record<string, unknown>, policy: unknown): number | undefined {
  const header = (name: string) => {
    const value = headers[name] ?? headers[name.toLowerCase()]
    const number = Number(value)
    return value !== undefined && Number.isFinite(number) ? number : undefined
  }
  const retryAfter = header('retry-after')
  if (retryAfter !== undefined) return retryAfter * 1000
  const interval = header('x-hubspot-ratelimit-interval-milliseconds')
  if (interval !== undefined) return interval
  if (policy === 'SECONDLY' || policy === 'TEN_SECONDLY_ROLLING') return 1000
  return undefined
}
