/**
 * JSON with object keys sorted (by UTF-16 code units, as `Array.prototype.sort` orders them),
 * no whitespace, and `undefined` properties left out as `JSON.stringify` leaves them: one text
 * for one value, whatever order its keys were written in. What the audit trail hashes.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] }) // '{"a":[true,{"c":"x","d":null}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null'
}

function sortKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  const json = (value as { toJSON?: () => unknown }).toJSON
  if (typeof json === 'function') return sortKeys(json.call(value))
  if (Array.isArray(value)) return value.map(sortKeys)
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key]
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
    // Defined with a computed key so that `__proto__` stays an own property.
    Object.defineProperty(sorted, key, {
      value: sortKeys(item),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return sorted
}

/**
 * SHA-256 of a string's UTF-8 bytes as lowercase hex, through the Web Crypto API.
 *
 * @example
 * ```ts
 * await sha256Hex('abc') // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return hex(new Uint8Array(digest))
}

/**
 * Lowercase hex of bytes.
 *
 * @example
 * ```ts
 * hex(new Uint8Array([0, 255])) // '00ff'
 * ```
 */
export function hex(bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0')
  return text
}

/**
 * Compares two strings in time that depends on their length only, not on where they differ:
 * for secrets and their hashes, so a caller cannot learn a prefix by timing.
 *
 * @example
 * ```ts
 * timingSafeEqual(await sha256Hex(token), stored.hash)
 * ```
 */
export function timingSafeEqual(left: string, right: string): boolean {
  // The length is no secret here (hex digests have one length); the contents are.
  if (left.length !== right.length) return false
  let difference = 0
  for (let index = 0; index < left.length; index++) {
    difference |= left.charCodeAt(index) ^ right.charCodeAt(index)
  }
  return difference === 0
}
