import { describe, expect, it } from 'vitest'
import { compareRecordKeys } from '../ports/record-input'
import { SortedKeys } from './sorted-keys'

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The reference: one sorted array, as the memory store kept its keys before. */
function reference(keys: string[], key: string, inclusive: boolean): number {
  const found = keys.findIndex((each) => {
    const order = compareRecordKeys(each, key)
    return inclusive ? order >= 0 : order > 0
  })
  return found < 0 ? keys.length : found
}

describe('SortedKeys', () => {
  it('agrees with a sorted array through thousands of inserts and deletes, across chunk splits', () => {
    const next = random(7)
    const keys = new SortedKeys()
    let sorted: string[] = []
    const alphabet = ['a', 'b', 'z', '/', ':', 'é', '😀']
    const someKey = () =>
      Array.from(
        { length: 1 + Math.floor(next() * 4) },
        () => alphabet[Math.floor(next() * alphabet.length)],
      ).join('') + String(Math.floor(next() * 300))
    for (let step = 0; step < 6000; step++) {
      const key = someKey()
      const present = sorted.includes(key)
      if (next() < 0.7) {
        expect(keys.insert(key)).toBe(!present)
        if (!present) sorted.splice(reference(sorted, key, true), 0, key)
      } else {
        expect(keys.delete(key)).toBe(present)
        if (present) sorted = sorted.filter((each) => each !== key)
      }
      if (step % 97 === 0) {
        expect(keys.size).toBe(sorted.length)
        expect(keys.range(0, keys.size, false, Infinity)).toEqual(sorted)
        for (const probe of [someKey(), someKey(), '', '\uffff']) {
          for (const inclusive of [true, false]) {
            expect(keys.firstAbove(probe, inclusive), `${probe} ${inclusive}`).toBe(
              reference(sorted, probe, inclusive),
            )
          }
        }
        const start = Math.floor(next() * (sorted.length + 1))
        const end = start + Math.floor(next() * (sorted.length - start + 1))
        const limit = 1 + Math.floor(next() * 700)
        expect(keys.range(start, end, false, limit)).toEqual(
          sorted.slice(start, end).slice(0, limit),
        )
        expect(keys.range(start, end, true, limit)).toEqual(
          sorted.slice(start, end).reverse().slice(0, limit),
        )
      }
    }
    expect(sorted.length).toBeGreaterThan(1500)
  })

  it('keeps appends at the end and inserts in the middle in order (the audit index pattern)', () => {
    const keys = new SortedKeys()
    for (let seq = 1; seq <= 3000; seq++) {
      keys.insert(`audit/${String(seq).padStart(12, '0')}`)
      keys.insert(`actor:${seq % 7}/${String(seq).padStart(12, '0')}`)
    }
    const all = keys.range(0, keys.size, false, Infinity)
    expect(all).toEqual([...all].sort((a, b) => compareRecordKeys(a, b)))
    expect(all).toHaveLength(6000)
    const start = keys.firstAbove('actor:3/', true)
    const end = keys.firstAbove('actor:30', true)
    expect(keys.range(start, end, false, 3)).toEqual([
      'actor:3/000000000003',
      'actor:3/000000000010',
      'actor:3/000000000017',
    ])
    expect(keys.range(0, keys.size, true, 1)).toEqual(['audit/000000003000'])
  })
})
