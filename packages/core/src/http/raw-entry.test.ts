import { afterEach, describe, expect, it } from 'vitest'
import { createEngine, createMemoryStore } from '../index'
import { greetWorkflow, startFixtureRun, webhookSecret } from '../../test/http-kit'
import { createHttpHandler, type HttpHandler } from './create-http-handler'
import type { HttpRawReply, HttpRawRequest } from './raw-request'
import { apiKeyAuth } from './security/api-key-auth'
import { createApiKeys } from './security/api-keys'
import type { Authenticator } from './types'
import { signWebhook } from './webhook-signature'

/** Counts constructions of Fetch's Request, Response and Headers while `body` runs. */
async function countFetchObjects(body: () => Promise<void>): Promise<Record<string, number>> {
  const names = ['Request', 'Response', 'Headers'] as const
  const counts: Record<string, number> = { Request: 0, Response: 0, Headers: 0 }
  const originals = names.map((name) => globalThis[name])
  names.forEach((name, index) => {
    ;(globalThis as Record<string, unknown>)[name] = new Proxy(originals[index]!, {
      construct(target, args, newTarget) {
        counts[name]!++
        return Reflect.construct(target, args, newTarget) as object
      },
    })
  })
  try {
    await body()
  } finally {
    names.forEach((name, index) => {
      ;(globalThis as Record<string, unknown>)[name] = originals[index]
    })
  }
  return counts
}

const engines: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})

async function setup(options: Partial<Parameters<typeof createHttpHandler>[1]> = {}) {
  const store = createMemoryStore()
  const engine = createEngine({ store, workflows: [greetWorkflow] })
  engines.push(engine)
  const { token } = await createApiKeys(store).create({
    principalId: 'ops',
    name: 'ops',
    roles: ['admin'],
  })
  const handler = createHttpHandler(engine, {
    auth: [apiKeyAuth({ store })],
    limits: { bodyBytes: 1000 },
    ...options,
  })
  return { engine, handler, token }
}

const text = (reply: HttpRawReply) =>
  typeof reply.body === 'string' ? reply.body : new TextDecoder().decode(reply.body as Uint8Array)

describe('handler.handle (the raw entry)', () => {
  it('answers a JSON request and its reply without building a Request, a Response or Headers', async () => {
    const { engine, handler, token } = await setup()
    const runId = await startFixtureRun(engine, 'greet')
    const body = JSON.stringify({ workflowId: 'greet', input: { name: 'Bo' } })
    let started: HttpRawReply | undefined
    let fetched: HttpRawReply | undefined
    const counts = await countFetchObjects(async () => {
      started = await handler.handle({
        method: 'POST',
        url: '/runs',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': String(body.length),
        },
        body: () => new TextEncoder().encode(body),
        ip: '10.0.0.1',
      })
      fetched = await handler.handle({
        method: 'GET',
        url: `http://api.example/runs/${runId}?ignored=1`,
        headers: { 'x-api-key': token },
      })
    })
    expect(counts).toEqual({ Request: 0, Response: 0, Headers: 0 })
    expect(started!.status).toBe(201)
    expect(JSON.parse(text(started!)).run).toMatchObject({ workflowId: 'greet' })
    expect(fetched!.status).toBe(200)
    expect(JSON.parse(text(fetched!)).run.id).toBe(runId)
    expect(fetched!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    })
    expect(fetched!.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    // The control: the Fetch entry does build them (so the count above can fail).
    const control = await countFetchObjects(async () => {
      await handler(
        new Request(`http://api.example/runs/${runId}`, { headers: { 'x-api-key': token } }),
      )
    })
    expect(control.Response).toBeGreaterThan(0)
  })

  it('gives the same status, headers and body as the Fetch entry', async () => {
    const { handler, token } = await setup({
      cors: { origin: 'https://app.example', credentials: true },
    })
    const cases: [string, string, Record<string, string>, string?][] = [
      ['GET', '/health', { origin: 'https://app.example' }],
      ['PATCH', '/runs', { 'x-api-key': token }],
      ['GET', '/nowhere/../runs/missing', { 'x-api-key': token }],
      ['OPTIONS', '/runs', { origin: 'https://app.example' }],
      [
        'POST',
        '/runs',
        { 'x-api-key': token, 'content-type': 'application/json' },
        '{"workflowId": ',
      ],
      ['GET', '/runs', {}],
      ['HEAD', '/health', {}],
    ]
    for (const [method, path, headers, body] of cases) {
      const requestId = `case-${method}-${cases.findIndex((c) => c[1] === path)}`
      const all = { ...headers, 'x-request-id': requestId }
      const viaFetch = await handler(
        new Request(`http://localhost${path}`, { method, headers: all, body: body ?? null }),
      )
      const viaRaw = await handler.handle({
        method,
        url: path,
        headers: {
          ...all,
          ...(body !== undefined ? { 'content-length': String(body.length) } : {}),
        },
        ...(body !== undefined ? { body: () => body } : {}),
      })
      const fetchHeaders: Record<string, string> = {}
      viaFetch.headers.forEach((value, name) => {
        fetchHeaders[name] = value
      })
      expect({ status: viaRaw.status, headers: viaRaw.headers }, `${method} ${path}`).toEqual({
        status: viaFetch.status,
        headers: fetchHeaders,
      })
      expect(viaRaw.body === null ? '' : text(viaRaw)).toBe(await viaFetch.text())
    }
  })

  it('reads the body only when needed, and enforces the size limit on what comes', async () => {
    const { engine, handler, token } = await setup()
    const runId = await startFixtureRun(engine, 'greet')
    let reads = 0
    const body = () => {
      reads++
      return 'x'.repeat(5000)
    }
    // Announced too large: 413 before anything is read.
    const announced = await handler.handle({
      method: 'POST',
      url: '/runs',
      headers: { 'x-api-key': token, 'content-length': '5000' },
      body,
    })
    expect(announced.status).toBe(413)
    // A route without a body (retry) never reads one that has a length.
    const retry = await handler.handle({
      method: 'POST',
      url: `/runs/${runId}/retry`,
      headers: { 'x-api-key': token, 'content-length': '2' },
      body,
    })
    expect(retry.status).toBe(409) // a run that succeeded cannot be retried
    expect(reads).toBe(0)
    // Without a length: read (a stream, or an async iterable), counted, refused past the limit.
    const chunks = async function* () {
      for (let index = 0; index < 10; index++) yield new TextEncoder().encode('y'.repeat(200))
    }
    const iterated = await handler.handle({
      method: 'POST',
      url: '/runs',
      headers: { 'x-api-key': token, 'transfer-encoding': 'chunked' },
      body: () => chunks(),
    })
    expect(iterated.status).toBe(413)
    expect(JSON.parse(text(iterated))).toMatchObject({ code: 'payload_too_large' })
    const streamed = await handler.handle({
      method: 'POST',
      url: '/runs',
      headers: {
        'x-api-key': token,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      body: () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"workflowId":"greet",'))
            controller.enqueue(new TextEncoder().encode('"input":{"name":"Cy"}}'))
            controller.close()
          },
        }),
    })
    expect(streamed.status).toBe(201)
  })

  it('builds context.request on demand for an authenticator that reads it, body included', async () => {
    const store = createMemoryStore()
    const engine = createEngine({ store, workflows: [greetWorkflow] })
    engines.push(engine)
    const seen: { url: string; method: string; header: string | null; text: string }[] = []
    const custom: Authenticator = {
      name: 'custom',
      async authenticate({ request }) {
        seen.push({
          url: request.url,
          method: request.method,
          header: request.headers.get('x-custom'),
          text: await request.clone().text(),
        })
        return { id: 'c', method: 'custom', roles: ['admin'] }
      },
    }
    const handler: HttpHandler = createHttpHandler(engine, { auth: custom })
    const body = JSON.stringify({ workflowId: 'greet', input: { name: 'Di' } })
    const raw: HttpRawRequest = {
      method: 'POST',
      url: '/runs?x=1',
      headers: {
        host: 'api.example:8080',
        'x-custom': ['a', 'b'],
        'content-type': 'application/json',
        'content-length': String(body.length),
      },
      body: () => body,
    }
    const reply = await handler.handle(raw)
    expect(reply.status).toBe(201)
    expect(seen).toEqual([
      { url: 'http://api.example:8080/runs?x=1', method: 'POST', header: 'a, b', text: body },
    ])
  })

  it('verifies a webhook from the raw body and strips the body of HEAD answers', async () => {
    const { handler } = await setup({
      auth: 'none-insecure',
      webhooks: { orders: { workflowId: 'greet', secret: webhookSecret } },
    })
    const body = JSON.stringify({ name: 'Ed' })
    const signature = await signWebhook({ secret: webhookSecret, body })
    const delivered = await handler.handle({
      method: 'POST',
      url: '/webhooks/orders',
      headers: new Headers({
        'x-tessera-signature': signature,
        'x-tessera-delivery': 'd-1',
        'content-length': String(body.length),
      }),
      body: () => body,
    })
    expect(delivered.status).toBe(202)
    const head = await handler.handle({ method: 'HEAD', url: '/health', headers: {} })
    expect(head).toMatchObject({ status: 200, body: null })
    expect(head.headers['content-type']).toBe('application/json')
  })

  it('asks for the signal only for a stream, and ends the stream when it aborts', async () => {
    const { engine, handler } = await setup({
      auth: 'none-insecure',
      stream: { heartbeat: '1s', poll: 20 },
    })
    const runId = await startFixtureRun(engine, 'greet')
    let asked = 0
    const controller = new AbortController()
    const signal = () => {
      asked++
      return controller.signal
    }
    await handler.handle({ method: 'GET', url: `/runs/${runId}`, headers: {}, signal })
    expect(asked).toBe(0)
    const reply = await handler.handle({
      method: 'GET',
      url: `/runs/${runId}/stream`,
      headers: {},
      signal,
    })
    expect(asked).toBe(1)
    expect(reply.headers['content-type']).toMatch(/^text\/event-stream/)
    const reader = (reply.body as ReadableStream<Uint8Array>).getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toContain('retry:')
    controller.abort(new Error('gone'))
    for (;;) {
      const { done } = await reader.read()
      if (done) break
    }
  })
})
