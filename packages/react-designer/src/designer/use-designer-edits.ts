import { useCallback, useRef } from 'react'
import type { Connection, Edge } from '@xyflow/react'
import {
  definitionNodeSchema,
  type DefinitionNode,
  type WorkflowDefinition,
} from '@tessera/core/definition'
import { followMismatch } from './component-schemas'
import {
  addBranchCase,
  deleteNode,
  finalizeDefinition,
  insertAfter,
  insertInto,
  moveNode,
  replaceNode,
  withFreshIds,
  type EditResult,
} from './definition-edits'
import { placeholderId, type GraphNode } from './definition-graph'
import type { PaletteDrop } from './designer-palette'
import type { DesignerRegistry } from './designer-registry'
import { conditions, createNode, type PaletteItem } from './palette-items'

/** Nodes a drop onto puts the new node into, not after. */
const containerKinds = new Set(['parallel', 'branch', 'foreach', 'loop'])

/** A message of the designer: a refused edit (`error`) or a note such as "Copied". */
export type DesignerMessage = { tone: 'error' | 'info'; text: string }

/** What {@link useDesignerEdits} works on. */
export interface DesignerEditContext {
  definition: WorkflowDefinition
  registry: DesignerRegistry
  readOnly: boolean
  /** Makes a definition current (and undoable). */
  commit: (definition: WorkflowDefinition) => void
  graphNode: (id: string | null) => GraphNode | undefined
  selected: GraphNode | undefined
  setSelectedId: (id: string | null) => void
  setMessage: (message: DesignerMessage | null) => void
}

/**
 * The designer's edits as callbacks: add a palette item (after a node, into an empty part, at
 * the end), connect (move a node after another), delete, copy, paste, and apply the form. Each
 * runs a pure edit of the definition; a refused edit shows its reason, an accepted one commits.
 *
 * @example
 * ```ts
 * const { addItem, remove, paste } = useDesignerEdits({ definition, registry, readOnly, commit, … })
 * ```
 */
export function useDesignerEdits(context: DesignerEditContext) {
  const { definition, registry, readOnly, graphNode, selected, setSelectedId, setMessage } = context
  const commitDefinition = context.commit
  const clipboard = useRef<DefinitionNode | null>(null)
  const editable = selected !== undefined && selected.kind !== 'join' ? selected : undefined

  const apply = useCallback(
    (result: EditResult, select?: string | null): boolean => {
      if (!result.ok) {
        setMessage({ tone: 'error', text: result.reason })
        return false
      }
      setMessage(null)
      commitDefinition(result.definition)
      if (select !== undefined) setSelectedId(select)
      return true
    },
    [commitDefinition, setSelectedId, setMessage],
  )

  const insert = useCallback(
    (node: DefinitionNode, target: GraphNode | undefined) => {
      if (readOnly) return
      // Appended at the end of the workflow, the node follows the root's last child.
      const root = definition.root
      const last = root.type === 'sequence' ? root.children.at(-1) : root
      const into = target !== undefined && containerKinds.has(target.kind)
      const previous = into ? undefined : (target ?? (last && graphNode(last.id)))
      const problem = followMismatch(previous, node, registry)
      if (problem) {
        setMessage({ tone: 'error', text: problem })
        return
      }
      let result: EditResult
      if (target && target.kind === 'branch') {
        // Onto a branch: a new case, with the first condition the format accepts.
        const candidates = conditions(registry, 'true')
        result = { ok: false, reason: 'no condition for a new case' }
        for (const when of candidates) {
          result = addBranchCase(definition, target.node.id, node, when)
          if (result.ok) break
        }
      } else if (target && target.kind === 'parallel')
        // Onto a parallel: a new branch.
        result = insertInto(definition, target.node.id, node)
      else if (target && (target.kind === 'foreach' || target.kind === 'loop'))
        // Onto a foreach or loop: first in its body.
        result = insertInto(definition, target.node.id, node, 0)
      else if (!target) {
        result =
          root.type === 'sequence'
            ? insertInto(definition, root.id, node)
            : insertAfter(definition, root.id, node)
      } else if (target.kind === 'placeholder')
        result = insertInto(definition, target.node.id, node)
      // A join stands for its container: insert after the container.
      else result = insertAfter(definition, target.node.id, node)
      apply(result, node.id)
    },
    [readOnly, registry, definition, graphNode, apply],
  )

  const addItem = useCallback(
    (item: PaletteItem, target: GraphNode | undefined) => {
      const node = createNode(item, definition, registry)
      if (typeof node === 'string') setMessage({ tone: 'error', text: node })
      else insert(node, target)
    },
    [definition, registry, insert],
  )

  const onDrop = useCallback(
    (drop: PaletteDrop) =>
      addItem(drop.item, drop.nodeId === undefined ? undefined : graphNode(drop.nodeId)),
    [addItem, graphNode],
  )

  const connectionProblem = useCallback(
    (connection: Connection | Edge): string | undefined => {
      const source = graphNode(connection.source)
      const target = graphNode(connection.target)
      if (!source || !target) return 'connect two nodes'
      if (target.kind === 'join' || target.kind === 'placeholder')
        return `connect to a component, not to "${target.label}"`
      if (source.kind === 'placeholder') return 'an empty part has nothing to connect from'
      return followMismatch(source, target.node, registry)
    },
    [graphNode, registry],
  )

  const onConnect = useCallback(
    (connection: Connection) => {
      if (readOnly) return
      const problem = connectionProblem(connection)
      if (problem) {
        setMessage({ tone: 'error', text: problem })
        return
      }
      const source = graphNode(connection.source)!
      const target = graphNode(connection.target)!
      apply(moveNode(definition, target.node.id, source.node.id), target.id)
    },
    [readOnly, connectionProblem, graphNode, apply, definition],
  )

  const remove = useCallback(() => {
    if (readOnly || !editable) return
    apply(deleteNode(definition, editable.node.id), null)
  }, [readOnly, editable, apply, definition])

  const copy = useCallback(() => {
    if (!editable) return
    clipboard.current = editable.node
    if (typeof navigator !== 'undefined' && navigator.clipboard)
      navigator.clipboard.writeText(JSON.stringify(editable.node)).catch(() => undefined)
    setMessage({ tone: 'info', text: `Copied "${editable.node.id}"` })
  }, [editable])

  const paste = useCallback(async () => {
    if (readOnly) return
    let node = clipboard.current
    if (!node && typeof navigator !== 'undefined' && navigator.clipboard) {
      try {
        const parsed = definitionNodeSchema.safeParse(
          JSON.parse(await navigator.clipboard.readText()),
        )
        if (parsed.success) node = parsed.data
      } catch {
        // Nothing usable on the system clipboard.
      }
    }
    if (!node) {
      setMessage({ tone: 'error', text: 'nothing to paste: copy a node first' })
      return
    }
    insert(withFreshIds(definition, node), selected)
  }, [readOnly, definition, insert, selected])

  const applyNode = useCallback(
    (nodeId: string, node: DefinitionNode) => {
      const result = replaceNode(definition, nodeId, node)
      // A new id: keep the node selected (a placeholder keeps its suffix).
      if (apply(result) && node.id !== nodeId)
        setSelectedId(selected?.kind === 'placeholder' ? placeholderId(node.id) : node.id)
    },
    [definition, apply, selected, setSelectedId],
  )
  const applyWorkflow = useCallback(
    (settings: { id: string; description?: string }) => {
      const { description: _description, ...rest } = definition
      apply(finalizeDefinition({ ...rest, ...settings }))
    },
    [definition, apply],
  )

  return {
    apply,
    addItem,
    onDrop,
    connectionProblem,
    onConnect,
    remove,
    copy,
    paste,
    applyNode,
    applyWorkflow,
  }
}
