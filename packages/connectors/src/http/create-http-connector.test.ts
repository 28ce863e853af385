import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TesseraError, noopLogger } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import { createHttpConnector, httpConnector } from './create-http-connector'
import type { HttpConnectorConfig, ResolvedHttpConnectorConfig } from './http-connector-config'
import { httpRequestInputSchema, type HttpRequestInput } from './http-request-action'

interface Received {
  method: string | undefined
  url: string | undefined
  headers: IncomingMessage['headers']
  body: string
}

let server: Server
let baseUrl: string
const received: Received[] = []
const routes: Record<
  string,
  (request: IncomingMessage, response: ServerResponse, body: string) => void
> = {
  '/v1/echo': (request, response, body) => {
    response.writeHead(201, {
      'content-type': 'application/json; charset=utf-8',
      'x-request-method': request.method ?? '',
    })
    response.end(
      JSON.stringify({
        method: request.method,
        url: request.url,
        body: body === '' ? null : JSON.parse(body),
      }),
    )
  },
  '/v1/text': (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' })
    response.end('plain words')
  },
  '/v1/broken': (_request, response) => {
    response.writeHead(500, { 'content-type': 'application/problem+json' })
    response.end(JSON.stringify({ title: 'Internal Server Error', detail: 'database down' }))
  },
  '/v1/not-json': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end('{"oops"')
  },
  '/v1/slow': () => {
    // Never answers; the client's timeout or abort must end the call.
  },
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ method: request.method, url: request.url, headers: request.headers, body })
      const route = routes[new URL(request.url ?? '/', 'http://localhost').pathname]
      if (route) route(request, response, body)
      else {
        response.writeHead(404)
        response.end()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const request = httpConnector.actions.request

function run(
  input: HttpRequestInput,
  options: {
    config?: Partial<HttpConnectorConfig>
    signal?: AbortSignal
    idempotencyKey?: string
  } = {},
) {
  return request.run({
    config: httpConnector.config.parse({
      baseUrl,
      ...options.config,
    }) as ResolvedHttpConnectorConfig,
    input: httpRequestInputSchema.parse(input),
    signal: options.signal ?? new AbortController().signal,
    idempotencyKey: options.idempotencyKey ?? 'run-1/step-1',
    logger: noopLogger,
  })
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(TesseraError.isInstance(error)).toBe(true)
  expect(ConnectorError.isInstance(error)).toBe(true)
  return error as ConnectorError
}

describe('httpConnector against a real HTTP server', () => {
  it('is a v1 connector with a request action', () => {
    expect(httpConnector).toMatchObject({
      specificationVersion: 'v1',
      kind: 'connector',
      id: 'http',
    })
    expect(Object.keys(httpConnector.actions)).toEqual(['request', 'paginate'])
  })

  it('round-trips a JSON body, with config headers, the query string and the idempotency key', async () => {
    const output = await run(
      {
        method: 'POST',
        path: '/echo',
        query: { status: 'open', tag: ['a', 'b'], page: 2 },
        body: { sku: 'A-1', quantity: 3 },
      },
      {
        config: { headers: { authorization: 'Bearer secret-token' } },
        idempotencyKey: 'run-7/charge',
      },
    )
    expect(output.status).toBe(201)
    expect(output.headers['x-request-method']).toBe('POST')
    expect(output.body).toEqual({
      method: 'POST',
      url: '/v1/echo?status=open&tag=a&tag=b&page=2',
      body: { sku: 'A-1', quantity: 3 },
    })
    const seen = received.at(-1)!
    expect(seen.headers['idempotency-key']).toBe('run-7/charge')
    expect(seen.headers['authorization']).toBe('Bearer secret-token')
    expect(seen.headers['content-type']).toBe('application/json')
    expect(httpResponseShape(output)).toBe(true)
  })

  it('form-encodes an object body when the request says application/x-www-form-urlencoded', async () => {
    await run({
      method: 'POST',
      path: '/text',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: { grant_type: 'client_credentials', scope: ['read', 'write'], skip: null },
    })
    expect(received.at(-1)!.body).toBe('grant_type=client_credentials&scope=read&scope=write')
  })

  it('returns text bodies as text and lets request headers override config headers', async () => {
    const output = await run(
      { method: 'GET', path: '/text', headers: { 'x-team': 'payments' } },
      { config: { headers: { 'x-team': 'default' } } },
    )
    expect(output).toMatchObject({ status: 200, body: 'plain words' })
    expect(received.at(-1)!.headers['x-team']).toBe('payments')
  })

  it('surfaces a 500 as output instead of throwing, with its parsed problem+json body', async () => {
    const output = await run({ method: 'DELETE', path: '/broken' })
    expect(output.status).toBe(500)
    expect(output.body).toEqual({ title: 'Internal Server Error', detail: 'database down' })
    expect((await run({ method: 'GET', path: '/missing' })).status).toBe(404)
  })

  it('throws a non-retryable invalid-response error for a broken JSON body', async () => {
    const error = await failure(run({ method: 'GET', path: '/not-json' }))
    expect(error).toMatchObject({
      code: 'connector_error',
      reason: 'invalid-response',
      retryable: false,
    })
  })

  it('times out with a retryable typed error', async () => {
    const error = await failure(
      run({ method: 'GET', path: '/slow' }, { config: { timeoutMs: 100 } }),
    )
    expect(error).toMatchObject({ code: 'connector_error', reason: 'timeout', retryable: true })
    expect(error.message).toContain('did not complete within 100 ms')
  })

  it("stops when the caller's signal aborts, with a typed error", async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('run cancelled')), 50)
    const error = await failure(
      run({ method: 'GET', path: '/slow' }, { signal: controller.signal }),
    )
    expect(error).toMatchObject({ code: 'connector_error', reason: 'aborted', retryable: false })
    expect((error.cause as Error).message).toBe('run cancelled')
  })

  it('throws a retryable network error when nothing listens', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const error = await failure(
      request.run({
        config: { baseUrl: `http://127.0.0.1:${port}` },
        input: { method: 'GET', path: '/' },
        signal: new AbortController().signal,
        idempotencyKey: 'k',
        logger: noopLogger,
      }),
    )
    expect(error).toMatchObject({ reason: 'network', retryable: true })
    expect(error.toJSON()).toMatchObject({
      code: 'connector_error',
      details: { connector: 'http', action: 'request', reason: 'network' },
    })
  })

  it('refuses a path that climbs out of the base URL', async () => {
    const error = await failure(run({ method: 'GET', path: '/../admin' }))
    expect(error.reason).toBe('invalid-request')
    expect(received.some((entry) => entry.url?.startsWith('/admin'))).toBe(false)
  })

  it('rejects bad configuration and bad input with its zod schemas', () => {
    expect(httpConnector.config.safeParse({ baseUrl: 'not a url' }).success).toBe(false)
    expect(httpConnector.config.safeParse({ baseUrl: 'ftp://example.com' }).success).toBe(false)
    expect(
      httpConnector.config.safeParse({ baseUrl: 'https://example.com', timeoutMs: -1 }).success,
    ).toBe(false)
    expect(
      httpConnector.config.safeParse({
        baseUrl: 'https://example.com',
        headers: { 'x-a': 'b\r\nx-injected: 1' },
      }).success,
    ).toBe(false)
    expect(
      httpConnector.config.safeParse({ baseUrl: 'https://example.com', timeoutMs: 500 }).success,
    ).toBe(true)
    expect(request.input.safeParse({ method: 'GET', path: '/x', body: { a: 1 } }).success).toBe(
      false,
    )
    expect(request.input.safeParse({ method: 'GET', path: '/x?a=1' }).success).toBe(false)
    expect(request.input.safeParse({ method: 'TRACE', path: '/x' }).success).toBe(false)
  })

  it('uses an injected fetch', async () => {
    const urls: string[] = []
    const connector = createHttpConnector({
      id: 'api',
      fetch: async (url) => {
        urls.push(String(url))
        return new Response('{"ok":true}', {
          status: 200,
          headers: { 'content-type': 'application/json' },
        })
      },
    })
    const output = await connector.actions.request.run({
      config: { baseUrl: 'https://api.example.com/base/' },
      input: { method: 'GET', path: '/items' },
      signal: new AbortController().signal,
      idempotencyKey: 'k',
      logger: noopLogger,
    })
    expect(output.body).toEqual({ ok: true })
    expect(urls).toEqual(['https://api.example.com/base/items'])
    expect(connector.id).toBe('api')
  })
})

function httpResponseShape(output: unknown): boolean {
  return request.output.safeParse(output).success
}
