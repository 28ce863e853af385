/** What a key press asks the designer to do. */
export type DesignerShortcut =
  'undo' | 'redo' | 'copy' | 'paste' | 'delete' | 'next-node' | 'previous-node' | 'clear-selection'

/**
 * The designer action of a key press, if any: Ctrl/Cmd+Z undo, Shift+Ctrl/Cmd+Z and Ctrl/Cmd+Y
 * redo, Ctrl/Cmd+C copy, Ctrl/Cmd+V paste, Delete and Backspace delete, Down/Right the next
 * node, Up/Left the previous one, Escape clears the selection.
 *
 * @example
 * ```ts
 * designerShortcut({ key: 'z', ctrlKey: true, metaKey: false, shiftKey: true }) // 'redo'
 * ```
 */
export function designerShortcut(event: {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
}): DesignerShortcut | undefined {
  const key = event.key.toLowerCase()
  if (event.ctrlKey || event.metaKey) {
    if (key === 'z') return event.shiftKey ? 'redo' : 'undo'
    if (key === 'y') return 'redo'
    if (key === 'c') return 'copy'
    if (key === 'v') return 'paste'
    return undefined
  }
  switch (event.key) {
    case 'Delete':
    case 'Backspace':
      return 'delete'
    case 'ArrowDown':
    case 'ArrowRight':
      return 'next-node'
    case 'ArrowUp':
    case 'ArrowLeft':
      return 'previous-node'
    case 'Escape':
      return 'clear-selection'
    default:
      return undefined
  }
}
