import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactElement,
} from 'react'
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  applyNodeChanges,
  useReactFlow,
  type ColorMode,
  type Connection,
  type Edge,
  type NodeChange,
} from '@xyflow/react'
import {
  definitionNodeSchema,
  type DefinitionNode,
  type WorkflowDefinition,
} from '@tessera/core/definition'
import {
  definitionIssues,
  deleteNode,
  finalizeDefinition,
  insertAfter,
  insertInto,
  moveNode,
  replaceNode,
  withFreshIds,
  type EditResult,
} from './definition-edits'
import { issuesByNode, toDefinitionGraph, type GraphNode, type NodeIssue } from './definition-graph'
import { designerNodeTypes } from './designer-node'
import { DesignerPalette, type PaletteDrop } from './designer-palette'
import { emptyRegistry, type DesignerRegistry, type JsonSchemaObject } from './designer-registry'
import { toFlowElements, type DesignerFlowNode } from './flow-elements'
import { createNode, paletteItems, type PaletteItem } from './palette-items'
import { PropertiesPanel } from './properties-panel'
import { schemaMismatch } from './schema-compatibility'
import { useDefinitionState } from './use-definition-state'
import { useGraphLayout } from './use-graph-layout'

/** Props of {@link WorkflowDesigner}. */
export interface WorkflowDesignerProps {
  /** The components to offer: `registry.describe()` of the host's engine, sent by its backend. */
  registry?: DesignerRegistry
  /** The definition shown (controlled). Give `onChange` to receive every edit. */
  value?: WorkflowDefinition
  /** The definition shown at first (uncontrolled). Default: an empty workflow. */
  defaultValue?: WorkflowDefinition
  /** Called with the new definition after every edit; it always passes `parseDefinition`. */
  onChange?: (definition: WorkflowDefinition) => void
  /** Shows the definition without any way to change it. */
  readOnly?: boolean
  /** Problems to show on the nodes (JSON paths into the definition), such as a server's validation. */
  issues?: readonly NodeIssue[]
  /** Default: `light`. `system` follows the user's setting. */
  colorMode?: ColorMode
  /** Called when the selected node changes. */
  onSelectionChange?: (nodeId: string | null) => void
  /** Default: `Workflow designer`. */
  'aria-label'?: string
  /** Added to the `tsr-designer` class of the root. */
  className?: string
}

type Message = { tone: 'error' | 'info'; text: string }

/**
 * An embeddable visual editor of a workflow definition (the JSON `workflow.definition` the
 * builder exports): a palette of the registry's components and the control nodes, a canvas
 * laid out by ELK, a properties form generated from JSON Schema, inline problems, undo and
 * redo, copy and paste, keyboard shortcuts, a minimap and zoom to fit. Every edit hands
 * `onChange` a valid definition; an edit that would not be valid is refused with the reason
 * shown. Controlled (`value`) or not (`defaultValue`); no global state, no network calls. Style
 * it with `@tessera/react-designer/style.css`.
 *
 * @example
 * ```tsx
 * import { WorkflowDesigner } from '@tessera/react-designer'
 * import '@tessera/react-designer/style.css'
 *
 * function Editor({ registry, initial }: { registry: RegistryDescription; initial: WorkflowDefinition }) {
 *   const [definition, setDefinition] = useState(initial)
 *   return <WorkflowDesigner registry={registry} value={definition} onChange={setDefinition} />
 * }
 * ```
 */
export function WorkflowDesigner(props: WorkflowDesignerProps): ReactElement {
  return (
    <ReactFlowProvider>
      <DesignerSurface {...props} />
    </ReactFlowProvider>
  )
}

function DesignerSurface(props: WorkflowDesignerProps): ReactElement {
  const registry = props.registry ?? emptyRegistry
  const readOnly = props.readOnly ?? false
  const state = useDefinitionState({
    value: props.value,
    defaultValue: props.defaultValue,
    onChange: props.onChange,
    fallback: emptyWorkflow,
  })
  const { definition } = state
  const flow = useReactFlow()
  const [selectedId, setSelectedIdState] = useState<string | null>(null)
  const [message, setMessage] = useState<Message | null>(null)
  const [tab, setTab] = useState<'properties' | 'json'>('properties')
  const clipboard = useRef<DefinitionNode | null>(null)
  const rootRef = useRef<HTMLDivElement>(null)
  const onSelectionChange = props.onSelectionChange

  const items = useMemo(() => paletteItems(registry), [registry])
  const built = useMemo(() => {
    try {
      return { graph: toDefinitionGraph(definition), error: undefined }
    } catch (error) {
      return { graph: { nodes: [], edges: [] }, error: String(error) }
    }
  }, [definition])
  const graph = built.graph
  const allIssues = useMemo<NodeIssue[]>(
    () => [...definitionIssues(definition), ...(props.issues ?? [])],
    [definition, props.issues],
  )
  const issues = useMemo(() => issuesByNode(graph, allIssues), [graph, allIssues])
  const { positions, ready } = useGraphLayout(graph)
  const graphNode = useCallback(
    (id: string | null): GraphNode | undefined =>
      id === null ? undefined : graph.nodes.find((node) => node.id === id),
    [graph],
  )
  const selected = graphNode(selectedId)

  const setSelectedId = useCallback(
    (id: string | null) => {
      setSelectedIdState(id)
      onSelectionChange?.(id)
    },
    [onSelectionChange],
  )

  // xyflow measures nodes through change events: keep its measurements between renders.
  const [nodes, setNodes] = useState<DesignerFlowNode[]>([])
  const [edges, setEdges] = useState<Edge[]>([])
  useEffect(() => {
    const elements = toFlowElements(graph, positions, { issues, selectedId })
    setNodes((previous) => {
      const measured = new Map(previous.map((node) => [node.id, node.measured]))
      return elements.nodes.map((node) => {
        const size = measured.get(node.id)
        return size ? { ...node, measured: size } : node
      })
    })
    setEdges(elements.edges)
  }, [graph, positions, issues, selectedId])
  useEffect(() => {
    if (ready) void flow.fitView({ padding: 0.2, maxZoom: 1.25 })
  }, [ready, graph, flow])

  const apply = useCallback(
    (result: EditResult, select?: string | null): boolean => {
      if (!result.ok) {
        setMessage({ tone: 'error', text: result.reason })
        return false
      }
      setMessage(null)
      state.commit(result.definition)
      if (select !== undefined) setSelectedId(select)
      return true
    },
    [state, setSelectedId],
  )

  /** The definition node id to insert after for a graph node (a join stands for its container). */
  const anchorOf = (node: GraphNode): string => node.node.id

  const outputSchema = useCallback(
    (node: DefinitionNode | undefined): JsonSchemaObject | undefined => {
      if (node?.type === 'step') return registry.steps.find((step) => step.id === node.step)?.output
      if (node?.type === 'workflow')
        return registry.workflows.find((workflow) => workflow.id === node.workflow)?.output
      return undefined
    },
    [registry],
  )
  const inputSchema = useCallback(
    (node: DefinitionNode): JsonSchemaObject | undefined => {
      if (node.type === 'step') return registry.steps.find((step) => step.id === node.step)?.input
      if (node.type === 'workflow')
        return registry.workflows.find((workflow) => workflow.id === node.workflow)?.input
      return undefined
    },
    [registry],
  )
  /** Why `next` cannot follow the node `previousId`, if the registry's schemas say so. */
  const mismatch = useCallback(
    (previous: GraphNode | undefined, next: DefinitionNode): string | undefined => {
      if (!previous || previous.kind === 'join' || previous.kind === 'placeholder') return undefined
      const problem = schemaMismatch(outputSchema(previous.node), inputSchema(next))
      return problem && `"${next.id}" cannot follow "${previous.node.id}": ${problem}`
    },
    [outputSchema, inputSchema],
  )

  const insert = useCallback(
    (node: DefinitionNode, target: GraphNode | undefined) => {
      if (readOnly) return
      const problem = mismatch(target, node)
      if (problem) {
        setMessage({ tone: 'error', text: problem })
        return
      }
      let result: EditResult
      if (!target) {
        const root = definition.root
        result =
          root.type === 'sequence'
            ? insertInto(definition, root.id, node)
            : insertAfter(definition, root.id, node)
      } else if (target.kind === 'placeholder')
        result = insertInto(definition, target.node.id, node)
      else result = insertAfter(definition, anchorOf(target), node)
      apply(result, node.id)
    },
    [readOnly, mismatch, definition, apply],
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
      return mismatch(source, target.node)
    },
    [graphNode, mismatch],
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
      apply(moveNode(definition, target.node.id, anchorOf(source)), target.id)
    },
    [readOnly, connectionProblem, graphNode, apply, definition],
  )

  const remove = useCallback(() => {
    if (readOnly || !selected || selected.kind === 'join') return
    apply(deleteNode(definition, selected.node.id), null)
  }, [readOnly, selected, apply, definition])

  const copy = useCallback(() => {
    if (!selected || selected.kind === 'join') return
    clipboard.current = selected.node
    const text = JSON.stringify(selected.node)
    if (typeof navigator !== 'undefined' && navigator.clipboard)
      navigator.clipboard.writeText(text).catch(() => undefined)
    setMessage({ tone: 'info', text: `Copied "${selected.node.id}"` })
  }, [selected])

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

  const focusNode = useCallback(
    (id: string) => {
      setSelectedId(id)
      const elements = Array.from(
        rootRef.current?.querySelectorAll<HTMLElement>('.react-flow__node') ?? [],
      )
      for (const element of elements) if (element.dataset.id === id) element.focus()
    },
    [setSelectedId],
  )

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement
    if (target.closest('input, textarea, select, [contenteditable="true"], .tsr-properties')) return
    const mod = event.metaKey || event.ctrlKey
    const key = event.key.toLowerCase()
    if (mod && key === 'z') {
      event.preventDefault()
      if (readOnly) return
      if (event.shiftKey) state.redo()
      else state.undo()
    } else if (mod && key === 'y') {
      event.preventDefault()
      if (!readOnly) state.redo()
    } else if (mod && key === 'c') {
      if (selected) {
        event.preventDefault()
        copy()
      }
    } else if (mod && key === 'v') {
      event.preventDefault()
      void paste()
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      if (selected) {
        event.preventDefault()
        remove()
      }
    } else if (event.key.startsWith('Arrow') && !target.closest('.tsr-palette')) {
      const order = graph.nodes.filter((node) => node.kind !== 'join')
      if (order.length === 0) return
      event.preventDefault()
      const index = order.findIndex((node) => node.id === selectedId)
      const forward = event.key === 'ArrowDown' || event.key === 'ArrowRight'
      const next =
        index === -1 ? 0 : Math.min(order.length - 1, Math.max(0, index + (forward ? 1 : -1)))
      focusNode(order[next]!.id)
    } else if (event.key === 'Escape') {
      setSelectedId(null)
    }
  }

  const onNodesChange = useCallback(
    (changes: NodeChange<DesignerFlowNode>[]) => {
      setNodes((current) =>
        applyNodeChanges(
          changes.filter((change) => change.type !== 'remove'),
          current,
        ),
      )
      for (const change of changes)
        if (change.type === 'select' && change.selected) setSelectedId(change.id)
    },
    [setSelectedId],
  )

  const applyNode = useCallback(
    (nodeId: string, node: DefinitionNode) => {
      const result = replaceNode(definition, nodeId, node)
      if (apply(result) && node.id !== nodeId) {
        // The node got a new id: keep it selected (placeholders keep their suffix).
        setSelectedId(selected?.kind === 'placeholder' ? `${node.id}#empty` : node.id)
      }
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

  const json = useMemo(() => JSON.stringify(definition, null, 2), [definition])
  const workflowIssues = issues.get('') ?? []

  return (
    <div
      ref={rootRef}
      className={['tsr-designer', props.className].filter(Boolean).join(' ')}
      data-color-mode={props.colorMode ?? 'light'}
      data-testid="tsr-designer"
      role="region"
      aria-label={props['aria-label'] ?? 'Workflow designer'}
      onKeyDown={onKeyDown}
    >
      <div className="tsr-designer__toolbar" role="toolbar" aria-label="Designer actions">
        <button
          type="button"
          className="tsr-button"
          onClick={() => state.undo()}
          disabled={readOnly || !state.canUndo}
          data-testid="tsr-action-undo"
        >
          Undo
        </button>
        <button
          type="button"
          className="tsr-button"
          onClick={() => state.redo()}
          disabled={readOnly || !state.canRedo}
          data-testid="tsr-action-redo"
        >
          Redo
        </button>
        <button
          type="button"
          className="tsr-button"
          onClick={remove}
          disabled={readOnly || !selected || selected.kind === 'join'}
          data-testid="tsr-action-delete"
        >
          Delete
        </button>
        <button
          type="button"
          className="tsr-button"
          onClick={copy}
          disabled={!selected || selected.kind === 'join'}
          data-testid="tsr-action-copy"
        >
          Copy
        </button>
        <button
          type="button"
          className="tsr-button"
          onClick={() => void paste()}
          disabled={readOnly}
          data-testid="tsr-action-paste"
        >
          Paste
        </button>
        <button
          type="button"
          className="tsr-button"
          onClick={() => void flow.fitView({ padding: 0.2, maxZoom: 1.25 })}
          data-testid="tsr-action-fit"
        >
          Zoom to fit
        </button>
        <span className="tsr-designer__title">{definition.id}</span>
      </div>
      {readOnly ? null : (
        <DesignerPalette items={items} onAdd={(item) => addItem(item, selected)} onDrop={onDrop} />
      )}
      <div className="tsr-designer__canvas" data-tsr-canvas="" data-testid="tsr-canvas">
        {built.error ? (
          <p className="tsr-designer__error" role="alert">
            This definition cannot be drawn: {built.error}
          </p>
        ) : null}
        <ReactFlow<DesignerFlowNode>
          nodes={nodes}
          edges={edges}
          nodeTypes={designerNodeTypes}
          onNodesChange={onNodesChange}
          onConnect={onConnect}
          isValidConnection={(connection) => connectionProblem(connection) === undefined}
          onPaneClick={() => setSelectedId(null)}
          nodesDraggable={false}
          nodesConnectable={!readOnly}
          deleteKeyCode={null}
          colorMode={props.colorMode ?? 'light'}
          minZoom={0.1}
          fitView
          proOptions={{ hideAttribution: true }}
        >
          <Background />
          <Controls showInteractive={false} />
          <MiniMap pannable zoomable ariaLabel="Minimap of the workflow" />
        </ReactFlow>
      </div>
      <aside className="tsr-designer__side" aria-label="Details">
        <div className="tsr-tabs" role="tablist" aria-label="Details">
          <button
            type="button"
            role="tab"
            className="tsr-tab"
            aria-selected={tab === 'properties'}
            onClick={() => setTab('properties')}
            data-testid="tsr-tab-properties"
          >
            Properties
          </button>
          <button
            type="button"
            role="tab"
            className="tsr-tab"
            aria-selected={tab === 'json'}
            onClick={() => setTab('json')}
            data-testid="tsr-tab-json"
          >
            JSON
          </button>
        </div>
        {tab === 'properties' ? (
          <div role="tabpanel" aria-label="Properties">
            <PropertiesPanel
              definition={definition}
              node={selected && selected.kind !== 'join' ? selected.node : undefined}
              registry={registry}
              readOnly={readOnly}
              onApplyNode={applyNode}
              onApplyWorkflow={applyWorkflow}
            />
            {workflowIssues.length > 0 ? (
              <ul
                className="tsr-designer__issues"
                aria-label="Problems of the workflow"
                data-testid="tsr-workflow-issues"
              >
                {workflowIssues.map((issue, index) => (
                  <li key={index}>
                    {issue.path ? `${issue.path}: ` : ''}
                    {issue.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : (
          <div role="tabpanel" aria-label="JSON">
            <pre className="tsr-code" data-testid="tsr-json-view" tabIndex={0}>
              {json}
            </pre>
          </div>
        )}
      </aside>
      <div className="tsr-designer__message" role="alert" data-testid="tsr-designer-error">
        {message?.tone === 'error' ? message.text : null}
      </div>
      <div className="tsr-designer__message" role="status" data-testid="tsr-designer-status">
        {message?.tone === 'info' ? message.text : null}
      </div>
    </div>
  )
}

function emptyWorkflow(): WorkflowDefinition {
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
