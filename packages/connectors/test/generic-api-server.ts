// A node:http server for the conformance suites of the generic connectors (HTTP, OpenAPI,
// GraphQL, webhook): it records the idempotency key of each call, answers 503 while `failures`
// is above 0, and holds a call open when the answer function says so (counting held and
// released requests). Not published.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request as the answer function sees it. */
export interface ReceivedRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

/** What the answer function returns: a response, or `'hold'` to keep the call open. */
export type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hold'

/** The running server. */
export interface GenericApiServer {
  url: string
  lastIdempotencyKey: string | undefined
  holding: number
  released: number
  /** Answer this many of the next keyed calls with 503. */
  failures: number
  close(): Promise<void>
}

/** Starts the server on a free loopback port. */
export async function startGenericApiServer(
  answer: (request: ReceivedRequest) => Answer | Promise<Answer>,
): Promise<GenericApiServer> {
  const state: GenericApiServer = {
    url: '',
    lastIdempotencyKey: undefined,
    holding: 0,
    released: 0,
    failures: 0,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const received: ReceivedRequest = {
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      void Promise.resolve(answer(received)).then((answered) => {
        const key = request.headers['idempotency-key']
        if (typeof key === 'string' && answered !== 'hold') state.lastIdempotencyKey = key
        if (answered === 'hold') {
          state.holding++
          response.on('close', () => {
            state.holding--
            state.released++
          })
          return
        }
        if (typeof key === 'string' && answered.status < 300 && state.failures > 0) {
          state.failures--
          response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' })
          return response.end('{"message":"try again"}')
        }
        response.writeHead(answered.status, {
          'content-type': 'application/json',
          ...answered.headers,
        })
        response.end(answered.body === undefined ? '' : JSON.stringify(answered.body))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}
