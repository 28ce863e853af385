import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError, type Logger } from '@tessera/core'
import { createExpressMiddleware, type FetchHandler } from './create-express-middleware'

let server: Server
let origin: string
const logged: string[] = []
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message) => void logged.push(message),
  child: () => logger,
}

let releaseSecondEvent: () => void = () => {}
let streamCancelled: Promise<unknown> = Promise.resolve()
let requestAborted: Promise<unknown> = Promise.resolve()

const handler: FetchHandler = async (request, info) => {
  const url = new URL(request.url)
  switch (url.pathname) {
    case '/api/echo':
      return Response.json(
        {
          method: request.method,
          url: request.url,
          contentType: request.headers.get('content-type'),
          custom: request.headers.get('x-custom'),
          body: request.body === null ? null : await request.json(),
        },
        { status: 201, headers: { 'x-handled-by': 'tessera' } },
      )
    case '/api/parsed/echo':
      return Response.json({ body: await request.json() })
    case '/api/cookies': {
      const headers = new Headers()
      headers.append('set-cookie', 'a=1; Path=/')
      headers.append('set-cookie', 'b=2; Path=/')
      return new Response(null, { status: 204, statusText: 'Nothing Here', headers })
    }
    case '/api/events': {
      const encoder = new TextEncoder()
      const second = new Promise<void>((resolve) => (releaseSecondEvent = resolve))
      return new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(encoder.encode('event: step-end\ndata: {"n":1}\n\n'))
            await second
            controller.enqueue(encoder.encode('event: run-end\ndata: {"n":2}\n\n'))
            controller.close()
          },
        }),
        { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } },
      )
    }
    case '/api/forever': {
      let cancelled: (reason: unknown) => void = () => {}
      streamCancelled = new Promise((resolve) => (cancelled = resolve))
      requestAborted = new Promise((resolve) =>
        request.signal.addEventListener('abort', () => resolve(request.signal.reason)),
      )
      return new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('data: hello\n\n'))
          },
          cancel: (reason) => cancelled(reason),
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      )
    }
    case '/api/ip':
      return Response.json({ ip: info?.ip ?? null })
    case '/api/missing':
      throw new NotFoundError({ kind: 'run', id: 'run-404' })
    case '/api/boom':
      throw new Error('database password is hunter2')
    default:
      return new Response('no route', { status: 404 })
  }
}

beforeAll(async () => {
  const app = express()
  // A body parser on one path: the adapter must re-encode what it already read.
  app.use('/api/parsed', express.json())
  app.use(createExpressMiddleware(handler, { basePath: '/api/', logger }))
  app.use((_request, response) => void response.status(418).send('express fallthrough'))
  server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('createExpressMiddleware with a real Express server', () => {
  it('round-trips a JSON POST body, the URL with its query, headers and the status', async () => {
    const response = await fetch(`${origin}/api/echo?x=1&y=two`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-custom': 'hello' },
      body: JSON.stringify({ order: 42, items: ['a', 'b'], note: 'ünïcode ✓' }),
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('x-handled-by')).toBe('tessera')
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await response.json()).toEqual({
      method: 'POST',
      url: `${origin}/api/echo?x=1&y=two`,
      contentType: 'application/json',
      custom: 'hello',
      body: { order: 42, items: ['a', 'b'], note: 'ünïcode ✓' },
    })
  })

  it('streams a chunked request body through', async () => {
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('{"chunked":'))
        controller.enqueue(encoder.encode('true}'))
        controller.close()
      },
    })
    const init = {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    }
    const response = await fetch(`${origin}/api/echo`, init as RequestInit)
    expect(await response.json()).toMatchObject({ method: 'PUT', body: { chunked: true } })
  })

  it('passes no body for a GET', async () => {
    const response = await fetch(`${origin}/api/echo`)
    expect((await response.json()).body).toBeNull()
  })

  it('re-encodes a body that express.json() already parsed', async () => {
    const response = await fetch(`${origin}/api/parsed/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parsed: true, n: 1 }),
    })
    expect(await response.json()).toEqual({ body: { parsed: true, n: 1 } })
  })

  it('keeps every set-cookie header, the status text and an empty body', async () => {
    const response = await fetch(`${origin}/api/cookies`)
    expect(response.status).toBe(204)
    expect(response.statusText).toBe('Nothing Here')
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/'])
    expect(await response.text()).toBe('')
  })

  it('streams a response body chunk by chunk (server-sent events)', async () => {
    const response = await fetch(`${origin}/api/events`)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    // The second event is only produced after the client saw the first: a buffering adapter hangs here.
    const first = await reader.read()
    expect(first.value).toBe('event: step-end\ndata: {"n":1}\n\n')
    releaseSecondEvent()
    let rest = ''
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += chunk.value
    expect(rest).toBe('event: run-end\ndata: {"n":2}\n\n')
  })

  it('cancels the body stream and aborts the request when the client disconnects', async () => {
    const controller = new AbortController()
    const response = await fetch(`${origin}/api/forever`, { signal: controller.signal })
    const reader = response.body!.getReader()
    await reader.read()
    controller.abort()
    await expect(streamCancelled).resolves.toBeDefined()
    await expect(requestAborted).resolves.toBeInstanceOf(Error)
  })

  it('answers a handler that throws with a 500 problem+json body that hides the message', async () => {
    const response = await fetch(`${origin}/api/boom`)
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    const problem = await response.json()
    expect(problem).toMatchObject({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      code: 'internal',
    })
    expect(JSON.stringify(problem)).not.toContain('hunter2')
    expect(logged).toContain('request handler failed')
  })

  it("passes the client's address to the handler", async () => {
    const response = await fetch(`${origin}/api/ip`)
    expect(await response.json()).toEqual({ ip: '127.0.0.1' })
  })

  it('maps a Tessera error to its status', async () => {
    const response = await fetch(`${origin}/api/missing`)
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: expect.stringContaining('run-404'),
    })
  })

  it('leaves paths outside basePath to the next middleware', async () => {
    const response = await fetch(`${origin}/apis/echo`)
    expect(response.status).toBe(418)
    expect(await response.text()).toBe('express fallthrough')
  })
})
