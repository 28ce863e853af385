/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>

/**
 * The logging port. Its shape is pino's, so a pino logger works through `pinoLogger()`, and any
 * other logger adapts in a few lines.
 *
 * @example
 * ```ts
 * const engine = createEngine({ logger: pinoLogger(pino()) })
 * ```
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogFields): Logger
}
