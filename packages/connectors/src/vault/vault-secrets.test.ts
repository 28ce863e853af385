import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConnectorConfigError,
  ConnectorError,
  createEngine,
  createWorkflow,
  defineConnector,
  secretRef,
} from '@tessera/core'
import { vaultSecrets } from './index'

// A local server that answers like Vault's documented HTTP API: KV version 2 reads
// (GET /v1/<mount>/data/<path>), AppRole login (POST /v1/auth/approle/login) and token renewal
// (POST /v1/auth/token/renew-self), with Vault's error shape { "errors": [...] }.

const rootToken = 'hvs.root-token-for-tests'
const vault = {
  url: '',
  // mount → path → data
  kv: new Map<string, Map<string, Record<string, unknown>>>(),
  tokens: new Map<string, { renewable: boolean }>(),
  requests: [] as { method: string; url: string; token?: string; namespace?: string }[],
  logins: 0,
  renewals: 0,
  next: undefined as { status: number; headers?: Record<string, string> } | undefined,
  hold: false,
}
let server: Server

const errors = (response: import('node:http').ServerResponse, status: number, list: string[]) => {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ errors: list }))
}

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      const token = request.headers['x-vault-token'] as string | undefined
      const namespace = request.headers['x-vault-namespace'] as string | undefined
      vault.requests.push({ method: request.method!, url: request.url!, token, namespace })
      if (vault.hold) return
      const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers })
        response.end(JSON.stringify(json))
      }
      if (vault.next) {
        const { status, headers } = vault.next
        vault.next = undefined
        return reply(
          status,
          { errors: status === 503 ? ['Vault is sealed'] : ['rate limit quota exceeded'] },
          headers,
        )
      }
      const url = new URL(request.url!, 'http://vault')
      if (request.method === 'POST' && url.pathname === '/v1/auth/approle/login') {
        const { role_id, secret_id } = JSON.parse(body || '{}')
        if (role_id !== 'role-1' || secret_id !== 'secret-id-1')
          return errors(response, 400, ['invalid role or secret ID'])
        vault.logins++
        const client = `hvs.approle-${vault.logins}`
        vault.tokens.set(client, { renewable: true })
        return reply(200, {
          request_id: 'r',
          lease_id: '',
          renewable: false,
          lease_duration: 0,
          data: null,
          auth: {
            client_token: client,
            accessor: 'a',
            policies: ['default'],
            lease_duration: 30,
            renewable: true,
          },
        })
      }
      const known = token === rootToken || (token !== undefined && vault.tokens.has(token))
      if (!known) return errors(response, 403, ['permission denied'])
      if (request.method === 'POST' && url.pathname === '/v1/auth/token/renew-self') {
        vault.renewals++
        return reply(200, { auth: { client_token: token, lease_duration: 30, renewable: true } })
      }
      const match = /^\/v1\/(.+?)\/data\/(.+)$/.exec(url.pathname)
      if (request.method === 'GET' && match) {
        const data = vault.kv.get(match[1]!)?.get(decodeURIComponent(match[2]!))
        if (!data) return errors(response, 404, [])
        return reply(200, {
          request_id: 'r',
          lease_id: '',
          renewable: false,
          lease_duration: 0,
          data: {
            data,
            metadata: {
              created_time: '2026-01-01T00:00:00Z',
              deletion_time: '',
              destroyed: false,
              version: 1,
            },
          },
          wrap_info: null,
          warnings: null,
          auth: null,
        })
      }
      errors(response, 404, [])
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  vault.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})
beforeEach(() => {
  vault.kv = new Map<string, Map<string, Record<string, unknown>>>([
    [
      'secret',
      new Map([['tessera/slack', { value: 'xoxb-from-vault', bot_token: 'xoxb-bot', port: 5432 }]]),
    ],
    ['kv', new Map([['db', { password: 'pg-pass' }]])],
  ])
  vault.requests = []
  vault.tokens.clear()
  vault.logins = 0
  vault.renewals = 0
  vault.next = undefined
  vault.hold = false
})

const failureOf = async (promise: Promise<unknown>): Promise<ConnectorError> => {
  try {
    await promise
  } catch (error) {
    expect(ConnectorError.isInstance(error), String(error)).toBe(true)
    return error as ConnectorError
  }
  throw new Error('expected a ConnectorError')
}

describe('vaultSecrets', () => {
  it('reads KV v2 fields by path#field (default field "value"), under a prefix, with token and namespace', async () => {
    const secrets = vaultSecrets({
      address: vault.url,
      token: rootToken,
      prefix: 'tessera/',
      namespace: 'team-a',
    })
    expect(await secrets.get('slack')).toBe('xoxb-from-vault')
    expect(await secrets.get('slack#bot_token')).toBe('xoxb-bot')
    expect(await secrets.get('slack#port')).toBe('5432')
    expect(await secrets.get('slack#missing')).toBeUndefined()
    expect(await secrets.get('nothing-here')).toBeUndefined()
    expect(vault.requests[0]).toEqual({
      method: 'GET',
      url: '/v1/secret/data/tessera/slack',
      token: rootToken,
      namespace: 'team-a',
    })
    // The secret was read once for its three fields (cached), the unknown one once.
    expect(vault.requests.map((request) => request.url)).toEqual([
      '/v1/secret/data/tessera/slack',
      '/v1/secret/data/tessera/nothing-here',
    ])
    const other = vaultSecrets({ address: vault.url, token: rootToken, mount: 'kv', cacheTtlMs: 0 })
    expect(await other.get('db#password')).toBe('pg-pass')
    expect(await other.get('db#password')).toBe('pg-pass')
    expect(vault.requests.filter((request) => request.url === '/v1/kv/data/db')).toHaveLength(2)
  })

  it('logs in with AppRole, renews the token before its lease ends, and logs in again when it is revoked', async () => {
    let clock = 1_000_000
    const secrets = vaultSecrets({
      address: vault.url,
      appRole: { roleId: 'role-1', secretId: 'secret-id-1' },
      prefix: 'tessera',
      cacheTtlMs: 0,
      now: () => clock,
    })
    expect(await secrets.get('slack')).toBe('xoxb-from-vault')
    expect(vault.logins).toBe(1)
    expect(vault.requests.at(-1)!.token).toBe('hvs.approle-1')
    clock += 25_000 // past 2/3 of the 30 s lease
    expect(await secrets.get('slack')).toBe('xoxb-from-vault')
    expect(vault.renewals).toBe(1)
    expect(vault.logins).toBe(1)
    vault.tokens.clear() // revoked
    expect(await secrets.get('slack')).toBe('xoxb-from-vault')
    expect(vault.logins).toBe(2)
  })

  it('maps failures: 403 unauthorized, 429 rate-limited, sealed 503 remote (retryable), unreachable network, bad AppRole', async () => {
    const denied = await failureOf(
      vaultSecrets({ address: vault.url, token: 'hvs.not-a-token' }).get('slack'),
    )
    expect(denied).toMatchObject({ reason: 'unauthorized', status: 403 })
    expect(denied.message).toContain('permission denied')
    expect(denied.message).not.toContain('hvs.not-a-token')
    const secrets = vaultSecrets({
      address: vault.url,
      token: rootToken,
      cacheTtlMs: 0,
      prefix: 'tessera/',
    })
    vault.next = { status: 429, headers: { 'retry-after': '2' } }
    expect(await failureOf(secrets.get('slack'))).toMatchObject({
      reason: 'rate-limited',
      retryAfterMs: 2000,
    })
    vault.next = { status: 503 }
    const sealed = await failureOf(secrets.get('slack'))
    expect(sealed).toMatchObject({ reason: 'remote', retryable: true })
    expect(sealed.message).toContain('Vault is sealed')
    expect(
      await failureOf(vaultSecrets({ address: 'http://127.0.0.1:9', token: rootToken }).get('x')),
    ).toMatchObject({
      reason: 'network',
    })
    const badRole = await failureOf(
      vaultSecrets({
        address: vault.url,
        appRole: { roleId: 'role-1', secretId: 'wrong-secret-id' },
      }).get('x'),
    )
    expect(badRole.reason).toBe('invalid-request')
    expect(badRole.message).not.toContain('wrong-secret-id')
    expect(() => vaultSecrets({ address: 'ftp://x', token: 't' })).toThrow(/http or https/)
    expect(() => vaultSecrets({ address: vault.url })).toThrow(/either `token` or `appRole`/)
  })

  it('stops a pending read when the signal aborts', async () => {
    vault.hold = true
    const controller = new AbortController()
    const pending = vaultSecrets({ address: vault.url, token: rootToken }).get('slack', {
      signal: controller.signal,
    })
    while (vault.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort()
    expect(await failureOf(pending)).toMatchObject({ reason: 'aborted' })
  })

  it('serves an engine: the action gets the value, a missing one stops the start', async () => {
    const api = defineConnector({
      id: 'api',
      config: z.object({ token: secretRef() }).strict(),
      actions: {
        whoami: {
          input: z.unknown(),
          output: z.string(),
          run: async ({ config }) => `token length ${config.token.length}`,
        },
      },
    })
    const engine = createEngine({
      secrets: vaultSecrets({ address: vault.url, token: rootToken, prefix: 'tessera/' }),
    })
    try {
      const ok = createWorkflow({ id: 'vault-ok', input: z.unknown() })
        .action(api, 'whoami', { token: { $secret: 'slack#bot_token' } })
        .commit()
      expect(await (await engine.start(ok, {})).result()).toBe('token length 8')
      const missing = createWorkflow({ id: 'vault-missing', input: z.unknown() })
        .action(api, 'whoami', { token: { $secret: 'slack#nope' } })
        .commit()
      const error = await engine.start(missing, {}).catch((thrown: unknown) => thrown)
      expect(ConnectorConfigError.isInstance(error)).toBe(true)
      expect((error as ConnectorConfigError).issues[0]).toMatchObject({
        secret: 'slack#nope',
        reason: 'missing-secret',
      })
    } finally {
      await engine.close()
    }
  })
})
