import { useEffect, useMemo, useRef, useState } from 'react'
import type { DefinitionGraph } from './definition-graph'
import {
  columnLayout,
  createGraphLayouter,
  type GraphLayout,
  type GraphLayouter,
} from './layout-graph'

/**
 * Positions for a graph: a column at once, then ELK's layout when it is ready. One layouter
 * per component, made in an effect (nothing runs on the server). A newer graph wins over a
 * layout still running for an older one.
 *
 * @example
 * ```ts
 * const { positions, ready } = useGraphLayout(graph)
 * ```
 */
export function useGraphLayout(graph: DefinitionGraph): { positions: GraphLayout; ready: boolean } {
  const layouter = useRef<GraphLayouter | null>(null)
  const fallback = useMemo(() => columnLayout(graph), [graph])
  const [state, setState] = useState<{ graph: DefinitionGraph; positions: GraphLayout } | null>(
    null,
  )
  useEffect(() => {
    let current = true
    layouter.current ??= createGraphLayouter()
    layouter.current.layout(graph).then(
      (positions) => {
        if (current) setState({ graph, positions })
      },
      () => {
        // ELK failed on this graph: the column layout stays.
      },
    )
    return () => {
      current = false
    }
  }, [graph])
  // While a new layout runs, nodes that remain keep their old positions. Memoised: the
  // positions feed effects, and a new Map on every render would never settle.
  return useMemo(() => {
    if (state && state.graph === graph) return { positions: state.positions, ready: true }
    if (!state) return { positions: fallback, ready: false }
    const merged: GraphLayout = new Map(fallback)
    for (const [id, position] of state.positions) if (merged.has(id)) merged.set(id, position)
    return { positions: merged, ready: false }
  }, [state, graph, fallback])
}
