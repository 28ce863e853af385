import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson, startFakeHttpServer } from './fake-http-server'

/** One request as the fake server saw it. */
export interface SeenRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: unknown
}

/** What a route answers: a status, a JSON body (or none) and headers. */
export interface FakeReply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** A route: method, a path pattern with `:name` segments, and a handler. */
export interface FakeRoute {
  method: string
  path: string
  handle: (request: SeenRequest, params: Record<string, string>) => FakeReply
}

/**
 * A local JSON API server for the SaaS connector tests: routes from the vendor's documented
 * request/response shapes, plus `failNext` (answer the next request with an error, such as a
 * 429 with Retry-After) and `holdNext` (never answer, to test aborts; `closed` resolves when the
 * client gives up the connection).
 */
export interface FakeJsonServer {
  url: string
  requests: SeenRequest[]
  failNext(reply: FakeReply): void
  holdNext(): { closed: Promise<void>; arrived(): boolean; released(): boolean }
  close(): Promise<void>
}

export async function startFakeJsonServer(
  routes: FakeRoute[],
  authorize: (request: SeenRequest) => FakeReply | undefined,
): Promise<FakeJsonServer> {
  const requests: SeenRequest[] = []
  const failures: FakeReply[] = []
  const holds: { arrive(): void; release(): void }[] = []
  const compiled = routes.map((route) => ({
    route,
    pattern: new RegExp(
      `^${route.path.replace(/:(\w+)/g, (_, name: string) => `(?<${name}>[^/]+)`)}$`,
    ),
  }))
  const send = (response: ServerResponse, reply: FakeReply) => {
    if (reply.body !== undefined)
      return sendJson(response, reply.status, reply.body, {
        'content-type': 'application/json; charset=utf-8',
        ...reply.headers,
      })
    response.writeHead(reply.status, reply.headers)
    response.end()
  }
  const server = await startFakeHttpServer(({ request, response, url, text }) => {
    let body: unknown
    try {
      body = text === '' ? undefined : JSON.parse(text)
    } catch {
      body = text
    }
    const seen: SeenRequest = {
      method: request.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: request.headers,
      body,
    }
    requests.push(seen)
    const hold = holds.shift()
    if (hold !== undefined) {
      hold.arrive()
      response.on('close', hold.release)
      return
    }
    const failure = failures.shift()
    if (failure !== undefined) return send(response, failure)
    const denied = authorize(seen)
    if (denied !== undefined) return send(response, denied)
    for (const { route, pattern } of compiled) {
      if (route.method !== seen.method) continue
      const match = pattern.exec(url.pathname)
      if (match === null) continue
      const params = Object.fromEntries(
        Object.entries(match.groups ?? {}).map(([key, value]) => [key, decodeURIComponent(value)]),
      )
      try {
        return send(response, route.handle(seen, params))
      } catch (error) {
        return send(response, { status: 500, body: { message: String(error) } })
      }
    }
    send(response, {
      status: 404,
      body: { message: `no fake route for ${seen.method} ${seen.path}` },
    })
  })
  return {
    url: server.url,
    requests,
    failNext: (reply) => void failures.push(reply),
    holdNext: () => {
      let arrived = false
      let released = false
      let resolveClosed!: () => void
      const closed = new Promise<void>((resolve) => (resolveClosed = resolve))
      holds.push({
        arrive: () => (arrived = true),
        release: () => {
          released = true
          resolveClosed()
        },
      })
      return { closed, arrived: () => arrived, released: () => released }
    },
    close: server.close,
  }
}

/**
 * Starts a call whose request `server` holds (`holdNext`), aborts its signal once the request
 * has arrived, and returns what the call rejected with (undefined if it resolved) after the
 * server saw the client close the connection: the request really ended.
 *
 * @example
 * ```ts
 * const error = await abortHeldCall(github, (signal) => run('get-issue', input, { signal }))
 * expect(error).toMatchObject({ reason: 'aborted' })
 * ```
 */
export async function abortHeldCall(
  server: FakeJsonServer,
  start: (signal: AbortSignal) => Promise<unknown>,
): Promise<unknown> {
  const held = server.holdNext()
  const controller = new AbortController()
  let settled = false
  const outcome = start(controller.signal).then(
    () => undefined,
    (error: unknown) => error,
  )
  void outcome.finally(() => (settled = true))
  while (!held.arrived() && !settled) await new Promise((resolve) => setTimeout(resolve, 5))
  controller.abort()
  const error = await outcome
  await held.closed
  return error
}
