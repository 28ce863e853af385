import { InvalidArgumentError } from '../../errors/invalid-argument-error'

/**
 * What a masked value is replaced with.
 *
 * @example
 * ```ts
 * maskPaths({ email: 'a@b.c' }, ['email']) // { email: MASKED }, that is { email: '[masked]' }
 * ```
 */
export const MASKED = '[masked]'

/**
 * Splits a mask path (`customer.card.number`, `items.*.price`, `lines.0.sku`) into segments,
 * throwing `InvalidArgumentError` naming `where` for an empty path or an empty segment.
 */
export function parseMaskPath(path: unknown, where: string): readonly string[] {
  if (
    typeof path !== 'string' ||
    path.length === 0 ||
    path.split('.').some((part) => part === '')
  ) {
    throw new InvalidArgumentError({
      fn: where.split('.')[0]!,
      argument: where,
      expected: "a dot path of non-empty segments, `*` for any key or array item ('items.*.price')",
      received: path,
    })
  }
  return path.split('.')
}

/**
 * A copy of `value` with whatever sits at each path replaced by `"[masked]"`. Paths are dot
 * paths; a `*` segment is every key of an object or every item of an array, a number segment
 * an array index. Paths that lead nowhere change nothing (no key is added). `value` is never
 * mutated: only the objects and arrays on a masked path are copied, the rest is shared.
 *
 * @example
 * ```ts
 * maskPaths({ card: { number: '4111', brand: 'visa' }, items: [{ price: 5 }] }, ['card.number', 'items.*.price'])
 * // { card: { number: '[masked]', brand: 'visa' }, items: [{ price: '[masked]' }] }
 * ```
 */
export function maskPaths(value: unknown, paths: readonly string[]): unknown {
  let result = value
  for (const path of paths) result = maskAt(result, parseMaskPath(path, 'maskPaths.paths'), 0)
  return result
}

/** Same as {@link maskPaths} for paths already split (the access control parses them once). */
export function maskSegments(value: unknown, paths: readonly (readonly string[])[]): unknown {
  let result = value
  for (const segments of paths) result = maskAt(result, segments, 0)
  return result
}

function maskAt(value: unknown, segments: readonly string[], index: number): unknown {
  if (index === segments.length) return value === undefined ? value : MASKED
  const segment = segments[index]!
  if (Array.isArray(value)) {
    if (segment === '*') {
      let copy: unknown[] | undefined
      value.forEach((item, position) => {
        const masked = maskAt(item, segments, index + 1)
        if (masked !== item) {
          copy ??= value.slice()
          copy[position] = masked
        }
      })
      return copy ?? value
    }
    if (!/^\d+$/.test(segment)) return value
    const position = Number(segment)
    if (position >= value.length) return value
    const masked = maskAt(value[position], segments, index + 1)
    if (masked === value[position]) return value
    const copy = value.slice()
    copy[position] = masked
    return copy
  }
  if (typeof value !== 'object' || value === null) return value
  const record = value as Record<string, unknown>
  const keys =
    segment === '*' ? Object.keys(record) : Object.hasOwn(record, segment) ? [segment] : []
  let copy: Record<string, unknown> | undefined
  for (const key of keys) {
    const masked = maskAt(record[key], segments, index + 1)
    // A computed key in a literal defines an own property, even for `__proto__`.
    if (masked !== record[key]) copy = { ...(copy ?? record), [key]: masked }
  }
  return copy ?? value
}
