import { MarkerType, type Edge, type Node } from '@xyflow/react'
import type { DefinitionGraph, GraphNode, NodeIssue } from './definition-graph'
import type { GraphLayout } from './layout-graph'

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
