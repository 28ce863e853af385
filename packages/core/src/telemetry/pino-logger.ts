import type { LogFields, Logger } from '../ports/logger'

/** The part of a pino logger that Tessera uses. */
export interface PinoLike {
  debug(fields: object, message?: string): void
  info(fields: object, message?: string): void
  warn(fields: object, message?: string): void
  error(fields: object, message?: string): void
  child(bindings: object): PinoLike
}

/**
 * Adapts a pino logger (or anything with pino's signature) to Tessera's logger port. Core does
 * not import pino: pass your own instance, with its redaction and transports.
 *
 * @example
 * ```ts
 * import pino from 'pino'
 * const engine = createEngine({ logger: pinoLogger(pino({ level: 'info' })) })
 * ```
 */
export function pinoLogger(pino: PinoLike): Logger {
  const call =
    (method: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: LogFields) =>
      pino[method](fields ?? {}, message)
  return {
    debug: call('debug'),
    info: call('info'),
    warn: call('warn'),
    error: call('error'),
    child: (bindings) => pinoLogger(pino.child(bindings)),
  }
}
