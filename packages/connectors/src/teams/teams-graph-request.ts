import { ConnectorError } from '@tessera/core'
import { defaultGraphBaseUrl, type ResolvedTeamsGraphConfig } from './teams-graph-config'
import { teamsRequest } from './teams-http'

/**
 * Calls Microsoft Graph with the configured token and returns the parsed JSON answer; failures
 * become `ConnectorError`s (see `teamsRequest`). `path` starts with "/" (under the base URL) or
 * is an absolute `@odata.nextLink` under it. A step's idempotency key goes into
 * `client-request-id` as a GUID derived from it, which Graph logs and echoes.
 *
 * @example
 * ```ts
 * const channels = await graphRequest(config, { connector: 'teams-graph', action: 'list-channels', signal }, 'GET', '/teams/42/channels')
 * ```
 */
export async function graphRequest(
  config: ResolvedTeamsGraphConfig,
  context: {
    connector: string
    action: string
    signal: AbortSignal
    fetch?: typeof globalThis.fetch | undefined
  },
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; idempotencyKey?: string } = {},
): Promise<Record<string, unknown>> {
  const base = (config.baseUrl ?? defaultGraphBaseUrl).replace(/\/+$/, '')
  const url = path.startsWith('/') ? base + path : path
  if (!url.startsWith(`${base}/`))
    throw new ConnectorError({
      connector: context.connector,
      action: context.action,
      reason: 'invalid-response',
      message: `Graph sent a next link outside ${base}`,
    })
  const headers: Record<string, string> = {
    authorization: `Bearer ${config.token}`,
    accept: 'application/json',
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.idempotencyKey !== undefined)
    headers['client-request-id'] = await guidFor(options.idempotencyKey)
  const answer = await teamsRequest({
    connector: context.connector,
    action: context.action,
    where: `${method} ${new URL(url).pathname}`,
    url,
    init: {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    },
    signal: context.signal,
    timeoutMs: config.timeoutMs,
    fetch: context.fetch,
  })
  try {
    const parsed = JSON.parse(answer.text) as unknown
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>
  } catch {
    // reported below
  }
  throw new ConnectorError({
    connector: context.connector,
    action: context.action,
    reason: 'invalid-response',
    message: `${method} ${new URL(url).pathname} answered ${answer.status} without a JSON object`,
  })
}

/**
 * A GUID made from a key (its SHA-256, with the version 8 and variant bits set): the same key
 * always gives the same GUID.
 *
 * @example
 * ```ts
 * await guidFor('run-1:post') // 'xxxxxxxx-xxxx-8xxx-xxxx-xxxxxxxxxxxx'
 * ```
 */
export async function guidFor(key: string): Promise<string> {
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)),
  ).slice(0, 16)
  digest[6] = (digest[6]! & 0x0f) | 0x80
  digest[8] = (digest[8]! & 0x3f) | 0x80
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
