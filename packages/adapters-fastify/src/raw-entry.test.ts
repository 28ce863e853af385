import { request as httpRequest } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, createMemoryStore, type Engine } from '@tessera/core'
import { httpConformanceWorkflows } from '@tessera/core/testing'
import { createHttpHandler, type HttpRawReply, type HttpRawRequest } from '@tessera/core/http'
import { tesseraFastify, type FetchHandler } from './tessera-fastify'

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

/** A request through node:http (no Fetch objects on the client side either). */
function send(
  url: string,
  method: string,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method,
        headers:
          body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        )
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

let engine: Engine
let app: FastifyInstance
let base: string

beforeAll(async () => {
  engine = createEngine({ store: createMemoryStore(), workflows: httpConformanceWorkflows })
  const handler = createHttpHandler(engine, { auth: 'none-insecure', basePath: '/api' })
  // The same handler twice: itself (raw entry), and wrapped (only a Fetch handler).
  const fetchOnly = createHttpHandler(engine, { auth: 'none-insecure', basePath: '/wrapped/api' })
  const wrapped: FetchHandler = (request, info) => fetchOnly(request, info)
  app = Fastify()
  await app.register(tesseraFastify, { prefix: '/wrapped/api', handler: wrapped })
  await app.register(tesseraFastify, { prefix: '/api', handler })
  base = await app.listen({ port: 0, host: '127.0.0.1' })
})

afterAll(async () => {
  await app.close()
  await engine.close()
})

describe('tesseraFastify with a handler that has a raw entry', () => {
  it('serves JSON requests without building a Request, a Response or Headers', async () => {
    const body = JSON.stringify({ workflowId: 'conformance-event', input: { amount: 5 } })
    let started: Awaited<ReturnType<typeof send>> | undefined
    let fetched: Awaited<ReturnType<typeof send>> | undefined
    const counts = await countFetchObjects(async () => {
      started = await send(`${base}/api/runs`, 'POST', body)
      const runId = (JSON.parse(started.text) as { run: { id: string } }).run.id
      fetched = await send(`${base}/api/runs/${runId}`, 'GET')
    })
    expect(started!.status, started!.text).toBe(201)
    expect(fetched!.status).toBe(200)
    expect(counts).toEqual({ Request: 0, Response: 0, Headers: 0 })
    // Headers exactly as the handler made them, and the length of the body.
    expect(fetched!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-content-type-options': 'nosniff',
      'content-length': String(Buffer.byteLength(fetched!.text)),
    })
    // The control: through the Fetch path the same requests build Fetch objects.
    const control = await countFetchObjects(async () => {
      expect((await send(`${base}/wrapped/api/runs`, 'POST', body)).status).toBe(201)
    })
    expect(control.Response! + control.Headers!).toBeGreaterThan(0)
  })

  it('answers the same through both entries', async () => {
    for (const [method, path] of [
      ['GET', '/health'],
      ['PATCH', '/runs'],
      ['GET', '/runs/nope'],
      ['HEAD', '/health'],
    ] as const) {
      const raw = await send(`${base}/api${path}`, method)
      const viaFetch = await send(`${base}/wrapped/api${path}`, method)
      const strip = (headers: Record<string, unknown>) => {
        const {
          date: _date,
          'x-request-id': _id,
          'x-powered-by': _by,
          'content-length': _length,
          ...rest
        } = headers
        return rest
      }
      expect(raw.status, `${method} ${path}`).toBe(viaFetch.status)
      expect(strip(raw.headers)).toEqual(strip(viaFetch.headers))
      expect(raw.text.replace(/"requestId":"[^"]+"/, '')).toBe(
        viaFetch.text.replace(/"requestId":"[^"]+"/, '').replaceAll('/wrapped/api', '/api'),
      )
    }
  })
})

describe('tesseraFastify and the application around it', () => {
  it("hands a JSON answer to the app's onSend hooks as the string itself; the client address comes when asked", async () => {
    const hooked = Fastify()
    const payloads: unknown[] = []
    hooked.addHook('onSend', async (_request, reply, payload) => {
      payloads.push(payload)
      reply.header('x-hooked', 'yes')
      // A hook may still replace the payload (a compression plugin does).
      return typeof payload === 'string' ? payload.replace('"ok"', '"ok (hooked)"') : payload
    })
    const seen: (string | undefined)[] = []
    const handler: FetchHandler = Object.assign(async () => new Response('the Fetch path'), {
      handle: async (raw: HttpRawRequest): Promise<HttpRawReply> => {
        if (raw.url.endsWith('?ip')) seen.push(raw.ip)
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'ok' }),
        }
      },
    })
    await hooked.register(tesseraFastify, { handler })
    const origin = await hooked.listen({ port: 0, host: '127.0.0.1' })
    try {
      const plain = await send(`${origin}/status`, 'GET')
      expect(plain.text).toBe('{"status":"ok (hooked)"}')
      expect(plain.headers).toMatchObject({
        'content-type': 'application/json',
        'x-hooked': 'yes',
        'content-length': String(Buffer.byteLength(plain.text)),
      })
      expect(payloads).toEqual(['{"status":"ok"}'])
      await send(`${origin}/status?ip`, 'GET')
      expect(seen).toEqual(['127.0.0.1'])
    } finally {
      await hooked.close()
    }
  })
})

describe('tesseraFastify streaming a raw reply', () => {
  it('sends chunks as they come, then cancels the stream and aborts the signal when the client leaves', async () => {
    let cancelled: (reason: unknown) => void = () => {}
    const streamCancelled = new Promise((resolve) => (cancelled = resolve))
    let aborted: (reason: unknown) => void = () => {}
    const signalAborted = new Promise((resolve) => (aborted = resolve))
    const handler: FetchHandler = Object.assign(async () => new Response('the Fetch path'), {
      handle: async (raw: HttpRawRequest): Promise<HttpRawReply> => {
        const signal = typeof raw.signal === 'function' ? raw.signal() : raw.signal!
        signal.addEventListener('abort', () => aborted(signal.reason))
        return {
          status: 200,
          headers: { 'content-type': 'text/event-stream', 'x-custom': ['a', 'b'] },
          body: new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('data: 1\n\n'))
            },
            cancel: (reason) => cancelled(reason),
          }),
        }
      },
    })
    const streaming = Fastify()
    await streaming.register(tesseraFastify, { handler })
    const origin = await streaming.listen({ port: 0, host: '127.0.0.1' })
    try {
      const first = await new Promise<{ headers: Record<string, unknown>; text: string }>(
        (resolve) => {
          const request = httpRequest(`${origin}/events`, (response) => {
            response.once('data', (chunk: Buffer) => {
              resolve({ headers: response.headers, text: chunk.toString('utf8') })
              request.destroy()
            })
          })
          request.on('error', () => {})
          request.end()
        },
      )
      expect(first.text).toBe('data: 1\n\n')
      expect(first.headers).toMatchObject({
        'content-type': 'text/event-stream',
        'x-custom': 'a, b',
      })
      expect(await streamCancelled).toBeInstanceOf(Error)
      expect(String(await signalAborted)).toContain('closed the connection')
    } finally {
      await streaming.close()
    }
  })
})

describe('tesseraFastify and HTTPS', () => {
  it('sends Strict-Transport-Security only when Fastify sees HTTPS (its trustProxy and X-Forwarded-Proto)', async () => {
    const behindProxy = Fastify({ trustProxy: true })
    await behindProxy.register(tesseraFastify, {
      prefix: '/api',
      handler: createHttpHandler(engine, { auth: 'none-insecure', basePath: '/api' }),
    })
    const url = await behindProxy.listen({ port: 0, host: '127.0.0.1' })
    try {
      const hsts = async (headers: Record<string, string>) =>
        (await fetch(`${url}/api/health`, { headers })).headers.get('strict-transport-security')
      expect(await hsts({ 'x-forwarded-proto': 'https' })).toMatch(/^max-age=\d+/)
      expect(await hsts({})).toBeNull()
      // The app without trustProxy ignores the header: plain HTTP, no HSTS.
      expect(
        (
          await fetch(`${base}/api/health`, { headers: { 'x-forwarded-proto': 'https' } })
        ).headers.get('strict-transport-security'),
      ).toBeNull()
    } finally {
      await behindProxy.close()
    }
  })
})
