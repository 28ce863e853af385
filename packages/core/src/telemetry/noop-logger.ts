import type { Logger } from '../ports/logger'

/** A logger that drops everything: the engine's default. */
export const noopLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return noopLogger
  },
}
