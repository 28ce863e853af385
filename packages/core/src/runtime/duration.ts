import { InvalidArgumentError } from '../errors/invalid-argument-error'

/** A duration: milliseconds as a number, or a string such as `'200ms'`, `'30s'`, `'5m'`, `'1.5h'`, `'2d'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const pattern = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/

/**
 * Converts a {@link Duration} to milliseconds; throws {@link InvalidArgumentError} naming
 * `where` for anything else.
 *
 * @example
 * ```ts
 * parseDuration('1.5s', 'timeout') // 1500
 * ```
 */
export function parseDuration(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  if (typeof value === 'string') {
    const match = pattern.exec(value.trim())
    if (match) return Number(match[1]) * units[match[2]!]!
  }
  throw new InvalidArgumentError({
    fn: where.split('.')[0]!,
    argument: where,
    expected: "a duration: milliseconds (>= 0) or a string like '200ms', '30s', '5m', '1h', '2d'",
    received: value,
  })
}
