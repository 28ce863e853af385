import type { Logger } from '../ports/logger'

/** A logger that drops everything: the engine's default.
 *
 * @example
 * ```ts
 * createEngine({ logger: noopLogger }) // the same as the default
 * ```
 */
export const noopLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return noopLogger
  },
}
