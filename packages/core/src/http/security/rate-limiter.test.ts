import { describe, expect, it } from 'vitest'
import { createRateLimiter } from './rate-limiter'

const fakeClock = () => {
  const clock = { time: 0, now: () => clock.time }
  return clock
}

describe('createRateLimiter (token bucket per key)', () => {
  it('allows a burst of `requests`, then one per `per / requests`', () => {
    const clock = fakeClock()
    const limiter = createRateLimiter({ requests: 3, per: '3s', clock })
    expect([1, 2, 3].map(() => limiter.take('ann'))).toEqual([
      { ok: true, remaining: 2 },
      { ok: true, remaining: 1 },
      { ok: true, remaining: 0 },
    ])
    expect(limiter.take('ann')).toEqual({ ok: false, retryAfterMs: 1000 })
    clock.time = 400
    expect(limiter.take('ann')).toEqual({ ok: false, retryAfterMs: 600 })
    clock.time = 1000
    expect(limiter.take('ann')).toEqual({ ok: true, remaining: 0 })
    expect(limiter.take('ann').ok).toBe(false)
    clock.time = 1_000_000 // a long pause refills to the burst, no more
    expect(Array.from({ length: 4 }, () => limiter.take('ann').ok)).toEqual([
      true,
      true,
      true,
      false,
    ])
  })

  it('keeps keys apart', () => {
    const limiter = createRateLimiter({ requests: 1, per: '1m', clock: fakeClock() })
    expect(limiter.take('ann').ok).toBe(true)
    expect(limiter.take('ann').ok).toBe(false)
    expect(limiter.take('bob').ok).toBe(true)
  })

  it('check throws RateLimitedError with retryAfterMs, the limit and the window', () => {
    const limiter = createRateLimiter({ requests: 2, per: 1000, clock: fakeClock() })
    limiter.check('k')
    limiter.check('k')
    expect(() => limiter.check('k')).toThrow(
      expect.objectContaining({
        code: 'rate_limited',
        retryAfterMs: 500,
        message: 'Rate limit of 2 requests per 1000 ms exceeded; retry after 500 ms',
      }),
    )
  })

  it('forgets the idlest key beyond maxKeys', () => {
    const clock = fakeClock()
    const limiter = createRateLimiter({ requests: 1, per: '1h', clock, maxKeys: 2 })
    limiter.take('a')
    limiter.take('b')
    limiter.take('a') // a is now the most recent
    limiter.take('c') // evicts b
    expect(limiter.take('a').ok).toBe(false)
    expect(limiter.take('b').ok).toBe(true) // forgotten, so a fresh bucket
  })

  it.each([
    [{ requests: 0, per: '1s' }, 'requests'],
    [{ requests: 1.5, per: '1s' }, 'requests'],
    [{ requests: 1, per: 0 }, 'per'],
    [{ requests: 1, per: 'often' }, 'createRateLimiter.per'],
  ])('refuses %j naming %s', (options, argument) => {
    expect(() => createRateLimiter(options as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument', argument }),
    )
  })
})
