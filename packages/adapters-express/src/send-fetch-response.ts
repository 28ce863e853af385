import type { ServerResponse } from 'node:http'
import { writeFetchResponse } from '@tessera/core/node'

/**
 * Writes a Web Fetch `Response` to an Express (or `node:http`) response: status, headers
 * (several `set-cookie` headers included) and body. A body that is there at once (JSON, text)
 * goes out in one write with its `content-length`; a streamed body (server-sent events, for
 * example) is written chunk by chunk as it is produced, with back-pressure, the headers first;
 * if the client goes away, the body stream is cancelled. Resolves when the response has been
 * sent. The same as `writeFetchResponse` of `@tessera/core/node`.
 *
 * @example
 * ```ts
 * app.get('/health', async (_request, response) => {
 *   await sendFetchResponse(response, Response.json({ ok: true }))
 * })
 * ```
 */
export function sendFetchResponse(
  response: ServerResponse,
  fetchResponse: Response,
): Promise<void> {
  return writeFetchResponse(response, fetchResponse)
}
