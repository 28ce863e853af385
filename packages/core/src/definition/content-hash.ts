/**
 * A fast, deterministic, non-cryptographic content hash (two independent 53-bit lanes of
 * cyrb53, 26 hex characters). Used for definition versions: it needs stability and a negligible
 * chance of accidental collision, not resistance to attack.
 *
 * @example
 * ```ts
 * contentHash('{"a":1}') // 26 hex characters, the same on every run
 * ```
 */
export function contentHash(text: string): string {
  return (
    lane(text, 0x9e3779b9).toString(16).padStart(14, '0') +
    lane(text, 0x85ebca6b).toString(16).padStart(13, '0')
  )
}

function lane(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed
  let h2 = 0x41c6ce57 ^ seed
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    h1 = Math.imul(h1 ^ code, 2654435761)
    h2 = Math.imul(h2 ^ code, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (2097151 & h2) + (h1 >>> 0)
}

/** JSON with object keys sorted, so equal values always serialise the same way.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: 2 }) // '{"a":2,"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, current: unknown) => {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return current
    const sorted: Record<string, unknown> = {}
    for (const key of Object.keys(current).sort())
      sorted[key] = (current as Record<string, unknown>)[key]
    return sorted
  })
}
