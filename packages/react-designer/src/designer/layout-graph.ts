import type ElkConstructor from 'elkjs/lib/elk.bundled.js'
import type { DefinitionGraph, GraphNode } from './definition-graph'

/** A node's size on the canvas, by kind. */
export function nodeSize(node: Pick<GraphNode, 'kind'>): { width: number; height: number } {
  switch (node.kind) {
    case 'join':
      return { width: 28, height: 28 }
    case 'parallel':
    case 'branch':
    case 'foreach':
    case 'loop':
      return { width: 180, height: 48 }
    default:
      return { width: 220, height: 64 }
  }
}

/** Top-left positions of the nodes of a graph, by node id. */
export type GraphLayout = Map<string, { x: number; y: number }>

/** Lays out graphs with ELK's layered algorithm; one per designer (no shared state). */
export interface GraphLayouter {
  layout(graph: DefinitionGraph): Promise<GraphLayout>
}

/**
 * A layouter running ELK's layered algorithm top to bottom, in the calling thread (the bundled
 * build: no web worker, so it runs in browsers, jsdom and Node alike). `elkjs` (about 1.5 MB of
 * JavaScript) is imported on the first layout, not with the designer: a bundler splits it into a
 * chunk of its own, which a page loads only when it lays out a graph with ELK.
 *
 * @example
 * ```ts
 * const positions = await createGraphLayouter().layout(toDefinitionGraph(definition))
 * ```
 */
export function createGraphLayouter(): GraphLayouter {
  let elk: Promise<InstanceType<typeof ElkConstructor>> | undefined
  return {
    async layout(graph) {
      elk ??= import('elkjs/lib/elk.bundled.js').then((module) => new module.default())
      const result = await (
        await elk
      ).layout({
        id: 'root',
        layoutOptions: {
          'elk.algorithm': 'layered',
          'elk.direction': 'DOWN',
          'elk.layered.spacing.nodeNodeBetweenLayers': '48',
          'elk.spacing.nodeNode': '32',
          'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
          'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
        },
        children: graph.nodes.map((node) => ({ id: node.id, ...nodeSize(node) })),
        edges: graph.edges.map((edge) => ({
          id: edge.id,
          sources: [edge.source],
          targets: [edge.target],
        })),
      })
      const positions: GraphLayout = new Map()
      for (const child of result.children ?? [])
        positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 })
      return positions
    },
  }
}
