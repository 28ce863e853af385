import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  toAbortableRequest as nodeToAbortableRequest,
  toFetchRequest as nodeToFetchRequest,
  toRawRequest as nodeToRawRequest,
  type FetchRequestWithAbort,
  type NodeRawRequest,
} from '@tessera/core/node'

/**
 * Translates a Fastify request into a Web Fetch `Request`: the full URL, every header, and the
 * body as a stream. Inside {@link tesseraFastify} the body is left unparsed, so it streams
 * straight from the socket (through any `preParsing` hook, such as decompression).
 *
 * @example
 * ```ts
 * fastify.post('/hook', async (request, reply) => {
 *   const payload = await toFetchRequest(request).json()
 *   return reply.code(204).send()
 * })
 * ```
 */
export function toFetchRequest(
  request: FastifyRequest,
  options: { signal?: AbortSignal } = {},
): Request {
  return nodeToFetchRequest(request.raw, {
    url: requestUrl(request),
    body: (headers) => requestBody(request, headers),
    ...(options.signal !== undefined && { signal: options.signal }),
  })
}

/**
 * The plugin's own translation: as {@link toFetchRequest}, with a small body read first (a
 * byte array is much cheaper for Fetch than a stream) and a signal made only if the handler
 * reads it (see `toAbortableRequest` of `@tessera/core/node`). Only a body left unparsed
 * straight from the socket is read first (no `preParsing` stream in between, so Node's parser
 * holds the client to its `content-length`).
 */
export function toAbortableRequest(request: FastifyRequest): Promise<FetchRequestWithAbort> {
  return nodeToAbortableRequest(request.raw, {
    url: requestUrl(request),
    body: (headers) => requestBody(request, headers),
    readSmallBody: request.body === request.raw,
  })
}

/**
 * The plugin's translation for a handler with a raw entry (`handler.handle`): the URL as
 * {@link toFetchRequest} has it, the request's headers, the body read only if the handler asks
 * (a small body straight from the socket as bytes, else the stream Fastify hands over, through
 * any `preParsing` hook) and a signal made only if the handler reads it.
 */
export function toRawRequest(request: FastifyRequest, reply: FastifyReply): NodeRawRequest {
  const body = request.body
  return nodeToRawRequest(request.raw, {
    url: requestUrl(request),
    // Fastify's `request.ip` (which honours its `trustProxy`), read only if the handler asks.
    ip: () => request.ip,
    headers: request.headers,
    ...(body === request.raw || request.method === 'GET' || request.method === 'HEAD'
      ? {}
      : { body: () => parsedOrStream(body) }),
    response: reply.raw,
  })
}

/** A body a `preParsing` hook turned into another stream, or a value a parser produced. */
function parsedOrStream(
  body: unknown,
): string | Uint8Array | AsyncIterable<Uint8Array> | undefined {
  if (body === undefined || body === null) return undefined
  if (body instanceof Readable || typeof body === 'string' || body instanceof Uint8Array) {
    return body as Readable
  }
  return JSON.stringify(body)
}

function requestUrl(request: FastifyRequest): string {
  const host = /^[A-Za-z0-9.\-_~[\]:%]+$/.test(request.host) ? request.host : 'localhost'
  // Concatenated, not resolved: a path like "//other.example/x" must not change the host.
  return `${request.protocol}://${host}${request.url}`
}

function requestBody(request: FastifyRequest, headers: Headers): BodyInit | null {
  if (request.method === 'GET' || request.method === 'HEAD') return null
  const body = request.body
  if (body instanceof Readable) return Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>
  if (body === undefined || body === null) return null
  // A body that a parser of the application already read: encode it again.
  headers.delete('content-length')
  if (typeof body === 'string' || body instanceof Uint8Array) return body as BodyInit
  return JSON.stringify(body)
}
