import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { pinoLogger, problemResponse, serializeError, type Logger } from '@tessera/core'
import type { HttpRawReply, HttpRawRequest } from '@tessera/core/http'
import { sendFetchResponse, sendRawReply } from './send-fetch-response'
import { toAbortableRequest, toRawRequest } from './to-fetch-request'

/**
 * A Web Fetch handler, such as Tessera's HTTP API. `info.ip` is the client's address as Fastify
 * reports it (`request.ip`, which honours Fastify's own `trustProxy`).
 */
export type FetchHandler = ((request: Request, info?: { ip?: string }) => Promise<Response>) & {
  /**
   * The handler's raw entry, when it has one (`createHttpHandler`'s handlers do): used
   * instead of the Fetch entry, so that a JSON request and its answer need no Fetch objects.
   */
  handle?: (raw: HttpRawRequest) => Promise<HttpRawReply>
}

/** Options of the {@link tesseraFastify} plugin. */
export interface TesseraFastifyOptions {
  /** The Fetch handler that answers every request under the prefix. */
  handler: FetchHandler
  /** Fastify's own `prefix` option: the handler serves this path and everything under it. */
  prefix?: string
  /** Where handler failures are logged. Default: the request's Fastify logger. */
  logger?: Logger
}

const plugin: FastifyPluginAsync<TesseraFastifyOptions> = async (fastify, options) => {
  if (typeof options.handler !== 'function') {
    throw new TypeError(
      `@tessera/fastify: the "handler" option must be a function, received ${typeof options.handler}`,
    )
  }
  // Inside this plugin only: leave every body unread, so the handler streams it.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

  const handler = options.handler
  const failed = (request: FastifyRequest, error: unknown) => {
    const logger = options.logger ?? pinoLogger(request.log)
    logger.error('request handler failed', {
      method: request.method,
      url: request.url,
      error: serializeError(error),
    })
  }
  const rawRoute = async (request: FastifyRequest, reply: FastifyReply) => {
    let answer: HttpRawReply
    try {
      answer = await handler.handle!(toRawRequest(request, reply))
    } catch (error) {
      // The client left while sending its body: nobody is there to answer.
      if (!request.raw.complete && request.raw.destroyed) return reply
      failed(request, error)
      return sendFetchResponse(reply, problemResponse(error))
    }
    return sendRawReply(reply, answer)
  }
  const fetchRoute = async (request: FastifyRequest, reply: FastifyReply) => {
    let response: Response
    try {
      const fetchRequest = await toAbortableRequest(request)
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) {
          fetchRequest.abortRequest(new Error('The client closed the connection'))
        }
      })
      response = await handler(fetchRequest, { ip: request.ip })
      if (!(response instanceof Response)) {
        throw new TypeError(
          `The request handler must resolve to a Response, received ${typeof response}`,
        )
      }
    } catch (error) {
      // The client left while sending its body: nobody is there to answer.
      if (!request.raw.complete && request.raw.destroyed) return reply
      failed(request, error)
      response = problemResponse(error)
    }
    return sendFetchResponse(reply, response)
  }
  const route = typeof handler.handle === 'function' ? rawRoute : fetchRoute
  fastify.all('/', route)
  fastify.all('/*', route)
}

/**
 * A Fastify plugin that serves a Fetch handler: each request becomes a Fetch `Request`
 * (aborted if the client disconnects, body streamed unparsed), and the handler's `Response` is
 * sent back, streamed bodies included. A handler that throws gets an
 * `application/problem+json` answer (status from the error's code, 500 for unknown errors).
 * The plugin is encapsulated: its body handling does not leak into the rest of the app. A
 * handler with a raw entry (`handler.handle`, as `createHttpHandler` returns) is called through
 * it instead: no Fetch objects on the way, the same answers, still sent through `reply` (hooks
 * run). Pass the handler itself (not a function wrapping it) to get this.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * const app = Fastify({ logger: true })
 * await app.register(tesseraFastify, { prefix: '/tessera', handler: createHttpHandler(engine, { auth }) })
 * await app.listen({ port: 3000 })
 * ```
 */
export const tesseraFastify = fastifyPlugin(plugin, {
  name: '@tessera/fastify',
  fastify: '5.x',
  encapsulate: true,
})
