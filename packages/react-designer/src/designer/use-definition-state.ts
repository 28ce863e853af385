import { useCallback, useRef, useState } from 'react'
import type { WorkflowDefinition } from '@tessera/core/definition'
import { finalizeDefinition } from './definition-edits'
import { emptyHistory, recordEdit, redoEdit, undoEdit, type EditHistory } from './edit-history'

/** The definition a designer edits, controlled or not, with its undo and redo stacks. */
export interface DefinitionState {
  definition: WorkflowDefinition
  /** Makes `next` the definition (calls `onChange`); it can be undone. */
  commit(next: WorkflowDefinition): void
  undo(): boolean
  redo(): boolean
  canUndo: boolean
  canRedo: boolean
}

/**
 * State of a designer instance: the definition comes from `value` when given (controlled) or
 * starts at `defaultValue`; every change goes through `onChange`. The history lives in this
 * component only.
 *
 * @example
 * ```ts
 * const state = useDefinitionState({ value, defaultValue, onChange, fallback })
 * ```
 */
export function useDefinitionState(options: {
  value: WorkflowDefinition | undefined
  defaultValue: WorkflowDefinition | undefined
  onChange: ((definition: WorkflowDefinition) => void) | undefined
  fallback: () => WorkflowDefinition
}): DefinitionState {
  const controlled = options.value !== undefined
  const [own, setOwn] = useState<WorkflowDefinition>(
    () => options.defaultValue ?? options.fallback(),
  )
  const [history, setHistory] = useState<EditHistory<WorkflowDefinition>>(emptyHistory)
  const definition = controlled ? options.value! : own
  const latest = useRef({ definition, history, controlled, onChange: options.onChange })
  latest.current = { definition, history, controlled, onChange: options.onChange }

  const show = useCallback(
    (next: WorkflowDefinition, nextHistory: EditHistory<WorkflowDefinition>) => {
      const current = latest.current
      current.definition = next
      current.history = nextHistory
      setHistory(nextHistory)
      if (!current.controlled) setOwn(next)
      current.onChange?.(next)
    },
    [],
  )

  const commit = useCallback(
    (next: WorkflowDefinition) =>
      show(next, recordEdit(latest.current.history, latest.current.definition)),
    [show],
  )
  const undo = useCallback(() => {
    const step = undoEdit(latest.current.history, latest.current.definition)
    if (step) show(step.state, step.history)
    return step !== undefined
  }, [show])
  const redo = useCallback(() => {
    const step = redoEdit(latest.current.history, latest.current.definition)
    if (step) show(step.state, step.history)
    return step !== undefined
  }, [show])

  return {
    definition,
    commit,
    undo,
    redo,
    canUndo: history.past.length > 0,
    canRedo: history.future.length > 0,
  }
}

/**
 * A new, empty workflow (`id` `workflow`, an empty root sequence): what a designer shows with
 * neither `value` nor `defaultValue`.
 *
 * @example
 * ```ts
 * emptyWorkflow().root // { type: 'sequence', id: 'root', children: [] }
 * ```
 */
export function emptyWorkflow(): WorkflowDefinition {
  const result = finalizeDefinition({
    kind: 'tessera.workflow',
    schemaVersion: 1,
    id: 'workflow',
    version: '',
    inputSchema: {},
    root: { type: 'sequence', id: 'root', children: [] },
  })
  if (!result.ok) throw new Error(result.reason)
  return result.definition
}
