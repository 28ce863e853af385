import { useEffect, useMemo, useRef, useState } from 'react'
import type { DefinitionGraph } from './definition-graph'
import { createGraphLayouter, type GraphLayout, type GraphLayouter } from './layout-graph'
import { treeLayout } from './tree-layout'

/** Options of {@link useGraphLayout}. */
export interface GraphLayoutOptions {
  /**
   * The largest graph ELK lays out (default 150 nodes). ELK runs in the page's thread and takes
   * about a second for 500 nodes; larger graphs keep the instant tree layout.
   */
  elkNodeLimit?: number
}

/**
 * Positions for a graph: the tree layout at once, then ELK's layered layout when it is ready
 * (graphs up to `elkNodeLimit` nodes). A graph with the same nodes and edges as the last one
 * laid out (a changed setting, not a changed shape) keeps its positions without a new layout.
 * One layouter per component, made in an effect: nothing runs on the server.
 *
 * @example
 * ```ts
 * const { positions, ready } = useGraphLayout(graph)
 * ```
 */
export function useGraphLayout(
  graph: DefinitionGraph,
  options: GraphLayoutOptions = {},
): { positions: GraphLayout; ready: boolean } {
  const limit = options.elkNodeLimit ?? 150
  const layouter = useRef<GraphLayouter | null>(null)
  const shape = useMemo(() => graphShape(graph), [graph])
  const useElk = graph.nodes.length > 0 && graph.nodes.length <= limit
  const tree = useMemo(() => (useElk ? undefined : treeLayout(graph)), [graph, useElk])
  const [laidOut, setLaidOut] = useState<{ shape: string; positions: GraphLayout } | null>(null)
  useEffect(() => {
    if (!useElk || laidOut?.shape === shape) return
    let current = true
    layouter.current ??= createGraphLayouter()
    layouter.current.layout(graph).then(
      (positions) => {
        if (current) setLaidOut({ shape, positions })
      },
      () => {
        // ELK failed on this graph: the tree layout stays.
        if (current) setLaidOut({ shape, positions: treeLayout(graph) })
      },
    )
    return () => {
      current = false
    }
    // `graph` changes with every edit; only a new shape needs a new layout.
  }, [shape, useElk])
  // Memoised: the positions feed effects, and a new Map on every render would never settle.
  const pending = useMemo(
    () => (useElk && laidOut?.shape !== shape ? treeLayout(graph) : undefined),
    [graph, useElk, laidOut, shape],
  )
  if (tree) return { positions: tree, ready: true }
  if (laidOut && laidOut.shape === shape) return { positions: laidOut.positions, ready: true }
  return { positions: pending ?? new Map(), ready: false }
}

/** The node ids, kinds and edges of a graph: what its layout depends on. */
function graphShape(graph: DefinitionGraph): string {
  return (
    graph.nodes.map((node) => `${node.id}:${node.kind}`).join('\n') +
    '\n--\n' +
    graph.edges.map((edge) => edge.id).join('\n')
  )
}
