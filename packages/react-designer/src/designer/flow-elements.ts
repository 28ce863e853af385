import { MarkerType, Position, type Edge, type Node } from '@xyflow/react'
import type { DefinitionGraph, GraphNode, NodeIssue } from './definition-graph'
import { nodeSize, type GraphLayout } from './layout-graph'

/** What a canvas node renders: the graph node, its problems and, in a run viewer, a status. */
export interface DesignerNodeData extends Record<string, unknown> {
  graphNode: GraphNode
  issues: readonly NodeIssue[]
  /** A run status (`pending`, `running`, `succeeded`, `failed`, `suspended`…), when shown. */
  status?: string
  /** Extra text under the label, such as a run's timing. */
  note?: string
}

/** A canvas node of the designer. */
export type DesignerFlowNode = Node<DesignerNodeData, 'tessera'>

/**
 * The xyflow nodes and edges of a graph at the given positions, with each node's issues and
 * (for a run viewer) status. Nothing can be dragged.
 *
 * @example
 * ```ts
 * const { nodes, edges } = toFlowElements(graph, positions, { issues: issuesByNode(graph, issues) })
 * ```
 */
export function toFlowElements(
  graph: DefinitionGraph,
  positions: GraphLayout,
  options: {
    issues?: ReadonlyMap<string, readonly NodeIssue[]>
    statuses?: ReadonlyMap<string, { status: string; note?: string }>
    selectedId?: string | null
    /**
     * Give every node its size and handles up front (from {@link nodeSize}), so xyflow can place
     * nodes and edges it has not rendered: what `<ReactFlow onlyRenderVisibleElements>` needs
     * to leave off-screen nodes out of the page from the first render.
     */
    presized?: boolean
  } = {},
): { nodes: DesignerFlowNode[]; edges: Edge[] } {
  const nodes = graph.nodes.map((graphNode): DesignerFlowNode => {
    const issues = options.issues?.get(graphNode.id) ?? []
    const status = options.statuses?.get(graphNode.id)
    const problems =
      issues.length === 0
        ? ''
        : `, ${issues.length} problem${issues.length === 1 ? '' : 's'}: ${issues.map((issue) => issue.message).join('; ')}`
    return {
      id: graphNode.id,
      type: 'tessera',
      position: positions.get(graphNode.id) ?? { x: 0, y: 0 },
      data: {
        graphNode,
        issues,
        ...(status ? { status: status.status } : {}),
        ...(status?.note === undefined ? {} : { note: status.note }),
      },
      selectable: true,
      focusable: true,
      draggable: false,
      selected: options.selectedId === graphNode.id,
      ariaLabel: `${graphNode.kind} ${graphNode.label}${status ? `, ${status.status}` : ''}${problems}`,
      ...(options.presized ? presize(nodeSize(graphNode)) : {}),
    }
  })
  const edges = graph.edges.map((edge): Edge => ({
    id: edge.id,
    source: edge.source,
    target: edge.target,
    ...(edge.label === undefined ? {} : { label: edge.label }),
    type: edge.label === 'repeat' ? 'default' : 'smoothstep',
    markerEnd: { type: MarkerType.ArrowClosed },
    className: edge.label === 'repeat' ? 'tsr-edge tsr-edge--repeat' : 'tsr-edge',
    focusable: false,
    selectable: false,
  }))
  return { nodes, edges }
}

/** xyflow's default handles are 6 px squares centred on the node's top and bottom edges. */
const handleSize = 6

function presize(size: {
  width: number
  height: number
}): Pick<DesignerFlowNode, 'initialWidth' | 'initialHeight' | 'handles'> {
  const x = size.width / 2 - handleSize / 2
  return {
    initialWidth: size.width,
    initialHeight: size.height,
    handles: [
      {
        type: 'target',
        position: Position.Top,
        x,
        y: -handleSize / 2,
        width: handleSize,
        height: handleSize,
      },
      {
        type: 'source',
        position: Position.Bottom,
        x,
        y: size.height - handleSize / 2,
        width: handleSize,
        height: handleSize,
      },
    ],
  }
}

/**
 * `next` with every node that shows the same as in `previous` (kind, label, detail, path,
 * position, selection, issues, status) replaced by its previous object (xyflow's measurements
 * included), so React skips it: after an edit only the nodes that changed render again, which
 * keeps large definitions responsive. A kept node's `data.graphNode.node` may be the previous
 * copy of its definition node: look nodes up in the current graph, not in canvas nodes.
 *
 * @example
 * ```ts
 * setNodes((previous) => reuseUnchangedNodes(previous, toFlowElements(graph, positions).nodes))
 * ```
 */
export function reuseUnchangedNodes(
  previous: readonly DesignerFlowNode[],
  next: DesignerFlowNode[],
): DesignerFlowNode[] {
  const before = new Map(previous.map((node) => [node.id, node]))
  return next.map((node) => {
    const old = before.get(node.id)
    if (!old) return node
    if (sameNode(old, node)) return old
    if (!old.measured) return node
    // A presized node keeps its measured size: its handles follow it.
    const { width, height } = old.measured
    return node.handles && width !== undefined && height !== undefined
      ? { ...node, measured: old.measured, ...presize({ width, height }) }
      : { ...node, measured: old.measured }
  })
}

function sameNode(a: DesignerFlowNode, b: DesignerFlowNode): boolean {
  const left = a.data
  const right = b.data
  return (
    a.position.x === b.position.x &&
    a.position.y === b.position.y &&
    a.selected === b.selected &&
    a.ariaLabel === b.ariaLabel &&
    left.graphNode.kind === right.graphNode.kind &&
    left.graphNode.path === right.graphNode.path &&
    left.graphNode.label === right.graphNode.label &&
    left.graphNode.detail === right.graphNode.detail &&
    left.status === right.status &&
    left.note === right.note &&
    left.issues.length === right.issues.length &&
    left.issues.every((issue, index) => {
      const other = right.issues[index]
      return other?.message === issue.message && other.severity === issue.severity
    })
  )
}

/**
 * `next` with every edge equal to one in `previous` (same id and label) replaced by the previous
 * object.
 *
 * @example
 * ```ts
 * setEdges((previous) => reuseUnchangedEdges(previous, elements.edges))
 * ```
 */
export function reuseUnchangedEdges(previous: readonly Edge[], next: Edge[]): Edge[] {
  const before = new Map(previous.map((edge) => [edge.id, edge]))
  return next.map((edge) => {
    const old = before.get(edge.id)
    return old && old.label === edge.label ? old : edge
  })
}
