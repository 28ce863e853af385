/**
 * What a Fetch `Response` body is, found as cheaply as possible:
 * - `{ kind: 'none' }`: no body;
 * - `{ kind: 'bytes', bytes }`: the whole body, available at once (a JSON or text answer),
 *   to send with one write and a `content-length`;
 * - `{ kind: 'stream', chunks, rest }`: a body still being produced (server-sent events, a
 *   large download): `chunks` were read already, `rest` yields the others as they come.
 */
export type ResponseBody =
  | { kind: 'none' }
  | { kind: 'bytes'; bytes: Uint8Array | string }
  | { kind: 'stream'; chunks: Uint8Array[]; rest: ResponseBodyReader }

/** The rest of a streamed body: `read()` as a stream reader; `cancel()` when the client left. */
export interface ResponseBodyReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>
  cancel(reason?: unknown): Promise<void>
}

/** Reads ahead at most this much before deciding that a body is a stream. */
const readAheadBytes = 64 * 1024

/**
 * Finds what `response`'s body is (see {@link ResponseBody}), without a Node stream.
 *
 * Node's Fetch (undici) keeps the string or bytes a `Response` was made from next to its body
 * stream: when that source is there and nothing read the body, it is the body, and reading it
 * costs nothing. Otherwise (another Fetch implementation, a body made from a stream) the body
 * is read for as long as chunks come without waiting: a body that ends within that read-ahead
 * is sent whole, any other is streamed. The same approach as `@hono/node-server`'s listener.
 * `writeFetchResponse` uses it; an adapter that sends through its framework's own reply
 * (Fastify's, for its hooks) uses it directly.
 *
 * @example
 * ```ts
 * import { readResponseBody } from '@tessera/core/node'
 *
 * const body = await readResponseBody(Response.json({ ok: true }))
 * if (body.kind === 'bytes') reply.send(Buffer.from(body.bytes))
 * ```
 */
export async function readResponseBody(response: Response): Promise<ResponseBody> {
  const source = bodySource(response)
  if (source === null) return { kind: 'none' }
  if (source !== undefined) return { kind: 'bytes', bytes: source }
  if (response.body === null) return { kind: 'none' }
  const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>
  const chunks: Uint8Array[] = []
  let size = 0
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined
  while (size <= readAheadBytes) {
    pending ??= reader.read()
    const result = await withoutWaiting(pending)
    if (result === undefined) break
    pending = undefined
    if (result.done) return { kind: 'bytes', bytes: concat(chunks, size) }
    chunks.push(result.value)
    size += result.value.byteLength
  }
  let waiting = pending
  return {
    kind: 'stream',
    chunks,
    rest: {
      read: () => {
        const next = waiting ?? reader.read()
        waiting = undefined
        return next
      },
      cancel: (reason) => reader.cancel(reason),
    },
  }
}

/**
 * The string or bytes an undici `Response` was built from (`null`: no body), or `undefined`
 * when that is not known. Reads undici's internal state (a `Symbol(state)` property), so the
 * result is only trusted when it is exactly what is expected; anything else is `undefined`.
 */
function bodySource(response: Response): Uint8Array | string | null | undefined {
  if (response.bodyUsed) return undefined
  const key = stateKey(response)
  if (key === undefined) return undefined
  const state = (response as unknown as Record<symbol, unknown>)[key] as
    { body?: { source?: unknown; stream?: { locked?: boolean } } | null } | undefined
  if (state === undefined || typeof state !== 'object' || !('body' in state)) return undefined
  const body = state.body
  if (body === null) return null
  if (body === undefined || body.stream?.locked !== false) return undefined
  const source = body.source
  if (typeof source === 'string' || source instanceof Uint8Array) return source
  if (source instanceof ArrayBuffer) return new Uint8Array(source)
  return undefined
}

let cachedStateKey: symbol | null | undefined
function stateKey(response: Response): symbol | undefined {
  if (cachedStateKey === undefined) {
    cachedStateKey =
      Object.getOwnPropertySymbols(response).find((key) => key.description === 'state') ?? null
  }
  return cachedStateKey !== null && cachedStateKey in response ? cachedStateKey : undefined
}

/** `promise`'s result if it settles within a few microtasks, else `undefined`. */
function withoutWaiting<T>(promise: Promise<T>): Promise<T | undefined> {
  return Promise.race([promise, Promise.resolve().then(() => Promise.resolve(undefined))])
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
