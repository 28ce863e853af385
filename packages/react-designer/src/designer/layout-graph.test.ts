import { describe, expect, it } from 'vitest'
import { orderReview } from '../../test/designer-fixtures'
import { toDefinitionGraph } from './definition-graph'
import { createGraphLayouter, nodeSize } from './layout-graph'

describe('graph layout', () => {
  it('places every node with ELK, each edge pointing down except a loop back', async () => {
    const graph = toDefinitionGraph(orderReview.definition)
    const positions = await createGraphLayouter().layout(graph)
    expect([...positions.keys()].sort()).toEqual(graph.nodes.map((node) => node.id).sort())
    for (const edge of graph.edges)
      expect(positions.get(edge.target)!.y).toBeGreaterThan(positions.get(edge.source)!.y)
    const approve = positions.get('approve')!
    const escalate = positions.get('escalate')!
    expect(approve.y).toBe(escalate.y)
    expect(Math.abs(approve.x - escalate.x)).toBeGreaterThanOrEqual(
      nodeSize({ kind: 'step' }).width,
    )
  })
})
