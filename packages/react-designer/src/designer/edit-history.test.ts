import { describe, expect, it } from 'vitest'
import { emptyHistory, historyLimit, recordEdit, redoEdit, undoEdit } from './edit-history'

describe('edit history', () => {
  it('undoes and redoes in order, and an edit clears redo', () => {
    let history = recordEdit(recordEdit(emptyHistory<string>(), 'a'), 'b')
    const undone = undoEdit(history, 'c')!
    expect(undone.state).toBe('b')
    const again = undoEdit(undone.history, 'b')!
    expect(again.state).toBe('a')
    expect(undoEdit(again.history, 'a')).toBeUndefined()
    const redone = redoEdit(again.history, 'a')!
    expect(redone.state).toBe('b')
    expect(redoEdit(redone.history, 'b')?.state).toBe('c')
    history = recordEdit(redone.history, 'b')
    expect(redoEdit(history, 'd')).toBeUndefined()
  })

  it(`keeps the last ${historyLimit} states`, () => {
    let history = emptyHistory<number>()
    for (let index = 0; index < historyLimit + 5; index++) history = recordEdit(history, index)
    expect(history.past).toHaveLength(historyLimit)
    expect(history.past[0]).toBe(5)
  })
})
