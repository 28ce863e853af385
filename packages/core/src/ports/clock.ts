/**
 * Time, injected so that tests can control it. The default uses `Date.now` and the global
 * timers.
 *
 * @example
 * ```ts
 * createEngine({ clock: { now: () => fakeNow, setTimeout: fake.setTimeout, clearTimeout: fake.clearTimeout } })
 * ```
 */
export interface Clock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The clock of the host: `Date.now` and the global timers.
 *
 * @example
 * ```ts
 * createEngine({ clock: systemClock }) // the same as the default
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** Makes unique ids; the default uses `crypto.randomUUID()`. */
export type IdGenerator = () => string

/** The default id generator: random UUID v4 from the Web Crypto API.
 *
 * @example
 * ```ts
 * createEngine({ idGenerator: randomId }) // the same as the default
 * ```
 */
export const randomId: IdGenerator = () => {
  const id = globalThis.crypto.randomUUID()
  // Node builds the UUID by concatenation: reading a character flattens the rope, which would
  // otherwise keep ~420 bytes of string pieces alive for as long as the id is stored.
  id.charCodeAt(0)
  return id
}
