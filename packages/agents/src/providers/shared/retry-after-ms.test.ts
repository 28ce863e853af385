import { describe, expect, it } from 'vitest'
import { retryAfterMs } from './retry-after-ms'

describe('retryAfterMs', () => {
  it('reads seconds, fractions, milliseconds (preferred) and HTTP dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000)
    expect(retryAfterMs({ 'Retry-After': '0.5' })).toBe(500)
    expect(retryAfterMs({ 'retry-after-ms': '1234', 'retry-after': '9' })).toBe(1234)
    const now = Date.parse('Wed, 21 Oct 2015 07:27:30 GMT')
    expect(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, now)).toBe(30_000)
    expect(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:00:00 GMT' }, now)).toBe(0)
    expect(retryAfterMs({ 'retry-after': ['3', '4'] })).toBe(3000)
  })

  it('is undefined without a usable header', () => {
    expect(retryAfterMs(undefined)).toBeUndefined()
    expect(retryAfterMs(new Headers())).toBeUndefined()
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined()
    expect(retryAfterMs({ 'retry-after': '-1' })).toBeUndefined()
  })
})
