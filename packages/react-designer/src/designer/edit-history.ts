/** Undo and redo stacks of a designer: the states before and after the current one. */
export interface EditHistory<T> {
  past: readonly T[]
  future: readonly T[]
}

/** How many states a designer keeps to undo. */
export const historyLimit = 100

/**
 * An empty history.
 *
 * @example
 * ```ts
 * const [history, setHistory] = useState(emptyHistory<WorkflowDefinition>)
 * ```
 */
export function emptyHistory<T>(): EditHistory<T> {
  return { past: [], future: [] }
}

/**
 * The history after an edit away from `current`: `current` can be undone to, redo is cleared.
 *
 * @example
 * ```ts
 * setHistory(recordEdit(history, definition))
 * ```
 */
export function recordEdit<T>(history: EditHistory<T>, current: T): EditHistory<T> {
  return { past: [...history.past, current].slice(-historyLimit), future: [] }
}

/**
 * Undo: the state to go back to and the history after it, or `undefined` with nothing to undo.
 *
 * @example
 * ```ts
 * const step = undoEdit(history, definition)
 * if (step) { setHistory(step.history); onChange(step.state) }
 * ```
 */
export function undoEdit<T>(
  history: EditHistory<T>,
  current: T,
): { state: T; history: EditHistory<T> } | undefined {
  const state = history.past.at(-1)
  if (state === undefined) return undefined
  return {
    state,
    history: { past: history.past.slice(0, -1), future: [current, ...history.future] },
  }
}

/**
 * Redo: the state undone last and the history after it, or `undefined` with nothing to redo.
 *
 * @example
 * ```ts
 * const step = redoEdit(history, definition)
 * ```
 */
export function redoEdit<T>(
  history: EditHistory<T>,
  current: T,
): { state: T; history: EditHistory<T> } | undefined {
  const state = history.future[0]
  if (state === undefined) return undefined
  return { state, history: { past: [...history.past, current], future: history.future.slice(1) } }
}
