import type { Logger, SecretsProviderV1 } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import { sendHttpRequest, type SentHttpResponse } from '../http/send-http-request'
import { parseRetryAfter } from '../http/http-status-error'

/** Options of {@link vaultSecrets}. */
export interface VaultSecretsOptions {
  /** Vault's address, such as `https://vault.example.com:8200`. */
  address: string
  /**
   * How to authenticate: a token (a string: the host holds it, e.g. from `VAULT_TOKEN`), or an
   * AppRole (`roleId` and `secretId`; `mount` default `approle`), logged in on first use, renewed
   * while renewable and logged in again when it expires or is revoked.
   */
  token?: string
  appRole?: { roleId: string; secretId: string; mount?: string }
  /** The KV version 2 secrets engine's mount. Default `secret`. */
  mount?: string
  /**
   * A path under the mount that every name is read below, such as `tessera/`. Default: none.
   * Like the `TESSERA_SECRET_` prefix of `envSecrets()`, it keeps definitions (which editors may
   * change over the HTTP API) from reading any secret the token can: give the token a policy on
   * this path only.
   */
  prefix?: string
  /** Vault Enterprise namespace (`X-Vault-Namespace`). */
  namespace?: string
  /** How long a value read is reused, in milliseconds. Default 60 000; 0 reads every time. */
  cacheTtlMs?: number
  /** Per-request timeout in milliseconds. Default 10 000. */
  timeoutMs?: number
  /** Default: the global fetch. */
  fetch?: typeof globalThis.fetch
  /** Default: none. Lines never carry tokens or values. */
  logger?: Logger
  /** Default: `Date.now`. */
  now?: () => number
}

/** A Vault secrets provider, with a way to drop its cache and token. */
export interface VaultSecretsProvider extends SecretsProviderV1 {
  /** Forgets cached values (and the AppRole token), so the next reads go to Vault. */
  clear(): void
}

const noopLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => noopLogger,
}

/**
 * A secrets provider over HashiCorp Vault's KV version 2 engine, by its HTTP API: the name
 * `path#field` reads field `field` of the secret at `<mount>/data/<prefix><path>`
 * (`GET /v1/<mount>/data/<path>` with `X-Vault-Token`); without `#field` the field is `value`.
 * A secret or field that does not exist is `undefined`. Failures are `ConnectorError`s of
 * connector `vault`: unreachable → `network`, 403 → `unauthorized`, 429 → `rate-limited`, 5xx
 * (a sealed Vault) → `remote`, retryable. Tokens, secret ids and values are never in messages.
 *
 * @example
 * ```ts
 * const engine = createEngine({
 *   secrets: vaultSecrets({
 *     address: 'https://vault.internal:8200',
 *     appRole: { roleId: process.env.VAULT_ROLE_ID!, secretId: process.env.VAULT_SECRET_ID! },
 *     prefix: 'tessera/',
 *   }),
 * })
 * // { "$secret": "slack#bot_token" } reads field bot_token of secret/data/tessera/slack
 * ```
 */
export function vaultSecrets(options: VaultSecretsOptions): VaultSecretsProvider {
  const fail = (reason: ConnectorError['reason'], message: string, extra = {}) =>
    new ConnectorError({ connector: 'vault', action: 'get', reason, message, ...extra })
  let address: URL
  try {
    address = new URL(options?.address)
    if (address.protocol !== 'http:' && address.protocol !== 'https:') throw new Error('protocol')
  } catch {
    throw fail('invalid-config', 'vaultSecrets: `address` must be an http or https URL of Vault')
  }
  if ((options.token === undefined) === (options.appRole === undefined))
    throw fail('invalid-config', 'vaultSecrets: give either `token` or `appRole` (one of them)')
  if (
    options.appRole !== undefined &&
    (typeof options.appRole.roleId !== 'string' || typeof options.appRole.secretId !== 'string')
  )
    throw fail('invalid-config', 'vaultSecrets: `appRole` needs `roleId` and `secretId` strings')
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token === ''))
    throw fail('invalid-config', 'vaultSecrets: `token` must be a non-empty string')
  const mount = trimSlashes(options.mount ?? 'secret')
  const prefix = options.prefix === undefined ? '' : `${trimSlashes(options.prefix)}/`
  const cacheTtlMs = options.cacheTtlMs ?? 60_000
  const timeoutMs = options.timeoutMs ?? 10_000
  const fetchImpl = options.fetch ?? globalThis.fetch
  const logger = options.logger ?? noopLogger
  const now = options.now ?? Date.now
  const cache = new Map<string, { value: Record<string, unknown> | undefined; until: number }>()

  // The AppRole session: the token, when to renew it, when it expires.
  let session: { token: string; renewAt: number; expiresAt: number; renewable: boolean } | undefined
  let loggingIn: Promise<string> | undefined

  const send = (
    action: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    signal: AbortSignal,
    body?: unknown,
  ) => {
    const url = new URL(`v1/${path}`, address.href.endsWith('/') ? address : `${address.href}/`)
    const all = new Headers(headers)
    if (options.namespace !== undefined) all.set('x-vault-namespace', options.namespace)
    return sendHttpRequest({
      connector: 'vault',
      action,
      fetch: fetchImpl,
      method,
      url,
      headers: all,
      ...(body !== undefined ? { body } : {}),
      signal,
      timeoutMs,
      logger,
    })
  }

  const failure = (action: string, response: SentHttpResponse, what: string) => {
    const errors = (response.body as { errors?: unknown } | null)?.errors
    const detail =
      Array.isArray(errors) && errors.every((entry) => typeof entry === 'string') && errors.length
        ? `: ${errors.join('; ').slice(0, 200)}`
        : ''
    const make = (reason: ConnectorError['reason'], extra = {}) =>
      new ConnectorError({
        connector: 'vault',
        action,
        reason,
        status: response.status,
        message: `${what} answered ${response.status}${detail}`,
        ...extra,
      })
    if (response.status === 401 || response.status === 403) return make('unauthorized')
    if (response.status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
      return make('rate-limited', retryAfterMs !== undefined ? { retryAfterMs } : {})
    }
    if (response.status >= 500) return make('remote', { retryable: true })
    if (response.status === 400) return make('invalid-request')
    return make('remote')
  }

  const login = async (signal: AbortSignal): Promise<string> => {
    const role = options.appRole!
    const roleMount = trimSlashes(role.mount ?? 'approle')
    const response = await send('login', 'POST', `auth/${roleMount}/login`, {}, signal, {
      role_id: role.roleId,
      secret_id: role.secretId,
    })
    if (response.status !== 200) throw failure('login', response, 'AppRole login')
    session = sessionFrom(response, 'login')
    logger.debug('vault: logged in with AppRole', { leaseSeconds: session.expiresAt - now() })
    return session.token
  }

  const sessionFrom = (response: SentHttpResponse, action: string) => {
    const auth = (response.body as { auth?: Record<string, unknown> } | null)?.auth
    const token = auth?.client_token
    const lease = typeof auth?.lease_duration === 'number' ? auth.lease_duration : 0
    if (typeof token !== 'string' || token === '')
      throw new ConnectorError({
        connector: 'vault',
        action,
        reason: 'invalid-response',
        message: 'Vault answered without auth.client_token',
      })
    const started = now()
    return {
      token,
      // Lease 0: a token that does not expire.
      renewAt: lease > 0 ? started + (lease * 1000 * 2) / 3 : Number.POSITIVE_INFINITY,
      expiresAt: lease > 0 ? started + lease * 1000 : Number.POSITIVE_INFINITY,
      renewable: auth?.renewable === true,
    }
  }

  const token = async (signal: AbortSignal): Promise<string> => {
    if (options.token !== undefined) return options.token
    const current = session
    if (current && now() < current.renewAt) return current.token
    if (current && current.renewable && now() < current.expiresAt) {
      try {
        const response = await send(
          'renew',
          'POST',
          'auth/token/renew-self',
          { 'x-vault-token': current.token },
          signal,
          {},
        )
        if (response.status === 200) {
          session = sessionFrom(response, 'renew')
          return session.token
        }
        logger.warn('vault: renewing the token failed; logging in again', {
          status: response.status,
        })
      } catch (error) {
        if (signal.aborted) throw error
        logger.warn('vault: renewing the token failed; logging in again', {
          reason: error instanceof Error ? error.message : String(error),
        })
      }
    }
    loggingIn ??= login(signal).finally(() => {
      loggingIn = undefined
    })
    return loggingIn
  }

  const read = async (path: string, signal: AbortSignal, again = true) => {
    const current = await token(signal)
    const response = await send(
      'get',
      'GET',
      `${mount}/data/${prefix}${path.split('/').map(encodeURIComponent).join('/')}`,
      { 'x-vault-token': current },
      signal,
    )
    if (response.status === 404) return undefined
    // An AppRole token revoked or expired early: log in once more.
    if (response.status === 403 && options.appRole !== undefined && again) {
      session = undefined
      return read(path, signal, false)
    }
    if (response.status !== 200) throw failure('get', response, `reading ${mount}/${prefix}${path}`)
    const data = (response.body as { data?: { data?: unknown } } | null)?.data?.data
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw fail(
        'invalid-response',
        `reading ${mount}/${prefix}${path}: the answer has no data.data object (is ${mount} a KV version 2 mount?)`,
      )
    return data as Record<string, unknown>
  }

  return {
    specificationVersion: 'v1',
    provider: 'vault',
    clear: () => {
      cache.clear()
      session = undefined
    },
    get: async (name, getOptions) => {
      const hash = name.indexOf('#')
      const path = hash === -1 ? name : name.slice(0, hash)
      const field = hash === -1 ? 'value' : name.slice(hash + 1)
      const signal = getOptions?.signal ?? new AbortController().signal
      let entry = cache.get(path)
      if (entry === undefined || entry.until <= now()) {
        entry = { value: await read(path, signal), until: now() + cacheTtlMs }
        if (cacheTtlMs > 0) cache.set(path, entry)
      }
      const value = entry.value?.[field]
      if (value === undefined || value === null) return undefined
      if (typeof value === 'string') return value
      if (typeof value === 'number' || typeof value === 'boolean') return String(value)
      throw fail(
        'invalid-response',
        `field "${field}" of ${mount}/${prefix}${path} is not a string (name a field that holds one: path#field)`,
      )
    },
  }
}

function trimSlashes(text: string): string {
  return String(text).replace(/^\/+|\/+$/g, '')
}
