import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/**
 * Writes a Web Fetch `Response` to an Express (or `node:http`) response: status, headers
 * (several `set-cookie` headers included) and body. A streamed body (server-sent events, for
 * example) is written chunk by chunk as it is produced, with back-pressure; if the client goes
 * away, the body stream is cancelled. Resolves when the response has been sent.
 *
 * @example
 * ```ts
 * app.get('/health', async (_request, response) => {
 *   await sendFetchResponse(response, Response.json({ ok: true }))
 * })
 * ```
 */
export async function sendFetchResponse(
  response: ServerResponse,
  fetchResponse: Response,
): Promise<void> {
  response.statusCode = fetchResponse.status
  if (fetchResponse.statusText) response.statusMessage = fetchResponse.statusText
  fetchResponse.headers.forEach((value, name) => {
    if (name !== 'set-cookie') response.setHeader(name, value)
  })
  const cookies = fetchResponse.headers.getSetCookie()
  if (cookies.length > 0) response.setHeader('set-cookie', cookies)

  if (fetchResponse.body === null) {
    response.end()
    return
  }
  // Send the headers now: a stream's first chunk may be a long time coming.
  response.flushHeaders()
  try {
    await pipeline(
      Readable.fromWeb(fetchResponse.body as import('node:stream/web').ReadableStream<Uint8Array>),
      response,
    )
  } catch (error) {
    // The client went away: not a failure of the response.
    if (
      response.destroyed &&
      !response.writableFinished &&
      (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE'
    )
      return
    throw error
  }
}
