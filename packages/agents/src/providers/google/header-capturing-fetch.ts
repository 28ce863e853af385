/** The fetch function the `@google/genai` SDK accepts in `httpOptions.fetch`. */
export type FetchFunction = typeof globalThis.fetch

const undiciGlobalDispatcher = Symbol.for('undici.globalDispatcher.1')

/**
 * Wraps a fetch so that one call's response headers are seen: the SDK's `ApiError` keeps only
 * the status and the body, and a 429's `Retry-After` is a header. Without a fetch of the
 * caller's, it uses the global one the way the SDK itself does in Node: through Node's global
 * dispatcher with its 300 s header and body timeouts off (a long answer must not fail on them;
 * the `timeout` setting bounds the call instead).
 *
 * @example
 * ```ts
 * let headers: Headers | undefined
 * const fetch = createHeaderCapturingFetch(undefined, (seen) => (headers = seen))
 * ```
 */
export function createHeaderCapturingFetch(
  base: FetchFunction | undefined,
  onHeaders: (headers: Headers) => void,
): FetchFunction {
  return async (input, init) => {
    let response: Response
    if (base) response = await base(input, init)
    else {
      // Reading Node's fetch loads undici, which installs the global dispatcher.
      const fetch = globalThis.fetch
      response = await fetch(input, withoutUndiciTimeouts(init))
    }
    onHeaders(response.headers)
    return response
  }
}

function withoutUndiciTimeouts(init: RequestInit | undefined): RequestInit | undefined {
  const dispatcher = (globalThis as Record<symbol, unknown>)[undiciGlobalDispatcher] as
    { dispatch?: (options: object, handler: unknown) => boolean } | undefined
  if (typeof dispatcher?.dispatch !== 'function' || (init && 'dispatcher' in init)) return init
  return {
    ...init,
    dispatcher: {
      dispatch: (options: object, handler: unknown) =>
        dispatcher.dispatch!({ ...options, headersTimeout: 0, bodyTimeout: 0 }, handler),
    },
  } as RequestInit
}
