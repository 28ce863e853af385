import {
  useCallback,
  useId,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type ReactElement,
} from 'react'
import type { DefinitionNode, WorkflowDefinition } from '@tessera/core/definition'
import { toOutlineTree, type OutlineItem } from './to-outline-tree'
import { treeAction, visibleItems } from './tree-navigation'

/** Props of {@link DefinitionOutline}. */
export interface DefinitionOutlineProps {
  /** The workflow definition to show, such as `workflow.definition` or a parsed JSON file. */
  definition: WorkflowDefinition
  /** The selected node's id. Give it (`null` for none) to control the selection. */
  selectedNodeId?: string | null
  /** The node selected at first, when the selection is not controlled. */
  defaultSelectedNodeId?: string
  /** Called when a node is selected, by click, Enter or Space. */
  onSelectNode?: (nodeId: string, node: DefinitionNode) => void
  /** Default: `Workflow <id>`. */
  'aria-label'?: string
  /** Added to the `tsr-outline` class of the tree. */
  className?: string
}

/**
 * A keyboard-accessible outline of a workflow definition's nodes (WAI-ARIA tree view): Up and
 * Down move between visible nodes, Right expands or enters, Left collapses or goes to the
 * parent, Home and End jump, Enter and Space select. Every node kind is shown: sequence,
 * parallel, branch, foreach, loop, step, code and workflow. Selection is controlled
 * (`selectedNodeId`) or not (`defaultSelectedNodeId`). Style it with
 * `@tessera/react-designer/style.css` and its `--tsr-*` custom properties.
 *
 * @example
 * ```tsx
 * import { DefinitionOutline } from '@tessera/react-designer'
 * import '@tessera/react-designer/style.css'
 *
 * function Sidebar({ definition }: { definition: WorkflowDefinition }) {
 *   const [selected, setSelected] = useState<string | null>(null)
 *   return <DefinitionOutline definition={definition} selectedNodeId={selected} onSelectNode={setSelected} />
 * }
 * ```
 */
export function DefinitionOutline(props: DefinitionOutlineProps): ReactElement {
  const { definition, onSelectNode } = props
  const tree = useMemo(() => toOutlineTree(definition), [definition])
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set())
  const [ownSelection, setOwnSelection] = useState<string | null>(
    props.defaultSelectedNodeId ?? null,
  )
  const selectedNodeId = props.selectedNodeId !== undefined ? props.selectedNodeId : ownSelection
  const [focusedKey, setFocusedKey] = useState<string | undefined>(undefined)
  const elements = useRef(new Map<string, HTMLLIElement>())
  // Element ids for aria-labelledby: a node's name is its edge and label, not its subtree's text.
  const baseId = useId()
  const ids = useMemo(() => {
    const map = new Map<string, string>()
    const walk = (items: readonly OutlineItem[]) =>
      items.forEach((entry) => {
        map.set(entry.key, `${baseId}-${map.size}`)
        walk(entry.children)
      })
    walk(tree)
    return map
  }, [tree, baseId])

  const visible = useMemo(() => visibleItems(tree, collapsed), [tree, collapsed])
  // The one item reachable with Tab: the focused one, else the selected one, else the first.
  const tabStop =
    visible.find((entry) => entry.item.key === focusedKey)?.item.key ??
    visible.find((entry) => entry.item.node.id === selectedNodeId)?.item.key ??
    visible[0]?.item.key

  const select = useCallback(
    (item: OutlineItem) => {
      setOwnSelection(item.node.id)
      setFocusedKey(item.key)
      onSelectNode?.(item.node.id, item.node)
    },
    [onSelectNode],
  )
  const toggle = (key: string, open: boolean) =>
    setCollapsed((previous) => {
      const next = new Set(previous)
      if (open) next.delete(key)
      else next.add(key)
      return next
    })

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const key = (event.target as HTMLElement).closest('[role="treeitem"]')?.getAttribute('data-key')
    if (key === null || key === undefined) return
    const action = treeAction(visible, key, event.key)
    if (action === undefined) return
    event.preventDefault()
    event.stopPropagation()
    if (action.type === 'focus') {
      setFocusedKey(action.key)
      elements.current.get(action.key)?.focus()
    } else if (action.type === 'expand' || action.type === 'collapse') {
      toggle(action.key, action.type === 'expand')
    } else {
      const entry = visible.find((candidate) => candidate.item.key === action.key)
      if (entry) select(entry.item)
    }
  }

  const renderItem = (item: OutlineItem, position: number, siblings: number): ReactElement => {
    const hasChildren = item.children.length > 0
    const expanded = hasChildren && !collapsed.has(item.key)
    const id = ids.get(item.key)
    return (
      <li
        key={item.key}
        ref={(element) => {
          if (element) elements.current.set(item.key, element)
          else elements.current.delete(item.key)
        }}
        role="treeitem"
        className="tsr-outline__item"
        data-key={item.key}
        data-node-type={item.node.type}
        aria-labelledby={item.edge === undefined ? `${id}-label` : `${id}-edge ${id}-label`}
        aria-describedby={`${id}-detail`}
        aria-level={item.level}
        aria-setsize={siblings}
        aria-posinset={position + 1}
        aria-selected={item.node.id === selectedNodeId}
        aria-expanded={hasChildren ? expanded : undefined}
        tabIndex={item.key === tabStop ? 0 : -1}
        onFocus={(event) => {
          if (event.target === event.currentTarget) setFocusedKey(item.key)
        }}
      >
        <div
          className="tsr-outline__row"
          style={{ '--tsr-outline-level': item.level } as CSSProperties}
          onClick={() => select(item)}
        >
          <span
            className="tsr-outline__toggle"
            aria-hidden="true"
            data-state={hasChildren ? (expanded ? 'open' : 'closed') : 'leaf'}
            onClick={(event) => {
              if (!hasChildren) return
              event.stopPropagation()
              toggle(item.key, !expanded)
            }}
          />
          {item.edge !== undefined && (
            <span id={`${id}-edge`} className="tsr-outline__edge">
              {item.edge}
            </span>
          )}
          <span className="tsr-outline__type" aria-hidden="true">
            {item.node.type}
          </span>
          <span id={`${id}-label`} className="tsr-outline__label">
            {item.label}
          </span>
          <span id={`${id}-detail`} className="tsr-outline__detail">
            {item.detail}
          </span>
        </div>
        {expanded && (
          <ul role="group" className="tsr-outline__group">
            {item.children.map((child, index) => renderItem(child, index, item.children.length))}
          </ul>
        )}
      </li>
    )
  }

  return (
    <ul
      role="tree"
      aria-label={props['aria-label'] ?? `Workflow ${definition.id}`}
      className={props.className ? `tsr-outline ${props.className}` : 'tsr-outline'}
      onKeyDown={onKeyDown}
    >
      {tree.map((item, index) => renderItem(item, index, tree.length))}
    </ul>
  )
}
