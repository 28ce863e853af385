import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// The plumbing every vendor fake (Slack, Teams, SendGrid, Twilio, and the JSON fakes of GitHub,
// HubSpot and Jira) shares: a node:http server on 127.0.0.1 that reads the whole body before
// the fake's handler runs, held (never answered) requests counted until the client gives up,
// "fail the next request" on demand, and a close that drops kept-alive sockets. What a vendor
// answers stays in its own fake.

/**
 * One request, its body read, as a vendor fake's handler gets it.
 *
 * @example
 * ```ts
 * const server = await startFakeHttpServer(({ url, text, response }) => sendJson(response, 200, { path: url.pathname, text }))
 * ```
 */
export interface FakeExchange {
  request: IncomingMessage
  response: ServerResponse
  /** The request URL, resolved against `http://localhost`. */
  url: URL
  /** The body as UTF-8 text (`''` when there is none). */
  text: string
  /** Never answers: counts the request in `holding` until the client closes it. */
  hold(): void
  /** True (once per `failNext()` call) when this request should fail. */
  takeFailure(): boolean
}

/**
 * A running fake: its origin, the held requests and `failNext`.
 *
 * @example
 * ```ts
 * const server = await startFakeHttpServer((exchange) => exchange.hold())
 * await fetch(server.url, { signal: AbortSignal.timeout(100) }).catch(() => undefined)
 * await server.hangingClosed()
 * await server.close()
 * ```
 */
export interface FakeHttpServer {
  /** `http://127.0.0.1:<port>`. */
  url: string
  /** Requests held open right now. */
  readonly holding: number
  /** Resolves when a held request was closed by the client (each call waits for the next one). */
  hangingClosed(): Promise<void>
  /** Makes `takeFailure()` true for one more request; the fake decides how it fails. */
  failNext(): void
  close(): Promise<void>
}

/**
 * Starts a {@link FakeHttpServer} on 127.0.0.1 (a free port) that hands every request, with its
 * body, to `handle`.
 *
 * @example
 * ```ts
 * const server = await startFakeHttpServer(({ response, takeFailure }) =>
 *   takeFailure() ? sendJson(response, 503, { error: 'unavailable' }) : sendJson(response, 200, {}),
 * )
 * ```
 */
export async function startFakeHttpServer(
  handle: (exchange: FakeExchange) => void,
): Promise<FakeHttpServer> {
  let holding = 0
  let failures = 0
  let onHangingClosed: () => void = () => undefined
  let hangingClosed = new Promise<void>((resolve) => (onHangingClosed = resolve))
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () =>
      handle({
        request,
        response,
        url: new URL(request.url ?? '/', 'http://localhost'),
        text: Buffer.concat(chunks).toString('utf8'),
        hold() {
          holding++
          response.on('close', () => {
            holding--
            onHangingClosed()
          })
        },
        takeFailure() {
          if (failures === 0) return false
          failures--
          return true
        },
      }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get holding() {
      return holding
    },
    async hangingClosed() {
      await hangingClosed
      hangingClosed = new Promise<void>((resolve) => (onHangingClosed = resolve))
    },
    failNext() {
      failures++
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/**
 * Answers with `body` as JSON (`content-type: application/json` unless `headers` names another),
 * plus `headers` (a 429's `retry-after`, rate-limit headers).
 *
 * @example
 * ```ts
 * sendJson(response, 429, { error: 'ratelimited' }, { 'retry-after': '12' })
 * ```
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}

/**
 * Answers with plain text (`content-type: text/plain; charset=utf-8`).
 *
 * @example
 * ```ts
 * sendText(response, 410, 'Connector configuration not found')
 * ```
 */
export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  response.end(text)
}
