import { describe, expect, it } from 'vitest'
import { RunArena } from './run-arena'

describe('RunArena', () => {
  it('reads back what it stored, across chunks, in any script', () => {
    const arena = new RunArena(64)
    const texts = ['plain', 'ünïcödé ✓ 漢字 🎉', '', 'x'.repeat(50), 'y'.repeat(500)]
    const handles = texts.map((text) => arena.write(text))
    expect(handles.map((handle) => arena.read(handle))).toEqual(texts)
  })

  it('releases a chunk once everything in it is freed, and reuses it', () => {
    const arena = new RunArena(100)
    const first = [arena.write('a'.repeat(10)), arena.write('b'.repeat(10))]
    arena.write('c'.repeat(30)) // moves on to a second chunk
    const before = arena.bytes
    for (const handle of first) arena.free(handle)
    expect(arena.bytes).toBe(before - 100)
    const again = arena.write('d'.repeat(30))
    expect(arena.read(again)).toBe('d'.repeat(30))
    expect(arena.bytes).toBe(before)
  })
})
