import type { Octokit } from '@octokit/rest'
import { ConnectorError } from '@tessera/core'
import { loadSdk } from '../load-sdk'
import { createSdkClientCache } from '../sdk-client-cache'
import { failureOf } from '../vendor-error'
import type { GitHubConfig } from './github-config'

/**
 * Builds an Octokit client; injectable so hosts can add plugins or a custom `fetch`.
 *
 * @example
 * ```ts
 * const client: GitHubClientFactory = ({ token, baseUrl }) => new Octokit({ auth: token, baseUrl, request: { fetch: proxiedFetch } })
 * ```
 */
export type GitHubClientFactory = (options: {
  token: string
  baseUrl: string | undefined
}) => Octokit | Promise<Octokit>

const silentLog = { debug() {}, info() {}, warn() {}, error() {} }

async function defaultGitHubClient(options: {
  token: string
  baseUrl: string | undefined
}): Promise<Octokit> {
  const module = await loadSdk(
    () => import('@octokit/rest'),
    '@octokit/rest',
    'GitHub',
    'github',
    'client',
  )
  // @octokit/rest has no retry or throttling plugin: the engine's retry policy owns retries.
  return new module.Octokit({
    auth: options.token,
    userAgent: 'tessera-connectors',
    log: silentLog,
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
  })
}

/** A cache of clients per resolved configuration (keyed by a hash: no token in the key). */
export class GitHubClients {
  readonly #clients = createSdkClientCache<Octokit>(() => undefined)
  readonly #factory: GitHubClientFactory

  constructor(factory: GitHubClientFactory | undefined) {
    this.#factory = factory ?? defaultGitHubClient
  }

  get(config: GitHubConfig): Promise<Octokit> {
    return this.#clients.get([config.token, config.baseUrl ?? ''], async () =>
      this.#factory({ token: config.token, baseUrl: config.baseUrl }),
    )
  }

  /** Forgets every client (Octokit holds no sockets of its own: fetch pools them). */
  clear(): void {
    void this.#clients.close()
  }
}

interface OctokitErrorShape {
  status?: unknown
  message?: unknown
  response?: { headers?: Record<string, unknown>; data?: unknown }
}

/**
 * Maps what Octokit throws to a `ConnectorError`: 401 unauthorized, 403/429 with rate-limit
 * headers rate-limited (retryAfterMs from `retry-after` or `x-ratelimit-reset`), other 403
 * unauthorized, 404/410 not-found, 422 invalid-request with GitHub's `errors` array, 5xx remote
 * (retryable), no response network, and an aborted signal aborted.
 */
export function githubError(
  connector: string,
  action: string,
  error: unknown,
  signal: AbortSignal,
  now: () => number = Date.now,
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const fail = failureOf({ connector, action }, error)
  if (signal.aborted) return fail('aborted', 'the call was aborted by the caller')
  const shape = (typeof error === 'object' && error !== null ? error : {}) as OctokitErrorShape
  const response = shape.response
  const status = typeof shape.status === 'number' ? shape.status : undefined
  if (response === undefined || status === undefined) {
    const message = error instanceof Error ? error.message : String(error)
    return fail('network', `GitHub could not be reached: ${message}`)
  }
  const headers = response.headers ?? {}
  const data = (
    typeof response.data === 'object' && response.data !== null ? response.data : {}
  ) as { message?: unknown; errors?: unknown }
  const remoteMessage =
    typeof data.message === 'string' ? data.message : `HTTP ${status} from GitHub`
  const retryAfter = retryAfterMs(headers, now)
  if (status === 429 || (status === 403 && retryAfter !== undefined))
    return fail('rate-limited', `GitHub rate limit: ${remoteMessage}`, {
      status,
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    })
  if (status === 401 || status === 403)
    return fail('unauthorized', `GitHub refused the token (HTTP ${status}): ${remoteMessage}`, {
      status,
    })
  if (status === 404 || status === 410)
    return fail('not-found', `GitHub: ${remoteMessage} (HTTP ${status})`, { status })
  if (status === 422 || status === 400 || status === 409) {
    const details = Array.isArray(data.errors) ? ` ${JSON.stringify(data.errors)}` : ''
    return fail('invalid-request', `GitHub refused the request: ${remoteMessage}${details}`, {
      status,
    })
  }
  return fail('remote', `GitHub answered HTTP ${status}: ${remoteMessage}`, {
    status,
    retryable: status >= 500,
  })
}

/** Milliseconds to wait from `retry-after` (seconds) or, at remaining 0, `x-ratelimit-reset`. */
function retryAfterMs(headers: Record<string, unknown>, now: () => number): number | undefined {
  const retryAfter = Number(headers['retry-after'])
  if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter)) return retryAfter * 1000
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset'])
    if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - now())
  }
  return undefined
}
