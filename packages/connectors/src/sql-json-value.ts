/**
 * A driver's value made JSON-safe for a step's output: `Date` → ISO string, `Buffer`/bytes →
 * base64 string, `bigint` → decimal string, nested arrays and objects converted likewise.
 *
 * @example
 * ```ts
 * toJsonValue({ at: new Date(0), data: Buffer.from('hi') }) // { at: '1970-01-01T00:00:00.000Z', data: 'aGk=' }
 * ```
 */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (Array.isArray(value)) return value.map(toJsonValue)
  if (typeof value === 'object') {
    const record: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) record[key] = toJsonValue(item)
    return record
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  return value
}
