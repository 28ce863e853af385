import type { ReactElement } from 'react'

/** Props of {@link DesignerToolbar}. */
export interface DesignerToolbarProps {
  title: string
  readOnly: boolean
  canUndo: boolean
  canRedo: boolean
  hasSelection: boolean
  onUndo: () => void
  onRedo: () => void
  onDelete: () => void
  onCopy: () => void
  onPaste: () => void
  onFit: () => void
}

/**
 * The designer's toolbar: undo, redo, delete, copy, paste, zoom to fit, and the workflow id.
 *
 * @example
 * ```tsx
 * <DesignerToolbar title={definition.id} readOnly={false} canUndo canRedo={false} hasSelection … />
 * ```
 */
export function DesignerToolbar(props: DesignerToolbarProps): ReactElement {
  const button = (testId: string, label: string, onClick: () => void, disabled: boolean) => (
    <button
      type="button"
      className="tsr-button"
      onClick={onClick}
      disabled={disabled}
      data-testid={`tsr-action-${testId}`}
    >
      {label}
    </button>
  )
  const { readOnly } = props
  return (
    <div className="tsr-designer__toolbar" role="toolbar" aria-label="Designer actions">
      {button('undo', 'Undo', props.onUndo, readOnly || !props.canUndo)}
      {button('redo', 'Redo', props.onRedo, readOnly || !props.canRedo)}
      {button('delete', 'Delete', props.onDelete, readOnly || !props.hasSelection)}
      {button('copy', 'Copy', props.onCopy, !props.hasSelection)}
      {button('paste', 'Paste', props.onPaste, readOnly)}
      {button('fit', 'Zoom to fit', props.onFit, false)}
      <span className="tsr-designer__title">{props.title}</span>
    </div>
  )
}
