import { headerValue, type HeadersLike } from './header-value'

/**
 * How long a vendor asked the caller to wait before trying again, in ms, from its response
 * headers: `retry-after-ms` (milliseconds, as OpenAI sends it) wins over `retry-after` (seconds,
 * or an HTTP date, counted from `now`). `undefined` when neither is there or parses.
 *
 * @example
 * ```ts
 * retryAfterMs(new Headers({ 'retry-after': '2' })) // 2000
 * retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, Date.parse('Wed, 21 Oct 2015 07:27:30 GMT')) // 30000
 * ```
 */
export function retryAfterMs(headers: HeadersLike, now: number = Date.now()): number | undefined {
  const milliseconds = headerValue(headers, 'retry-after-ms')?.trim()
  if (milliseconds && /^\d+(\.\d+)?$/.test(milliseconds)) {
    return Math.round(Number(milliseconds))
  }
  const value = headerValue(headers, 'retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  if (!/[a-z]/i.test(value)) return undefined // not seconds, and not an HTTP date either
  const at = Date.parse(value)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}
