import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConnectorError, createEngine, createWorkflow, mapSecrets, noopLogger } from '@tessera/core'
import { createHttpConnector, httpConnector } from './create-http-connector'
import type { ResolvedHttpConnectorConfig } from './http-connector-config'
import { httpPaginateInputSchema, type HttpPaginateInput } from './http-paginate-action'
import { httpRequestInputSchema, type HttpRequestInput } from './http-request-action'
import { parseRetryAfter } from './http-status-error'
import { parseLinkHeader } from './link-header'
import { readJsonPointer } from './json-pointer'

// A small API on a real node:http server: authentication checks, error statuses with
// Retry-After, and four styles of pagination over the same 7 items.

const items = Array.from({ length: 7 }, (_, index) => ({ id: index + 1 }))
let server: Server
let origin: string
let baseUrl: string
const seen: { url: string; headers: IncomingMessage['headers'] }[] = []

function json(response: ServerResponse, status: number, body: unknown, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}

function handle(request: IncomingMessage, response: ServerResponse, body: string) {
  const url = new URL(request.url ?? '/', 'http://localhost')
  seen.push({ url: request.url ?? '', headers: request.headers })
  const query = url.searchParams
  switch (url.pathname) {
    case '/v1/whoami':
      return json(response, 200, {
        authorization: request.headers.authorization ?? null,
        key: request.headers['x-api-key'] ?? query.get('api_key'),
        team: request.headers['x-team'] ?? null,
      })
    case '/v1/redirect-same':
      response.writeHead(302, { location: '/v1/whoami' })
      return response.end()
    case '/v1/see-other':
      response.writeHead(303, { location: `${origin}/v1/whoami` })
      return response.end()
    case '/v1/redirect-away':
      response.writeHead(307, { location: `${elsewhere}/landing?x=1` })
      return response.end()
    case '/v1/private':
      return request.headers.authorization === 'Bearer right'
        ? json(response, 200, { ok: true })
        : json(response, 401, { message: 'Bad credentials' })
    case '/v1/status': {
      const status = Number(query.get('code'))
      const headers: Record<string, string> = {}
      if (query.has('retry')) headers['retry-after'] = query.get('retry')!
      return json(response, status, { error: `status ${status}` }, headers)
    }
    case '/v1/health':
      return json(response, query.has('down') ? 503 : 200, { ok: !query.has('down') })
    case '/v1/link-items': {
      const page = Number(query.get('page') ?? 1)
      const next =
        page * 3 < items.length
          ? {
              link: `<${origin}/v1/link-items?page=${page + 1}>; rel="next", <${origin}/v1/link-items?page=3>; rel="last"`,
            }
          : {}
      return json(response, 200, items.slice((page - 1) * 3, page * 3), next)
    }
    case '/v1/escape':
      return json(response, 200, [1], { link: '<http://elsewhere.example/steal>; rel="next"' })
    case '/v1/cursor-items': {
      const start = Number(query.get('cursor') ?? 0)
      const end = start + 3
      return json(response, 200, {
        data: items.slice(start, end),
        meta: { next: end < items.length ? String(end) : null },
      })
    }
    case '/v1/search-items': {
      // Notion style: POST with the cursor in the JSON body.
      const search = JSON.parse(body) as { filter: string; start_cursor?: string }
      const start = Number(search.start_cursor ?? 0)
      return json(response, 200, {
        results: items.slice(start, start + 4).map((item) => ({ ...item, filter: search.filter })),
        next_cursor: start + 4 < items.length ? String(start + 4) : null,
      })
    }
    case '/v1/page-items': {
      const page = Number(query.get('page'))
      const size = Number(query.get('per_page'))
      return json(response, 200, { results: items.slice((page - 1) * size, page * size) })
    }
    case '/v1/offset-items': {
      const offset = Number(query.get('offset'))
      const limit = Number(query.get('limit') ?? 2)
      return json(response, 200, items.slice(offset, offset + limit))
    }
    default:
      return json(response, 404, { message: 'Not Found' })
  }
}

// Another origin (another port): what a redirect may lead to.
let other: Server
let elsewhere: string
const seenElsewhere: { method: string | undefined; headers: IncomingMessage['headers'] }[] = []

beforeAll(async () => {
  other = createServer((request, response) => {
    seenElsewhere.push({ method: request.method, headers: request.headers })
    json(response, 200, { landed: true })
  })
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
  elsewhere = `http://127.0.0.1:${(other.address() as AddressInfo).port}`
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => handle(request, response, body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  baseUrl = `${origin}/v1`
})
afterAll(async () => {
  other.closeAllConnections()
  await new Promise((resolve) => other.close(resolve))
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const context = (idempotencyKey = 'run-1:step') => ({
  signal: new AbortController().signal,
  idempotencyKey,
  logger: noopLogger,
})

function request(input: HttpRequestInput, config: Partial<ResolvedHttpConnectorConfig> = {}) {
  return httpConnector.actions.request.run({
    config: { baseUrl, ...config },
    input: httpRequestInputSchema.parse(input),
    ...context(),
  })
}

function paginate(input: HttpPaginateInput, config: Partial<ResolvedHttpConnectorConfig> = {}) {
  return httpConnector.actions.paginate.run({
    config: { baseUrl, ...config },
    input: httpPaginateInputSchema.parse(input),
    ...context('run-2:list'),
  })
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(ConnectorError.isInstance(error)).toBe(true)
  return error as ConnectorError
}

describe('HTTP connector: auth', () => {
  it('accepts only secret references for credentials in the stored config', () => {
    const parse = (auth: unknown) => httpConnector.config.safeParse({ baseUrl, auth })
    expect(parse({ type: 'bearer', token: { $secret: 'API_TOKEN' } }).success).toBe(true)
    expect(parse({ type: 'bearer', token: 'inline-token' }).success).toBe(false)
    expect(parse({ type: 'basic', username: 'ann', password: { $secret: 'PW' } }).success).toBe(
      true,
    )
    expect(
      parse({ type: 'api-key', in: 'cookie', name: 'k', value: { $secret: 'K' } }).success,
    ).toBe(false)
    expect(
      httpConnector.config.safeParse({ baseUrl, headers: { 'x-api-key': { $secret: 'KEY' } } })
        .success,
    ).toBe(true)
  })

  it('sends bearer, basic (UTF-8) and API keys in a header or the query, and secret headers', async () => {
    const bearer = await request(
      { method: 'GET', path: '/whoami' },
      { auth: { type: 'bearer', token: 'tok-1' } },
    )
    expect(bearer.body).toMatchObject({ authorization: 'Bearer tok-1' })
    const basic = await request(
      { method: 'GET', path: '/whoami' },
      { auth: { type: 'basic', username: 'zoë', password: 'pässword' } },
    )
    expect((basic.body as { authorization: string }).authorization).toBe(
      `Basic ${Buffer.from('zoë:pässword', 'utf8').toString('base64')}`,
    )
    const header = await request(
      { method: 'GET', path: '/whoami' },
      { auth: { type: 'api-key', in: 'header', name: 'x-api-key', value: 'k-header' } },
    )
    expect(header.body).toMatchObject({ key: 'k-header' })
    const query = await request(
      { method: 'GET', path: '/whoami', query: { api_key: 'from-input' } },
      {
        auth: { type: 'api-key', in: 'query', name: 'api_key', value: 'k-query' },
        headers: { 'x-team': 'payments' },
      },
    )
    expect(query.body).toMatchObject({ key: 'k-query', team: 'payments' })
    expect(seen.at(-1)!.url).toBe('/v1/whoami?api_key=k-query')
  })

  it('refuses an unresolved secret reference with invalid-config, naming the field, not a value', async () => {
    const error = await failure(
      httpConnector.actions.request.run({
        config: {
          baseUrl,
          auth: { type: 'bearer', token: { $secret: 'API_TOKEN' } as unknown as string },
        },
        input: { method: 'GET', path: '/whoami' },
        ...context(),
      }),
    )
    expect(error).toMatchObject({ reason: 'invalid-config', retryable: false })
    expect(error.message).toContain('auth.token')
    expect(error.message).toContain('"API_TOKEN" was not resolved')
  })
})

describe('HTTP connector: secrets through the engine', () => {
  it('resolves auth and header secret references from the provider, and keeps them out of the run', async () => {
    const api = createHttpConnector({ id: 'whoami-api' })
    const workflow = createWorkflow({ id: 'whoami', input: z.object({}) })
      .map(() => ({ method: 'GET' as const, path: '/whoami' }))
      .action(api, 'request', {
        baseUrl,
        auth: { type: 'basic', username: 'ann', password: { $secret: 'API_PASSWORD' } },
        headers: { 'x-api-key': { $secret: 'PARTNER_KEY' }, 'x-team': 'payments' },
      })
      .commit()
    const engine = createEngine({
      secrets: mapSecrets({ API_PASSWORD: 'pw-0123456789', PARTNER_KEY: 'pk-0123456789' }),
    })
    try {
      const run = await engine.start(workflow, {})
      expect(await run.result()).toMatchObject({
        status: 200,
        body: {
          authorization: `Basic ${Buffer.from('ann:pw-0123456789').toString('base64')}`,
          key: 'pk-0123456789',
          team: 'payments',
        },
      })
      expect(JSON.stringify(workflow.definition)).not.toContain('0123456789')
    } finally {
      await engine.close()
    }
  })
})

describe('HTTP connector: redirects', () => {
  const secretConfig: Partial<ResolvedHttpConnectorConfig> = {
    auth: { type: 'api-key', in: 'header', name: 'x-api-key', value: 'k-redirect' },
    headers: { 'x-team': 'payments' },
  }

  it('follows a same-origin redirect with the credentials; a 303 turns a POST into a GET', async () => {
    const same = await request({ method: 'GET', path: '/redirect-same' }, secretConfig)
    expect(same).toMatchObject({ status: 200, body: { key: 'k-redirect', team: 'payments' } })
    const seeOther = await request(
      { method: 'POST', path: '/see-other', body: { a: 1 } },
      { auth: { type: 'bearer', token: 'tok' } },
    )
    expect(seeOther.body).toMatchObject({ authorization: 'Bearer tok' })
    expect(seen.at(-1)!.url).toBe('/v1/whoami')
  })

  it('drops credential and configured headers when a redirect leads to another origin', async () => {
    const output = await request(
      { method: 'PUT', path: '/redirect-away', headers: { 'x-request': 'r-1' }, body: 'data' },
      { ...secretConfig, auth: { type: 'bearer', token: 'tok-away' } },
    )
    expect(output).toMatchObject({ status: 200, body: { landed: true } })
    const landed = seenElsewhere.at(-1)!
    expect(landed.method).toBe('PUT')
    expect(landed.headers.authorization).toBeUndefined()
    expect(landed.headers['x-team']).toBeUndefined()
    expect(landed.headers['x-request']).toBe('r-1')
    const withKey = await request({ method: 'GET', path: '/redirect-away' }, secretConfig)
    expect(withKey.status).toBe(200)
    expect(seenElsewhere.at(-1)!.headers['x-api-key']).toBeUndefined()
  })
})

describe('HTTP connector: errors', () => {
  it('returns every status by default and throws typed errors with errors: "throw"', async () => {
    expect((await request({ method: 'GET', path: '/private' })).status).toBe(401)
    const thrown = (code: number, retry?: string) =>
      failure(
        request(
          {
            method: 'GET',
            path: '/status',
            query: retry === undefined ? { code } : { code, retry },
          },
          { errors: 'throw' },
        ),
      )
    expect(
      await failure(request({ method: 'GET', path: '/private' }, { errors: 'throw' })),
    ).toMatchObject({ reason: 'unauthorized', status: 401, retryable: false })
    expect(await thrown(403)).toMatchObject({ reason: 'unauthorized', status: 403 })
    expect(await thrown(404)).toMatchObject({ reason: 'not-found', retryable: false })
    const limited = await thrown(429, '7')
    expect(limited).toMatchObject({ reason: 'rate-limited', retryable: true, retryAfterMs: 7000 })
    expect(limited.message).toContain('answered 429: status 429')
    expect(await thrown(503, '2')).toMatchObject({
      reason: 'remote',
      retryable: true,
      retryAfterMs: 2000,
    })
    expect(await thrown(500)).toMatchObject({ reason: 'remote', retryable: true })
    expect(await thrown(400)).toMatchObject({ reason: 'remote', retryable: false, status: 400 })
    const ok = await request(
      { method: 'GET', path: '/private' },
      { errors: 'throw', auth: { type: 'bearer', token: 'right' } },
    )
    expect(ok).toMatchObject({ status: 200, body: { ok: true } })
  })

  it('never puts the query string (which may hold an API key) in messages', async () => {
    const error = await failure(
      request(
        { method: 'GET', path: '/status', query: { code: 500 } },
        {
          errors: 'throw',
          auth: { type: 'api-key', in: 'query', name: 'api_key', value: 'sekr1t' },
        },
      ),
    )
    expect(error.message).not.toContain('sekr1t')
    expect(JSON.stringify(error.toJSON())).not.toContain('sekr1t')
  })

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120_000)
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:00Z')),
    ).toBe(60_000)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(null)).toBeUndefined()
  })
})

describe('HTTP connector: paginate', () => {
  it('follows Link: rel="next" to the last page', async () => {
    const output = await paginate({ path: '/link-items', pagination: { type: 'link' } })
    expect(output).toEqual({ items, pages: 3, truncated: false })
    const keys = seen.slice(-3).map((entry) => entry.headers['idempotency-key'])
    expect(keys).toEqual(['run-2:list', 'run-2:list:page-2', 'run-2:list:page-3'])
  })

  it('follows a cursor at a JSON pointer', async () => {
    const output = await paginate({
      path: '/cursor-items',
      itemsPath: '/data',
      pagination: { type: 'cursor', cursorPath: '/meta/next', param: 'cursor' },
    })
    expect(output).toEqual({ items, pages: 3, truncated: false })
    expect(seen.slice(-3).map((entry) => entry.url)).toEqual([
      '/v1/cursor-items',
      '/v1/cursor-items?cursor=3',
      '/v1/cursor-items?cursor=6',
    ])
  })

  it('sends a cursor in the JSON body of a POST', async () => {
    const output = await paginate({
      method: 'POST',
      path: '/search-items',
      body: { filter: 'all' },
      itemsPath: '/results',
      pagination: { type: 'cursor', cursorPath: '/next_cursor', param: 'start_cursor', in: 'body' },
    })
    expect(output).toEqual({
      items: items.map((item) => ({ ...item, filter: 'all' })),
      pages: 2,
      truncated: false,
    })
    expect(seen.at(-1)!.url).toBe('/v1/search-items')
    expect(
      httpPaginateInputSchema.safeParse({
        path: '/x',
        pagination: { type: 'cursor', cursorPath: '/c', param: 'c', in: 'body' },
      }).success,
    ).toBe(false)
  })

  it('numbers pages, stopping at a short page', async () => {
    const output = await paginate({
      path: '/page-items',
      itemsPath: '/results',
      pagination: { type: 'page', pageSize: 4, sizeParam: 'per_page' },
    })
    expect(output).toEqual({ items, pages: 2, truncated: false })
    expect(seen.at(-1)!.url).toBe('/v1/page-items?page=2&per_page=4')
  })

  it('advances an offset, stopping at an empty page', async () => {
    const output = await paginate({ path: '/offset-items', pagination: { type: 'offset' } })
    expect(output).toEqual({ items, pages: 5, truncated: false })
    expect(seen.at(-1)!.url).toBe('/v1/offset-items?offset=7')
  })

  it('stops at maxPages or maxItems and says so', async () => {
    expect(
      await paginate({ path: '/link-items', pagination: { type: 'link' }, maxPages: 2 }),
    ).toEqual({ items: items.slice(0, 6), pages: 2, truncated: true })
    expect(
      await paginate({ path: '/link-items', pagination: { type: 'link' }, maxItems: 4 }),
    ).toEqual({ items: items.slice(0, 4), pages: 2, truncated: true })
    expect(
      await paginate({ path: '/link-items', pagination: { type: 'link' }, maxItems: 7 }),
    ).toEqual({ items, pages: 3, truncated: false })
  })

  it('refuses a next link to another host (credentials stay home) and a page without items', async () => {
    const escape = await failure(
      paginate(
        { path: '/escape', pagination: { type: 'link' } },
        { auth: { type: 'bearer', token: 'tok' } },
      ),
    )
    expect(escape.reason).toBe('invalid-response')
    expect(escape.message).toContain('outside the base URL')
    const noArray = await failure(
      paginate({ path: '/cursor-items', itemsPath: '/nope', pagination: { type: 'link' } }),
    )
    expect(noArray.message).toContain('no array at "/nope"')
    expect(
      await failure(paginate({ path: '/private', pagination: { type: 'link' } })),
    ).toMatchObject({ reason: 'unauthorized' })
  })

  it('has helpers for hosts: Link headers and JSON pointers', () => {
    expect(
      parseLinkHeader(
        '<https://a.example/x?page=2>; rel="next", <https://a.example/x?page=9>; rel="last prev"',
      ),
    ).toEqual({
      next: 'https://a.example/x?page=2',
      last: 'https://a.example/x?page=9',
      prev: 'https://a.example/x?page=9',
    })
    expect(parseLinkHeader(null)).toEqual({})
    expect(readJsonPointer({ 'a/b': { '~c': [10, 20] } }, '/a~1b/~0c/1')).toBe(20)
    expect(readJsonPointer({ a: 1 }, '/b')).toBeUndefined()
    expect(readJsonPointer([1], '/01')).toBeUndefined()
  })
})

describe('HTTP connector: check', () => {
  const check = (config: Partial<ResolvedHttpConnectorConfig>) =>
    httpConnector.check!({
      config: { baseUrl, ...config },
      signal: new AbortController().signal,
      logger: noopLogger,
    })

  it('GETs healthPath and wants a 2xx; without it, a HEAD fails only on 401/403 or no answer', async () => {
    await expect(check({ healthPath: '/health' })).resolves.toBeUndefined()
    expect(seen.at(-1)!.url).toBe('/v1/health')
    await expect(check({})).resolves.toBeUndefined()
    expect(
      await failure(
        check({ baseUrl: `${origin}/v1/private`, auth: { type: 'bearer', token: 'x' } }),
      ),
    ).toMatchObject({ reason: 'unauthorized', action: 'check' })
    await expect(
      check({ baseUrl: `${origin}/v1/private`, auth: { type: 'bearer', token: 'right' } }),
    ).resolves.toBeUndefined()
    expect(await failure(check({ baseUrl: 'http://127.0.0.1:9/' }))).toMatchObject({
      reason: 'network',
    })
  })
})

describe('HTTP connector: Retry-After and the engine', () => {
  it("a 429's Retry-After sets the step's retry delay (errors: 'throw')", async () => {
    let calls = 0
    const limited = createServer((_request, response) => {
      calls++
      if (calls === 1) return json(response, 429, { message: 'slow down' }, { 'retry-after': '1' })
      return json(response, 200, { ok: true })
    })
    await new Promise<void>((resolve) => limited.listen(0, '127.0.0.1', resolve))
    const api = createHttpConnector({ id: 'limited-api' })
    const workflow = createWorkflow({ id: 'limited', input: z.object({}) })
      .map(() => ({ method: 'GET' as const, path: '/x' }))
      .action(
        api,
        'request',
        { baseUrl: `http://127.0.0.1:${(limited.address() as AddressInfo).port}`, errors: 'throw' },
        { retry: { attempts: 2, backoff: { initial: 1, jitter: false } } },
      )
      .commit()
    const engine = createEngine()
    const delays: number[] = []
    engine.on('step-retry', (event) => delays.push(event.delayMs))
    try {
      const run = await engine.start(workflow, {})
      expect(await run.result()).toMatchObject({ status: 200, body: { ok: true } })
      // The backoff alone would wait 1 ms: the server's Retry-After (1 s) wins.
      expect(delays).toEqual([1000])
    } finally {
      await engine.close()
      limited.closeAllConnections()
      await new Promise((resolve) => limited.close(resolve))
    }
  })
})

describe('HTTP connector: paginate through the engine', () => {
  it('runs as a workflow step with retries on a 429', async () => {
    let calls = 0
    const flaky = createServer((request, response) => {
      calls++
      if (calls === 1) return json(response, 429, { message: 'slow down' }, { 'retry-after': '0' })
      return json(response, 200, { data: [{ n: calls }], next: null })
    })
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve))
    const flakyUrl = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`
    const api = createHttpConnector({ id: 'list-api' })
    const workflow = createWorkflow({ id: 'list-all', input: z.object({ path: z.string() }) })
      .map(({ input }) => ({
        method: 'GET' as const,
        path: input.path,
        itemsPath: '/data',
        pagination: { type: 'cursor' as const, cursorPath: '/next', param: 'cursor' },
        maxPages: 10,
      }))
      .action(
        api,
        'paginate',
        { baseUrl: flakyUrl },
        { retry: { attempts: 3, backoff: { initial: 1 } } },
      )
      .commit()
    const engine = createEngine()
    try {
      const run = await engine.start(workflow, { path: '/things' })
      expect(await run.result()).toEqual({ items: [{ n: 2 }], pages: 1, truncated: false })
      expect(calls).toBe(2)
    } finally {
      await engine.close()
      flaky.closeAllConnections()
      await new Promise((resolve) => flaky.close(resolve))
    }
  })
})
