/** Response headers as the vendor SDKs expose them: a Fetch `Headers`, or a plain record. */
export type HeadersLike =
  Headers | Record<string, string | readonly string[] | null | undefined> | null | undefined

/**
 * The value of one response header, case-insensitively (the first of repeated values), from a
 * Fetch `Headers` or a plain record.
 *
 * @example
 * ```ts
 * headerValue({ 'Retry-After': '2' }, 'retry-after') // '2'
 * ```
 */
export function headerValue(headers: HeadersLike, name: string): string | undefined {
  if (!headers) return undefined
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined
  }
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted) continue
    if (typeof value === 'string') return value
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0]
  }
  return undefined
}
