import {
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type ColorMode,
  type Edge,
  type NodeChange,
} from '@xyflow/react'
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react'
import type { WorkflowDefinition } from '@tessera/core/definition'
import { designerNodeTypes } from '../designer/designer-node'
import { toDefinitionGraph, type DefinitionGraph } from '../designer/definition-graph'
import {
  reuseUnchangedNodes,
  toFlowElements,
  type DesignerFlowNode,
} from '../designer/flow-elements'
import { useGraphLayout } from '../designer/use-graph-layout'
import { formatDuration } from './format-duration'
import type { RunEvent } from './run-event'
import { RunDetailsPanel } from './run-details-panel'
import { runNodeViews, type RunNodeView } from './run-node-views'
import type { RunStatus } from './run-state'
import { useRunState } from './use-run-state'

/**
 * The run a {@link RunViewer} shows: its events so far and, when known, its status.
 *
 * @example
 * ```ts
 * const run: RunViewerRun = { events, status: record.status }
 * ```
 */
export interface RunViewerRun {
  /**
   * The run's lifecycle events in order (`engine.on(...)`, `run.on(...)` or a server's stream).
   * Append to it (a new array, or the same one grown) as events arrive: only new ones are applied.
   */
  events: readonly RunEvent[]
  /** The run's status from elsewhere (a store's run record); default: from the events. */
  status?: RunStatus
}

/**
 * Props of {@link RunViewer}.
 *
 * @example
 * ```tsx
 * const props: RunViewerProps = { definition: workflow.definition, run: { events }, colorMode: 'dark' }
 * ```
 */
export interface RunViewerProps {
  /** The definition the run executes. */
  definition: WorkflowDefinition
  run: RunViewerRun
  /** The node whose details show. Give it (`null` for none) to control the selection. */
  selectedNodeId?: string | null
  /** Called when a node is opened or the details are closed (`null`). */
  onSelectNode?: (nodeId: string | null) => void
  /** Added to the `tsr-run-viewer` class. */
  className?: string
  /** Default: `light`; `system` follows the user's setting (the canvas's xyflow color mode). */
  colorMode?: ColorMode
  /** Default: `Run of <workflow id>`. */
  'aria-label'?: string
}

/**
 * A run of a workflow on the designer's canvas: each node shows its live status (pending,
 * running, succeeded, failed, suspended), its duration and attempts; clicking a node (or Enter
 * on it) opens its input, output, error and timings. Fed by the engine's events, which the host
 * appends as they come. Read only.
 *
 * @example
 * ```tsx
 * const [events, setEvents] = useState<RunEvent[]>([])
 * useEffect(() => {
 *   const names = ['run-start', 'step-start', 'step-end', 'step-retry', 'step-suspend', 'run-end'] as const
 *   const listener = (event: RunEvent) => setEvents((list) => [...list, event])
 *   for (const name of names) engine.on(name, listener)
 *   return () => { for (const name of names) engine.off(name, listener) }
 * }, [engine])
 * return <RunViewer definition={workflow.definition} run={{ events }} />
 * ```
 */
export function RunViewer(props: RunViewerProps): ReactElement {
  const { definition, run, onSelectNode } = props
  const state = useRunState(run.events)
  const status = run.status ?? state.status
  const views = useMemo(
    () => runNodeViews(definition, { ...state, status }),
    [definition, state, status],
  )
  const graph = useMemo(() => toDefinitionGraph(definition), [definition])
  const [ownSelection, setOwnSelection] = useState<string | null>(null)
  const selected = props.selectedNodeId !== undefined ? props.selectedNodeId : ownSelection
  const select = (nodeId: string | null) => {
    setOwnSelection(nodeId)
    onSelectNode?.(nodeId)
  }
  const selectedView = selected ? views.get(selected) : undefined
  const selectedNode = selected ? graph.nodes.find((node) => node.id === selected) : undefined
  const duration =
    state.startedAt !== undefined && state.endedAt !== undefined
      ? formatDuration(state.endedAt - state.startedAt)
      : undefined
  return (
    <div
      className={['tsr-run-viewer', props.className].filter(Boolean).join(' ')}
      data-run-status={status}
      data-color-mode={props.colorMode ?? 'light'}
      aria-label={props['aria-label'] ?? `Run of ${definition.id}`}
      role="region"
    >
      <p className="tsr-run-viewer__summary" role="status" data-testid="run-status">
        <span className="tsr-run-status" data-status={status}>
          {status}
        </span>{' '}
        {state.runId ? `run ${state.runId}` : 'no run yet'}
        {duration ? ` · ${duration}` : ''}
      </p>
      <div className="tsr-run-viewer__body">
        <div className="tsr-run-viewer__canvas">
          <ReactFlowProvider>
            <RunCanvas
              graph={graph}
              views={views}
              selected={selected}
              onSelect={select}
              colorMode={props.colorMode ?? 'light'}
            />
          </ReactFlowProvider>
        </div>
        {selectedView && (
          <RunDetailsPanel
            view={selectedView}
            detail={selectedNode?.detail}
            onClose={() => select(null)}
          />
        )}
      </div>
    </div>
  )
}

interface RunCanvasProps {
  graph: DefinitionGraph
  views: Map<string, RunNodeView>
  selected: string | null
  onSelect: (nodeId: string) => void
  colorMode: ColorMode
}

function RunCanvas({ graph, views, selected, onSelect, colorMode }: RunCanvasProps): ReactElement {
  const { positions, ready } = useGraphLayout(graph)
  const flow = useReactFlow()
  const previous = useRef<{ nodes: DesignerFlowNode[]; edges: Edge[] }>({ nodes: [], edges: [] })
  useEffect(() => {
    if (!ready) return
    const frame = requestAnimationFrame(() => void flow.fitView({ padding: 0.1 }))
    return () => cancelAnimationFrame(frame)
  }, [ready, positions, flow])
  const { nodes, edges } = useMemo(() => {
    const statuses = new Map<string, { status: string; note?: string }>()
    for (const node of graph.nodes) {
      const owner = ownerOf(node.id)
      const view = views.get(owner)
      statuses.set(node.id, { status: view?.status ?? 'pending', ...noteOf(view) })
    }
    const elements = toFlowElements(graph, positions, { statuses, selectedId: selected })
    for (const edge of elements.edges) {
      const target = views.get(ownerOf(edge.target))?.status ?? 'pending'
      edge.animated = target === 'running'
      edge.className = `${edge.className ?? ''} tsr-run-edge tsr-run-edge--${target}`
    }
    // Keep the objects of nodes and edges that show nothing new, so that on a large definition
    // an event re-renders only the nodes whose status changed.
    const before = new Map(previous.current.edges.map((edge) => [edge.id, edge]))
    const next = {
      nodes: reuseUnchangedNodes(previous.current.nodes, elements.nodes),
      edges: elements.edges.map((edge) => {
        const old = before.get(edge.id)
        return old && old.className === edge.className && old.label === edge.label ? old : edge
      }),
    }
    previous.current = next
    return next
  }, [graph, positions, views, selected])
  const onNodesChange = (changes: NodeChange[]) => {
    for (const change of changes)
      if (change.type === 'select' && change.selected) onSelect(ownerOf(change.id))
  }
  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={designerNodeTypes}
      onNodesChange={onNodesChange}
      onNodeClick={(_event, node) => onSelect(ownerOf(node.id))}
      nodesDraggable={false}
      nodesConnectable={false}
      colorMode={colorMode}
      fitView
      minZoom={0.1}
    />
  )
}

/** The definition node a canvas node stands for (a join or placeholder: its container). */
function ownerOf(graphNodeId: string): string {
  return graphNodeId.replace(/#(end|empty)$/, '')
}

function noteOf(view: RunNodeView | undefined): { note?: string } {
  if (!view || view.startedAt === undefined) return {}
  const parts: string[] = []
  if (view.endedAt !== undefined) parts.push(formatDuration(view.endedAt - view.startedAt))
  const attempts = Math.max(0, ...view.instances.map((instance) => instance.attempts))
  if (attempts > 1) parts.push(`${attempts} attempts`)
  if (view.instances.length > 1) parts.push(`${view.instances.length} runs`)
  return parts.length > 0 ? { note: parts.join(' · ') } : {}
}
