/**
 * The JSON Pointer of the value on a line of `JSON.stringify(value, null, 2)` (1-based), or
 * undefined past the end. A closing bracket's line belongs to its container. The OpenAPI
 * parser's code frames number the lines of that text; this turns them into a path.
 *
 * @example
 * ```ts
 * jsonPointerAtLine({ a: { b: 1 } }, 3) // '/a/b'
 * ```
 */
export function jsonPointerAtLine(value: unknown, line: number): string | undefined {
  const pointers: string[] = ['']
  const escape = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1')
  const seen = new Set<unknown>()
  const walk = (current: unknown, pointer: string) => {
    if (typeof current !== 'object' || current === null || seen.has(current)) return
    seen.add(current)
    const entries: [string, unknown][] = Array.isArray(current)
      ? current.map((item, index) => [String(index), item])
      : Object.entries(current).filter(
          ([, item]) => item !== undefined && typeof item !== 'function',
        )
    if (entries.length === 0) return
    for (const [key, item] of entries) {
      const child = `${pointer}/${escape(key)}`
      pointers.push(child)
      walk(item, child)
    }
    pointers.push(pointer)
    seen.delete(current)
  }
  walk(value, '')
  return pointers[line - 1]
}
