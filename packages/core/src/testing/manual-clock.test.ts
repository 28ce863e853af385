import { describe, expect, it } from 'vitest'
import { createManualClock } from './manual-clock'

describe('createManualClock', () => {
  it('fires due timers in order of due time, each seeing its own time', () => {
    const clock = createManualClock(new Date('2024-05-01T00:00:00Z'))
    const start = clock.now()
    const fired: [string, number][] = []
    clock.setTimeout(() => fired.push(['b', clock.now() - start]), 200)
    clock.setTimeout(() => {
      fired.push(['a', clock.now() - start])
      clock.setTimeout(() => fired.push(['c', clock.now() - start]), 50)
    }, 100)
    const cancelled = clock.setTimeout(() => fired.push(['x', 0]), 120)
    clock.clearTimeout(cancelled)
    expect(clock.pending().sort()).toEqual([100, 200])
    clock.advance(160)
    expect(fired).toEqual([
      ['a', 100],
      ['c', 150],
    ])
    expect(clock.now() - start).toBe(160)
    clock.set(new Date('2024-05-01T00:00:01Z'))
    expect(fired.at(-1)).toEqual(['b', 200])
    expect(clock.now()).toBe(Date.parse('2024-05-01T00:00:01Z'))
    expect(clock.pending()).toEqual([])
  })

  it('starts at epoch milliseconds too', () => {
    expect(createManualClock(1_000).now()).toBe(1_000)
  })
})
