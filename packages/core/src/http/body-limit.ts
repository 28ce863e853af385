import type { MiddlewareHandler } from 'hono'

/**
 * @internal The request-size limit. Unlike `hono/body-limit`, it decides from `Content-Length`
 * without touching `request.body`: the Node adapters hand the handler requests whose small
 * bodies are already bytes, and reading `.body` would turn those bytes back into a stream (a
 * second Request, a ReadableStream and an AbortSignal per request). Bodies without a length
 * (chunked) are counted as they stream and buffered, up to the limit.
 */
export function limitBody(maxBytes: number, tooLarge: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    const request = c.req.raw
    const method = request.method
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next()
    const headers = request.headers
    const length = headers.get('content-length')
    if (length !== null && !headers.has('transfer-encoding')) {
      return Number(length) > maxBytes ? tooLarge(c, next) : next()
    }
    const body = request.body
    if (body === null) return next()
    const reader = body.getReader()
    const chunks: Uint8Array[] = []
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        await reader.cancel().catch(() => {})
        return tooLarge(c, next)
      }
      chunks.push(value)
    }
    const bytes = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
    c.req.raw = new Request(request, { body: bytes })
    return next()
  }
}
