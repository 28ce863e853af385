import type { ServerResponse } from 'node:http'
import { readResponseBody, type ResponseBodyReader } from './response-body'

/**
 * Writes a Web Fetch `Response` to a Node `ServerResponse` (`node:http`, or a framework's
 * response built on it, such as Express's): status, headers (several `set-cookie` headers
 * included) and body. A body that is there at once (JSON, text) goes out in one write with its
 * `content-length`; a streamed body (server-sent events, for example) is written chunk by chunk
 * as it is produced, with back-pressure, the headers first; if the client goes away, the body
 * stream is cancelled. Resolves when the response has been sent.
 *
 * @example
 * ```ts
 * import { writeFetchResponse } from '@tessera/core/node'
 *
 * http.createServer(async (_request, response) => {
 *   await writeFetchResponse(response, Response.json({ ok: true }))
 * })
 * ```
 */
export async function writeFetchResponse(
  response: ServerResponse,
  fetchResponse: Response,
): Promise<void> {
  response.statusCode = fetchResponse.status
  if (fetchResponse.statusText) response.statusMessage = fetchResponse.statusText
  let cookies = false
  fetchResponse.headers.forEach((value, name) => {
    if (name === 'set-cookie') cookies = true
    else response.setHeader(name, value)
  })
  if (cookies) response.setHeader('set-cookie', fetchResponse.headers.getSetCookie())

  const body = await readResponseBody(fetchResponse)
  if (body.kind === 'none') {
    response.end()
    return
  }
  if (body.kind === 'bytes') {
    if (!response.hasHeader('content-length') && !response.hasHeader('transfer-encoding')) {
      response.setHeader(
        'content-length',
        typeof body.bytes === 'string' ? Buffer.byteLength(body.bytes) : body.bytes.byteLength,
      )
    }
    response.end(body.bytes)
    return
  }
  // Send the headers now: a stream's next chunk may be a long time coming.
  response.flushHeaders()
  for (const chunk of body.chunks) response.write(chunk)
  await streamRest(response, body.rest)
}

/** @internal Writes the rest of a streamed body, chunk by chunk, until it ends or the client leaves. */
export async function streamRest(
  response: ServerResponse,
  rest: ResponseBodyReader,
): Promise<void> {
  const onClose = () => {
    // The client went away: stop producing (ends an event stream, for example).
    if (!response.writableFinished) {
      rest.cancel(new Error('The client closed the connection')).catch(() => undefined)
    }
  }
  response.once('close', onClose)
  try {
    for (;;) {
      const { done, value } = await rest.read()
      if (response.destroyed) return
      if (done) break
      if (!response.write(value)) await drained(response)
    }
    response.end()
  } catch (error) {
    // Cancelled because the client went away: not a failure of the response.
    if (response.destroyed && !response.writableFinished) return
    throw error
  } finally {
    response.off('close', onClose)
  }
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done)
      response.off('close', done)
      resolve()
    }
    response.once('drain', done)
    response.once('close', done)
  })
}
