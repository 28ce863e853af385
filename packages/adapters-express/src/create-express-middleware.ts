import type { ServerResponse } from 'node:http'
import { consoleLogger, problemResponse, serializeError, type Logger } from '@tessera/core'
import type { HttpRawReply, HttpRawRequest } from '@tessera/core/http'
import { writeRawReply } from '@tessera/core/node'
import { sendFetchResponse } from './send-fetch-response'
import { toAbortableRequest, toRawRequest, type NodeRequest } from './to-fetch-request'

/**
 * A Web Fetch handler, such as Tessera's HTTP API. `info.ip` is the client's address as the
 * socket reports it (Tessera's handler uses it for rate limits and audit records).
 */
export type FetchHandler = ((request: Request, info?: { ip?: string }) => Promise<Response>) & {
  /**
   * The handler's raw entry, when it has one (`createHttpHandler`'s handlers do): used
   * instead of the Fetch entry, so that a JSON request and its answer need no Fetch objects.
   */
  handle?: (raw: HttpRawRequest) => Promise<HttpRawReply>
}

/** Options of {@link createExpressMiddleware}. */
export interface ExpressMiddlewareOptions {
  /**
   * Handle only requests whose path is this path or under it (`/api` takes `/api` and
   * `/api/runs`, not `/apis`); others go to the next middleware. Default: every request.
   */
  basePath?: string
  /** Where handler failures are logged. Default: `consoleLogger({ level: 'error' })`. */
  logger?: Logger
}

/** An Express middleware (also a plain `node:http` request listener, with a `next`). */
export type ExpressMiddleware = (
  request: NodeRequest,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void

/**
 * Serves a Fetch handler from Express: each request becomes a Fetch `Request` (aborted if the
 * client disconnects), and the handler's `Response` is written back, streamed bodies included.
 * A handler with a raw entry (`handler.handle`, as `createHttpHandler` returns) is called
 * through it instead: no Fetch objects on the way, the same answers. Pass the handler itself
 * (not a function wrapping it) to get this.
 * A handler that throws gets an `application/problem+json` answer (status from the error's
 * code, 500 for unknown errors) and is logged.
 *
 * @example
 * ```ts
 * import express from 'express'
 * const app = express()
 * app.use(createExpressMiddleware(createHttpHandler(engine, { auth }), { basePath: '/tessera' }))
 * app.listen(3000)
 * ```
 */
export function createExpressMiddleware(
  handler: FetchHandler,
  options: ExpressMiddlewareOptions = {},
): ExpressMiddleware {
  const basePath = options.basePath?.replace(/\/+$/, '') ?? ''
  const logger = options.logger ?? consoleLogger({ level: 'error' })
  const raw = typeof handler.handle === 'function'
  return (request, response, next) => {
    const path = (request.originalUrl ?? request.url ?? '/').split('?')[0]!
    if (basePath !== '' && path !== basePath && !path.startsWith(`${basePath}/`)) {
      next()
      return
    }
    if (raw) void serveRaw(handler, request, response, logger)
    else void serve(handler, request, response, logger)
  }
}

async function serveRaw(
  handler: FetchHandler,
  request: NodeRequest,
  response: ServerResponse,
  logger: Logger,
): Promise<void> {
  let reply: HttpRawReply
  try {
    reply = await handler.handle!(toRawRequest(request, response))
  } catch (error) {
    // The client left while sending its body: nobody is there to answer.
    if (!request.complete && request.destroyed) return
    logger.error('request handler failed', {
      method: request.method,
      url: request.originalUrl ?? request.url,
      error: serializeError(error),
    })
    return send(sendFetchResponse(response, problemResponse(error)), request, response, logger)
  }
  return send(writeRawReply(response, reply), request, response, logger)
}

async function send(
  sending: Promise<void>,
  request: NodeRequest,
  response: ServerResponse,
  logger: Logger,
): Promise<void> {
  try {
    await sending
  } catch (error) {
    // Headers are gone: all that is left is to cut the connection so the client sees a failure.
    logger.error('sending the response failed', {
      method: request.method,
      url: request.originalUrl ?? request.url,
      error: serializeError(error),
    })
    response.destroy(error instanceof Error ? error : undefined)
  }
}

async function serve(
  handler: FetchHandler,
  request: NodeRequest,
  response: ServerResponse,
  logger: Logger,
): Promise<void> {
  const where = { method: request.method, url: request.originalUrl ?? request.url }
  let fetchResponse: Response
  try {
    const fetchRequest = await toAbortableRequest(request)
    response.once('close', () => {
      if (!response.writableFinished) {
        fetchRequest.abortRequest(new Error('The client closed the connection'))
      }
    })
    const ip = request.socket?.remoteAddress
    fetchResponse = await handler(fetchRequest, ip !== undefined ? { ip } : {})
    if (!(fetchResponse instanceof Response)) {
      throw new TypeError(
        `The request handler must resolve to a Response, received ${typeof fetchResponse}`,
      )
    }
  } catch (error) {
    // The client left while sending its body: nobody is there to answer.
    if (!request.complete && request.destroyed) return
    logger.error('request handler failed', { ...where, error: serializeError(error) })
    fetchResponse = problemResponse(error)
  }
  try {
    await sendFetchResponse(response, fetchResponse)
  } catch (error) {
    // Headers are gone: all that is left is to cut the connection so the client sees a failure.
    logger.error('sending the response failed', { ...where, error: serializeError(error) })
    response.destroy(error instanceof Error ? error : undefined)
  }
}
