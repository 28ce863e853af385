import { describe, expect, it } from 'vitest'
import { orderReview } from '../../test/designer-fixtures'
import { findNode, replaceNode } from './definition-edits'
import { issuesByNode, toDefinitionGraph } from './definition-graph'
import { reuseUnchangedEdges, reuseUnchangedNodes, toFlowElements } from './flow-elements'
import { nodeSize } from './layout-graph'
import { treeLayout } from './tree-layout'

const elementsOf = (definition = orderReview.definition, selectedId: string | null = null) => {
  const graph = toDefinitionGraph(definition)
  return toFlowElements(graph, treeLayout(graph), {
    selectedId,
    issues: issuesByNode(graph, [{ path: 'root.children[0].step', message: 'unknown step' }]),
    statuses: new Map([['notify', { status: 'running', note: '2 s' }]]),
  })
}

describe('flow elements', () => {
  it('gives each graph node a canvas node with its issues, status and accessible name', () => {
    const { nodes, edges } = elementsOf()
    const fetch = nodes.find((node) => node.id === 'fetch-order')!
    expect(fetch.ariaLabel).toBe('step fetch-order, 1 problem: unknown step')
    expect(fetch.data.issues).toHaveLength(1)
    const notify = nodes.find((node) => node.id === 'notify')!
    expect(notify.data).toMatchObject({ status: 'running', note: '2 s' })
    expect(notify.ariaLabel).toBe('step notify, running')
    expect(edges.find((edge) => edge.id === 'route->approve')?.label).toBe('case 1')
  })

  it('keeps the objects of nodes and edges an edit did not change', () => {
    const before = elementsOf()
    const each = findNode(orderReview.definition, 'each-line')!.node
    const changed = replaceNode(orderReview.definition, 'each-line', {
      ...each,
      concurrency: 9,
    } as typeof each)
    if (!changed.ok) throw new Error(changed.reason)
    const after = elementsOf(changed.definition, 'summary')
    const nodes = reuseUnchangedNodes(before.nodes, after.nodes)
    const kept = nodes.filter((node, index) => node === before.nodes[index]).map((node) => node.id)
    expect(nodes.map((node) => node.id).filter((id) => !kept.includes(id))).toEqual([
      'each-line',
      'summary',
    ])
    const edges = reuseUnchangedEdges(before.edges, after.edges)
    expect(edges.every((edge, index) => edge === before.edges[index])).toBe(true)
  })

  it('sizes nodes and places their handles up front when presized, following measurements', () => {
    const graph = toDefinitionGraph(orderReview.definition)
    const plain = toFlowElements(graph, treeLayout(graph))
    expect(plain.nodes.every((node) => node.handles === undefined)).toBe(true)
    const presized = toFlowElements(graph, treeLayout(graph), { presized: true })
    const route = presized.nodes.find((node) => node.id === 'route')!
    const size = nodeSize(route.data.graphNode)
    expect(route).toMatchObject({ initialWidth: size.width, initialHeight: size.height })
    expect(route.handles).toEqual([
      expect.objectContaining({ type: 'target', x: size.width / 2 - 3, y: -3 }),
      expect.objectContaining({ type: 'source', x: size.width / 2 - 3, y: size.height - 3 }),
    ])
    // Measured at 90 px high: an update keeps the measurement, and the output handle moves.
    const measured = presized.nodes.map((node) =>
      node.id === 'route' ? { ...node, measured: { width: size.width, height: 90 } } : node,
    )
    const next = toFlowElements(graph, treeLayout(graph), { presized: true, selectedId: 'route' })
    const kept = reuseUnchangedNodes(measured, next.nodes).find((node) => node.id === 'route')!
    expect(kept.measured).toEqual({ width: size.width, height: 90 })
    expect(kept.handles?.[1]).toMatchObject({ type: 'source', y: 87 })
  })
})
