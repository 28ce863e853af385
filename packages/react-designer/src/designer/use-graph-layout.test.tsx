import { renderHook, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { orderReview, twoSteps } from '../../test/designer-fixtures'
import { toDefinitionGraph } from './definition-graph'
import { replaceNode } from './definition-edits'
import { treeLayout } from './tree-layout'
import { useGraphLayout } from './use-graph-layout'

describe('useGraphLayout', () => {
  it('shows the tree layout, then ELK’s, and keeps it while the shape stays', async () => {
    const graph = toDefinitionGraph(orderReview.definition)
    const { result, rerender } = renderHook((props) => useGraphLayout(props.graph), {
      initialProps: { graph },
    })
    expect(result.current.ready).toBe(false)
    expect(result.current.positions).toEqual(treeLayout(graph))
    await waitFor(() => expect(result.current.ready).toBe(true))
    const elk = result.current.positions
    expect(elk).not.toEqual(treeLayout(graph))
    const changed = replaceNode(orderReview.definition, 'each-line', {
      ...(orderReview.definition.root.type === 'sequence'
        ? orderReview.definition.root.children.find((child) => child.id === 'each-line')!
        : orderReview.definition.root),
      concurrency: 9,
    } as never)
    if (!changed.ok) throw new Error(changed.reason)
    rerender({ graph: toDefinitionGraph(changed.definition) })
    expect(result.current).toEqual({ positions: elk, ready: true })
  })

  it('keeps the tree layout for graphs over the ELK limit', () => {
    const graph = toDefinitionGraph(twoSteps())
    const { result } = renderHook(() => useGraphLayout(graph, { elkNodeLimit: 1 }))
    expect(result.current).toEqual({ positions: treeLayout(graph), ready: true })
  })
})
