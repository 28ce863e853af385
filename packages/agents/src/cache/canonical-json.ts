/**
 * JSON with object keys sorted at every depth, so that two equal values give the same text
 * whatever order their keys were written in. `undefined` members are left out, as
 * `JSON.stringify` does; values JSON cannot hold (functions, symbols, bigints, cycles) throw a
 * `TypeError`.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }) // '{"a":[{"c":3,"d":2}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, new Set()))
}

function sortKeys(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`)
  }
  if (typeof value !== 'object' || value === null) return value
  if (seen.has(value)) throw new TypeError('canonicalJson: the value contains a cycle')
  const toJson = (value as { toJSON?: () => unknown }).toJSON
  if (typeof toJson === 'function') return sortKeys(toJson.call(value), seen)
  seen.add(value)
  try {
    if (Array.isArray(value)) return value.map((item) => sortKeys(item, seen) ?? null)
    const sorted: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key]
      if (member !== undefined) sorted[key] = sortKeys(member, seen)
    }
    return sorted
  } finally {
    seen.delete(value)
  }
}
