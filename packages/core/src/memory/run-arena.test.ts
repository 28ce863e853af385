import { describe, expect, it } from 'vitest'
import { RunArena } from './run-arena'

describe('RunArena', () => {
  it('reads back the text and numbers it stored, across chunks, in any script', () => {
    const arena = new RunArena(64)
    const texts = ['plain', 'ünïcödé ✓ 漢字 🎉', '', 'x'.repeat(50), 'y'.repeat(500)]
    const numbers = [[], [1.5, -0, NaN], [Date.now()], [Infinity, 2 ** 53], [7]]
    const handles = texts.map((text, index) => arena.write(text, numbers[index]))
    const read = handles.map((handle) => arena.read(handle))
    expect(read.map((entry) => entry.text)).toEqual(texts)
    expect(read.map((entry) => Array.from(entry.numbers))).toEqual(numbers)
    expect(arena.read(arena.write('no numbers')).numbers).toHaveLength(0)
  })

  it('keeps a released chunk and reuses it for the next one', () => {
    const arena = new RunArena(104)
    const first = [arena.write('a'.repeat(10), [1]), arena.write('b'.repeat(10))]
    arena.write('c'.repeat(20)) // moves on to a second chunk
    const held = arena.bytes
    expect(held).toBe(208)
    for (const handle of first) arena.free(handle)
    // Released, kept as the spare: no new memory for the next chunk.
    expect(arena.bytes).toBe(held)
    arena.write('d'.repeat(20))
    const third = arena.write('e'.repeat(20)) // a third chunk: the spare
    expect(arena.read(third).text).toBe('e'.repeat(20))
    expect(arena.bytes).toBe(held)
  })

  it('stays at a few chunks while entries are written and freed in turn', () => {
    const arena = new RunArena(1024)
    const live: number[] = []
    for (let index = 0; index < 10_000; index++) {
      live.push(arena.write(`run ${index} ${'x'.repeat(index % 50)}`, [index, index + 0.5]))
      if (live.length > 20) arena.free(live.shift()!)
    }
    expect(arena.bytes).toBeLessThanOrEqual(3 * 1024)
    const last = arena.read(live[live.length - 1]!)
    expect(last.text).toBe(`run 9999 ${'x'.repeat(9999 % 50)}`)
    expect(Array.from(last.numbers)).toEqual([9999, 9999.5])
  })
})
