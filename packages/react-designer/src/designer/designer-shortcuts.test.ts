import { describe, expect, it } from 'vitest'
import { designerShortcut } from './designer-shortcuts'

const press = (key: string, modifiers: { ctrl?: boolean; meta?: boolean; shift?: boolean } = {}) =>
  designerShortcut({
    key,
    ctrlKey: modifiers.ctrl ?? false,
    metaKey: modifiers.meta ?? false,
    shiftKey: modifiers.shift ?? false,
  })

describe('designerShortcut', () => {
  it('maps Ctrl and Cmd chords alike', () => {
    expect(press('z', { ctrl: true })).toBe('undo')
    expect(press('z', { meta: true })).toBe('undo')
    expect(press('Z', { meta: true, shift: true })).toBe('redo')
    expect(press('y', { ctrl: true })).toBe('redo')
    expect(press('c', { ctrl: true })).toBe('copy')
    expect(press('v', { meta: true })).toBe('paste')
    expect(press('a', { ctrl: true })).toBeUndefined()
  })

  it('maps Delete, Backspace, the arrows and Escape, and nothing else', () => {
    expect(press('Delete')).toBe('delete')
    expect(press('Backspace')).toBe('delete')
    expect(press('ArrowDown')).toBe('next-node')
    expect(press('ArrowRight')).toBe('next-node')
    expect(press('ArrowUp')).toBe('previous-node')
    expect(press('ArrowLeft')).toBe('previous-node')
    expect(press('Escape')).toBe('clear-selection')
    expect(press('z')).toBeUndefined()
  })
})
