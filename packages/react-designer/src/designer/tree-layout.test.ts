import { describe, expect, it } from 'vitest'
import { orderReview } from '../../test/designer-fixtures'
import { toDefinitionGraph } from './definition-graph'
import { nodeSize } from './layout-graph'
import { treeLayout } from './tree-layout'

describe('treeLayout', () => {
  const graph = toDefinitionGraph(orderReview.definition)
  const positions = treeLayout(graph)
  const at = (id: string) => positions.get(id)!
  const centre = (id: string) => {
    const node = graph.nodes.find((entry) => entry.id === id)!
    return at(id).x + nodeSize(node).width / 2
  }

  it('places every node, each edge pointing down except a loop back', () => {
    expect([...positions.keys()].sort()).toEqual(graph.nodes.map((node) => node.id).sort())
    for (const edge of graph.edges) expect(at(edge.target).y).toBeGreaterThan(at(edge.source).y)
  })

  it('puts branches side by side, centred under their node and over their join', () => {
    expect(at('approve').y).toBe(at('escalate').y)
    expect(at('escalate').x - at('approve').x).toBeGreaterThanOrEqual(
      nodeSize({ kind: 'step' }).width,
    )
    expect(centre('route')).toBeCloseTo(centre('route#end'))
    expect(centre('route')).toBeCloseTo((centre('approve') + centre('escalate')) / 2)
    expect(at('notify').y).toBe(at('audit').y)
  })

  it('lays out 2000 nodes', () => {
    const children = Array.from({ length: 2000 }, (_, index) => ({
      type: 'step' as const,
      id: `s-${index}`,
      step: 'x',
    }))
    const big = toDefinitionGraph({
      ...orderReview.definition,
      root: { type: 'sequence', id: 'root', children },
    })
    const layout = treeLayout(big)
    expect(layout.size).toBe(2000)
    expect(layout.get('s-1999')!.y).toBe(1999 * (nodeSize({ kind: 'step' }).height + 48))
  })
})
