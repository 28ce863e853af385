/**
 * A Fetch `Request` whose `signal` costs nothing until it is read. Node's `Request` follows a
 * signal given to it with listeners and a finaliser: about half the cost of building the
 * request, paid on every request although only long answers (server-sent events) read it.
 * Here the signal is made on first read, and {@link AbortableRequest.abortRequest} aborts it
 * (at once if it was read, else as it is made).
 *
 * @example
 * ```ts
 * const request = new AbortableRequest('http://localhost/runs/r1/stream')
 * response.once('close', () => request.abortRequest(new Error('The client closed the connection')))
 * ```
 */
export class AbortableRequest extends Request {
  #controller: AbortController | undefined
  #aborted = false
  #reason: unknown

  /** Aborts this request's `signal` with `reason` (the first call wins). */
  abortRequest(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    this.#controller?.abort(reason)
  }

  static {
    // An accessor over Request's own `signal` (a property in the DOM types, so not `override`).
    Object.defineProperty(this.prototype, 'signal', {
      configurable: true,
      enumerable: true,
      get(this: AbortableRequest): AbortSignal {
        if (this.#controller === undefined) {
          this.#controller = new AbortController()
          if (this.#aborted) this.#controller.abort(this.#reason)
        }
        return this.#controller.signal
      },
    })
  }
}
