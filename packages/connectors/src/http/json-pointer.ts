import { z } from 'zod'

/**
 * The zod schema of a JSON Pointer (RFC 6901): `""` (the whole document) or `/`-separated
 * tokens, such as `/data/items` or `/meta/next_cursor`.
 *
 * @example
 * ```ts
 * jsonPointerSchema.parse('/data/items')
 * ```
 */
export const jsonPointerSchema = z
  .string()
  .regex(/^(?:\/(?:[^~]|~[01])*)*$/, 'a JSON Pointer such as "/data/items" ("" for the whole body)')

/**
 * The value at a JSON Pointer (RFC 6901) in a parsed JSON value, or undefined when there is
 * none. `~1` stands for `/` and `~0` for `~` in a token; array tokens are indexes.
 *
 * @example
 * ```ts
 * readJsonPointer({ meta: { next: 'c2' } }, '/meta/next') // 'c2'
 * readJsonPointer([1, 2], '/1') // 2
 * ```
 */
export function readJsonPointer(value: unknown, pointer: string): unknown {
  if (pointer === '') return value
  let current = value
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (Array.isArray(current)) {
      if (!/^(?:0|[1-9]\d*)$/.test(token)) return undefined
      current = current[Number(token)]
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token]
    } else return undefined
  }
  return current
}
