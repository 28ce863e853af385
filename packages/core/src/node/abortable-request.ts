/**
 * A Fetch `Request` that costs little until the handler uses it:
 * - its `signal` is made on first read. Node's `Request` follows a signal given to it with
 *   listeners and a finaliser, a large share of the cost of building it, although only long
 *   answers (server-sent events) read it. {@link AbortableRequest.abortRequest} aborts the
 *   signal (at once if it was read, else as it is made);
 * - a body the adapter read already (`bytes`) is kept as bytes: `text()`, `json()` and
 *   `arrayBuffer()` answer from them, where Node's `Request` would wrap them in a web stream
 *   and read it back. `body`, `blob()`, `formData()` and `clone()` get a standard request with
 *   that body, built on first use.
 *
 * @example
 * ```ts
 * const request = new AbortableRequest('http://localhost/runs', { method: 'POST' }, bytes)
 * response.once('close', () => request.abortRequest(new Error('The client closed the connection')))
 * ```
 */
export class AbortableRequest extends Request {
  #controller: AbortController | undefined
  #aborted = false
  #reason: unknown
  #bytes: Uint8Array | undefined
  #used = false
  #full: Request | undefined

  constructor(url: string, init: RequestInit, bytes?: Uint8Array) {
    super(url, init)
    this.#bytes = bytes
  }

  /** Aborts this request's `signal` with `reason` (the first call wins). */
  abortRequest(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    this.#controller?.abort(reason)
  }

  override text(): Promise<string> {
    if (this.#bytes === undefined) return super.text()
    return this.#read(
      (bytes) => new TextDecoder().decode(bytes),
      (full) => full.text(),
    )
  }

  override json(): Promise<unknown> {
    if (this.#bytes === undefined) return super.json() as Promise<unknown>
    return this.#read(
      (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as unknown,
      (full) => full.json() as Promise<unknown>,
    )
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#bytes === undefined) return super.arrayBuffer()
    return this.#read(
      (bytes) => new Uint8Array(bytes).buffer as ArrayBuffer,
      (full) => full.arrayBuffer(),
    )
  }

  override blob(): Promise<Blob> {
    return this.#bytes === undefined ? super.blob() : this.#fullRequest().blob()
  }

  override formData(): Promise<FormData> {
    return this.#bytes === undefined ? super.formData() : this.#fullRequest().formData()
  }

  override clone(): Request {
    return this.#bytes === undefined ? super.clone() : this.#fullRequest().clone()
  }

  /** Reads the bytes the adapter read (callers check that there are some). */
  #read<T>(fast: (bytes: Uint8Array) => T, slow: (full: Request) => Promise<T>): Promise<T> {
    if (this.#full !== undefined) return slow(this.#full)
    if (this.#used)
      return Promise.reject(new TypeError('Body is unusable: body has already been read'))
    this.#used = true
    try {
      return Promise.resolve(fast(this.#bytes!))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** The standard request with the body (only called when the adapter read the body). */
  #fullRequest(): Request {
    if (this.#full === undefined) {
      this.#full = new Request(this.url, {
        method: this.method,
        headers: this.headers,
        body: (this.#used ? new Uint8Array(0) : this.#bytes!) as BodyInit,
      })
      // The bytes were consumed already: so is the standard request's body.
      if (this.#used) void this.#full.arrayBuffer()
    }
    return this.#full
  }

  static {
    // Accessors over Request's own properties (properties in the DOM types, so not `override`).
    Object.defineProperties(this.prototype, {
      signal: {
        configurable: true,
        enumerable: true,
        get(this: AbortableRequest): AbortSignal {
          if (this.#controller === undefined) {
            this.#controller = new AbortController()
            if (this.#aborted) this.#controller.abort(this.#reason)
          }
          return this.#controller.signal
        },
      },
      body: {
        configurable: true,
        enumerable: true,
        get(this: AbortableRequest): ReadableStream<Uint8Array> | null {
          if (this.#bytes === undefined) {
            return Reflect.get(Request.prototype, 'body', this) as ReadableStream<Uint8Array> | null
          }
          return this.#fullRequest().body
        },
      },
      bodyUsed: {
        configurable: true,
        enumerable: true,
        get(this: AbortableRequest): boolean {
          if (this.#bytes === undefined)
            return Reflect.get(Request.prototype, 'bodyUsed', this) as boolean
          return this.#full !== undefined ? this.#full.bodyUsed : this.#used
        },
      },
    })
  }
}
