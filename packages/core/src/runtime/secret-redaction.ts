import type { LogFields, Logger } from '../ports/logger'
import { TesseraError } from '../errors/tessera-error'

/** Replaces resolved secret values with `[secret:NAME]` in text, values, errors and log lines. */
export interface Redactor {
  text(text: string): string
  value(value: unknown): unknown
  /** The same error with every message, stack, detail and cause redacted (in place when it can). */
  error(error: unknown): unknown
  logger(logger: Logger): Logger
}

/**
 * Values shorter than this are not redacted: replacing every "a" in a message helps nobody, and a
 * credential that short is not one.
 */
const minimumLength = 4

/**
 * A redactor for the secrets an action received. Longer values are replaced first, so a secret
 * that contains another is masked whole.
 */
export function createRedactor(secrets: readonly { name: string; value: string }[]): Redactor {
  const table = secrets
    .filter((secret) => secret.value.length >= minimumLength)
    .sort((a, b) => b.value.length - a.value.length)
  const text = (input: string): string => {
    let output = input
    for (const secret of table)
      if (output.includes(secret.value))
        output = output.split(secret.value).join(`[secret:${secret.name}]`)
    return output
  }
  const value = (input: unknown, seen = new Set<unknown>(), depth = 0): unknown => {
    if (typeof input === 'string') return text(input)
    if (typeof input !== 'object' || input === null || seen.has(input) || depth > 20) return input
    seen.add(input)
    if (Array.isArray(input)) {
      const items = input.map((item) => value(item, seen, depth + 1))
      return items.some((item, index) => item !== input[index]) ? items : input
    }
    if (input instanceof Error) return error(input)
    let changed = false
    const copy: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(input)) {
      const next = value(item, seen, depth + 1)
      if (next !== item) changed = true
      copy[key] = next
    }
    return changed ? copy : input
  }
  const error = (thrown: unknown, seen = new Set<unknown>()): unknown => {
    if (table.length === 0) return thrown
    if (typeof thrown === 'string') return text(thrown)
    if (!(thrown instanceof Error) && !TesseraError.isInstance(thrown)) return value(thrown)
    if (seen.has(thrown) || seen.size > 10) return thrown
    seen.add(thrown)
    const target = thrown as Error & Record<string, unknown>
    try {
      setOwn(target, 'message', text(target.message))
      if (typeof target.stack === 'string') setOwn(target, 'stack', text(target.stack))
      if (target.cause !== undefined) setOwn(target, 'cause', error(target.cause, seen))
      for (const key of Object.keys(target)) {
        if (key === 'message' || key === 'stack' || key === 'cause') continue
        const next = value(target[key])
        if (next !== target[key]) setOwn(target, key, next)
      }
      if (TesseraError.isInstance(target)) {
        const details = target.details.bind(target)
        setOwn(target, 'details', () => value(details()) as Record<string, unknown> | undefined)
      }
      return target
    } catch {
      // A frozen error: report a plain copy of its message instead.
      return new Error(text(String(target.message)))
    }
  }
  const fields = (input: LogFields | undefined) =>
    input === undefined ? undefined : (value(input) as LogFields)
  const logger = (inner: Logger): Logger => ({
    debug: (message, extra) => inner.debug(text(message), fields(extra)),
    info: (message, extra) => inner.info(text(message), fields(extra)),
    warn: (message, extra) => inner.warn(text(message), fields(extra)),
    error: (message, extra) => inner.error(text(message), fields(extra)),
    child: (bindings) => logger(inner.child(fields(bindings)!)),
  })
  return { text, value: (input) => value(input), error: (thrown) => error(thrown), logger }
}

function setOwn(target: object, key: string, value: unknown): void {
  if ((target as Record<string, unknown>)[key] === value) return
  const enumerable = Object.getOwnPropertyDescriptor(target, key)?.enumerable ?? false
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable })
}
