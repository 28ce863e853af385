import type { LogFields, Logger } from '../ports/logger'

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const

/**
 * A logger that writes one line per entry to the console, from `level` up.
 *
 * @example
 * ```ts
 * const engine = createEngine({ logger: consoleLogger({ level: 'info' }) })
 * ```
 */
export function consoleLogger(
  options: { level?: keyof typeof levels; bindings?: LogFields } = {},
): Logger {
  const threshold = levels[options.level ?? 'info']
  const bindings = options.bindings ?? {}
  const write = (level: keyof typeof levels) => (message: string, fields?: LogFields) => {
    if (levels[level] < threshold) return
    const extra = { ...bindings, ...fields }
    const suffix = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : ''
    console[level === 'debug' ? 'log' : level](`[tessera] ${level} ${message}${suffix}`)
  }
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => consoleLogger({ ...options, bindings: { ...bindings, ...more } }),
  }
}
