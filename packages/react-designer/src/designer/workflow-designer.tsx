import {
  useCallback,
  useEffect,
  useId,
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
  type FinalConnectionState,
  type Edge,
  type NodeChange,
} from '@xyflow/react'
import type { WorkflowDefinition } from '@tessera/core/definition'
import { toDefinitionGraph, type GraphNode, type NodeIssue } from './definition-graph'
import { designerNodeTypes } from './designer-node'
import { DesignerPalette } from './designer-palette'
import { emptyRegistry, type DesignerRegistry } from './designer-registry'
import { designerShortcut } from './designer-shortcuts'
import { DesignerSidePanel } from './designer-side-panel'
import { DesignerToolbar } from './designer-toolbar'
import {
  reuseUnchangedEdges,
  reuseUnchangedNodes,
  toFlowElements,
  type DesignerFlowNode,
} from './flow-elements'
import { paletteItems, type PaletteItem } from './palette-items'
import { emptyWorkflow, useDefinitionState } from './use-definition-state'
import { useDesignerEdits, type DesignerMessage } from './use-designer-edits'
import { nodeSize } from './layout-graph'
import { useDesignerIssues } from './use-designer-issues'
import { useGraphLayout } from './use-graph-layout'

/**
 * Props of {@link WorkflowDesigner}.
 *
 * @example
 * ```tsx
 * const props: WorkflowDesignerProps = { registry, defaultValue: definition, colorMode: 'dark' }
 * ```
 */
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
  /**
   * More problems to show on the nodes (JSON paths into the definition), such as a server's
   * checks. The designer shows `validateDefinition`'s against `registry` itself.
   */
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

const proOptions = { hideAttribution: true }
/**
 * Graphs with more nodes than this render only the nodes and edges in view (xyflow's
 * `onlyRenderVisibleElements`, every node sized up front) and are checked after they show.
 */
const largeGraph = 200
const minimapStyle = { width: 160, height: 110 }

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
  const [message, setMessage] = useState<DesignerMessage | null>(null)
  const rootRef = useRef<HTMLDivElement>(null)
  // xyflow names its element ids after this: two designers on a page must not share them.
  const flowId = `tsr-flow-${useId().replace(/[^A-Za-z0-9]/g, '')}`
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
  const large = graph.nodes.length > largeGraph
  const issues = useDesignerIssues(definition, graph, registry, props.issues, {
    deferAbove: largeGraph,
  })
  const { positions, ready } = useGraphLayout(graph)
  const nodesById = useMemo(() => new Map(graph.nodes.map((node) => [node.id, node])), [graph])
  const graphNode = useCallback(
    (id: string | null): GraphNode | undefined => (id === null ? undefined : nodesById.get(id)),
    [nodesById],
  )
  const selected = graphNode(selectedId)
  const editable = selected !== undefined && selected.kind !== 'join' ? selected : undefined

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
    const elements = toFlowElements(graph, positions, { issues, selectedId, presized: large })
    setNodes((previous) => reuseUnchangedNodes(previous, elements.nodes))
    setEdges((previous) => reuseUnchangedEdges(previous, elements.edges))
  }, [graph, positions, issues, selectedId, large])
  // The extent of the laid-out graph, from the positions and the nodes' declared sizes.
  const bounds = useMemo(() => {
    let left = Infinity
    let right = -Infinity
    let top = Infinity
    let bottom = -Infinity
    for (const node of graph.nodes) {
      const position = positions.get(node.id)
      if (!position) continue
      const size = nodeSize(node)
      left = Math.min(left, position.x)
      right = Math.max(right, position.x + size.width)
      top = Math.min(top, position.y)
      bottom = Math.max(bottom, position.y + size.height)
    }
    return { left, right, top, bottom }
  }, [graph, positions])
  // Fit the first laid-out graph into view; later edits keep the viewport. xyflow's fitView waits
  // until every node is measured, which a large graph's nodes off screen never are: fit it to its
  // laid-out bounds instead.
  const fitted = useRef(false)
  const fit = useCallback(() => {
    const { left, right, top, bottom } = bounds
    if (!large || left > right) return void flow.fitView({ padding: 0.2, maxZoom: 1.25 })
    void flow.fitBounds(
      { x: left, y: top, width: right - left, height: bottom - top },
      { padding: 0.2 },
    )
  }, [flow, large, bounds])
  // A large graph fitted whole would be too small to read (and every node on screen): it opens
  // on its start, as wide as the canvas allows between 50 % and 100 %. Zoom to fit still fits it.
  const showStart = useCallback(() => {
    const canvas = rootRef.current?.querySelector('.tsr-designer__canvas')
    const first = graph.nodes[0]
    const start = first && positions.get(first.id)
    if (!canvas || !first || !start) return fit()
    const { left, right, top } = bounds
    const { width } = canvas.getBoundingClientRect()
    const zoom = Math.min(1, Math.max(0.5, (width * 0.9) / (right - left)))
    const centre =
      (right - left) * zoom <= width ? (left + right) / 2 : start.x + nodeSize(first).width / 2
    void flow.setViewport({ x: width / 2 - centre * zoom, y: 24 - top * zoom, zoom })
  }, [flow, fit, graph, positions, bounds])
  useEffect(() => {
    if (!ready || fitted.current) return
    fitted.current = true
    // After xyflow has the new positions.
    requestAnimationFrame(large ? showStart : fit)
  }, [ready, fit, large, showStart])
  // Bring the selected node into view once laid out (a node just added may be off screen).
  useEffect(() => {
    const canvas = rootRef.current?.querySelector('.tsr-designer__canvas')
    const node = selected
    const position = node && positions.get(node.id)
    if (!ready || !canvas || !node || !position) return
    const { width, height } = canvas.getBoundingClientRect()
    if (width === 0 || height === 0) return
    const size = nodeSize(node)
    const { x, y, zoom } = flow.getViewport()
    const left = position.x * zoom + x
    const top = position.y * zoom + y
    const visible =
      left >= 0 &&
      top >= 0 &&
      left + size.width * zoom <= width &&
      top + size.height * zoom <= height
    if (!visible)
      void flow.setCenter(position.x + size.width / 2, position.y + size.height / 2, { zoom })
  }, [selected, positions, ready, flow])

  const edits = useDesignerEdits({
    definition,
    registry,
    readOnly,
    commit: state.commit,
    graphNode,
    selected,
    setSelectedId,
    setMessage,
  })
  const { addItem, onDrop, connectionProblem, onConnect, remove, copy, paste } = edits

  const focusNode = useCallback(
    (id: string) => {
      setSelectedId(id)
      // A large graph renders only the nodes in view: one off screen shows once the selection
      // has brought it into view, a frame or two later.
      const focus = (attempts: number) => {
        const elements = Array.from(
          rootRef.current?.querySelectorAll<HTMLElement>('.react-flow__node') ?? [],
        )
        const element = elements.find((candidate) => candidate.dataset.id === id)
        if (element) element.focus()
        else if (attempts > 0) requestAnimationFrame(() => focus(attempts - 1))
      }
      focus(10)
    },
    [setSelectedId],
  )

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement
    // Typing in the search box or the form is not a shortcut.
    if (target.closest('input, textarea, select, [contenteditable="true"], .tsr-properties')) return
    const shortcut = designerShortcut(event)
    if (!shortcut) return
    if (
      (shortcut === 'next-node' || shortcut === 'previous-node') &&
      target.closest('.tsr-palette')
    )
      return
    if ((shortcut === 'copy' || shortcut === 'delete') && !editable) return
    event.preventDefault()
    switch (shortcut) {
      case 'undo':
        if (!readOnly) state.undo()
        break
      case 'redo':
        if (!readOnly) state.redo()
        break
      case 'copy':
        copy()
        break
      case 'paste':
        void paste()
        break
      case 'delete':
        remove()
        break
      case 'clear-selection':
        setSelectedId(null)
        break
      default: {
        const order = graph.nodes
        if (order.length === 0) return
        const index = order.findIndex((node) => node.id === selectedId)
        const step = shortcut === 'next-node' ? 1 : -1
        const next = index === -1 ? 0 : Math.min(order.length - 1, Math.max(0, index + step))
        focusNode(order[next]!.id)
      }
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

  const isValidConnection = useCallback(
    (connection: Connection | Edge) => connectionProblem(connection) === undefined,
    [connectionProblem],
  )
  const onConnectEnd = useCallback(
    (_event: unknown, connection: FinalConnectionState) => {
      // A refused connection never reaches onConnect: say why it was refused.
      if (connection.isValid !== false || !connection.fromNode || !connection.toNode) return
      const fromSource = connection.fromHandle?.type !== 'target'
      const problem = connectionProblem({
        source: fromSource ? connection.fromNode.id : connection.toNode.id,
        target: fromSource ? connection.toNode.id : connection.fromNode.id,
        sourceHandle: null,
        targetHandle: null,
      })
      if (problem) setMessage({ tone: 'error', text: problem })
    },
    [connectionProblem],
  )
  const clearSelection = useCallback(() => setSelectedId(null), [setSelectedId])
  const addToSelected = useCallback(
    (item: PaletteItem) => addItem(item, selected),
    [addItem, selected],
  )

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
      <DesignerToolbar
        title={definition.id}
        readOnly={readOnly}
        canUndo={state.canUndo}
        canRedo={state.canRedo}
        hasSelection={editable !== undefined}
        onUndo={state.undo}
        onRedo={state.redo}
        onDelete={remove}
        onCopy={copy}
        onPaste={() => void paste()}
        onFit={fit}
      />
      {readOnly ? null : <DesignerPalette items={items} onAdd={addToSelected} onDrop={onDrop} />}
      <div className="tsr-designer__canvas" data-tsr-canvas="" data-testid="tsr-canvas">
        {built.error ? (
          <p className="tsr-designer__error" role="alert">
            This definition cannot be drawn: {built.error}
          </p>
        ) : null}
        <ReactFlow<DesignerFlowNode>
          id={flowId}
          nodes={nodes}
          edges={edges}
          nodeTypes={designerNodeTypes}
          onNodesChange={onNodesChange}
          onConnect={onConnect}
          isValidConnection={isValidConnection}
          onConnectEnd={onConnectEnd}
          onPaneClick={clearSelection}
          nodesDraggable={false}
          nodesConnectable={!readOnly}
          deleteKeyCode={null}
          colorMode={props.colorMode ?? 'light'}
          minZoom={0.05}
          proOptions={proOptions}
          onlyRenderVisibleElements={large}
        >
          <Background />
          <Controls showInteractive={false} />
          <MiniMap pannable zoomable ariaLabel="Minimap of the workflow" style={minimapStyle} />
        </ReactFlow>
      </div>
      <DesignerSidePanel
        definition={definition}
        // A join stands for its container: its form is the container's.
        node={selected?.node}
        registry={registry}
        readOnly={readOnly}
        workflowIssues={issues.get('') ?? []}
        onApplyNode={edits.applyNode}
        onApplyWorkflow={edits.applyWorkflow}
      />
      <div className="tsr-designer__message" role="alert" data-testid="tsr-designer-error">
        {message?.tone === 'error' ? message.text : null}
      </div>
      <div className="tsr-designer__message" role="status" data-testid="tsr-designer-status">
        {message?.tone === 'info' ? message.text : null}
      </div>
    </div>
  )
}
