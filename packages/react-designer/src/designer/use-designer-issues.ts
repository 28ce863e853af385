import { useEffect, useMemo, useState } from 'react'
import type { WorkflowDefinition } from '@tessera/core/definition'
import { issuesByNode, type DefinitionGraph, type NodeIssue } from './definition-graph'
import type { DesignerRegistry } from './designer-registry'
import { designerIssues } from './designer-validation'

/** Options of {@link useDesignerIssues}. */
export interface DesignerIssuesOptions {
  /**
   * Graphs with more nodes than this (default 200) are checked after the frame that shows them,
   * not before: `validateDefinition` takes tens of milliseconds on a 500-node definition, and a
   * change shows at once; its problems follow a moment later. Smaller graphs are checked as
   * they render.
   */
  deferAbove?: number
}

const noIssues: ReadonlyMap<string, readonly NodeIssue[]> = new Map()

/**
 * The problems of a definition by graph node id ({@link designerIssues} mapped by
 * `issuesByNode`). For a large graph they are computed after the next paint; until then the
 * previous result stays, by node id (ids survive edits, JSON paths do not).
 *
 * @example
 * ```ts
 * const issues = useDesignerIssues(definition, graph, registry, props.issues)
 * issues.get('charge') // problems shown on node "charge"
 * ```
 */
export function useDesignerIssues(
  definition: WorkflowDefinition,
  graph: DefinitionGraph,
  registry: DesignerRegistry,
  extra: readonly NodeIssue[] | undefined,
  options: DesignerIssuesOptions = {},
): ReadonlyMap<string, readonly NodeIssue[]> {
  const defer = graph.nodes.length > (options.deferAbove ?? 200)
  const immediate = useMemo(
    () => (defer ? undefined : issuesByNode(graph, designerIssues(definition, registry, extra))),
    [defer, graph, definition, registry, extra],
  )
  const [deferred, setDeferred] = useState<ReadonlyMap<string, readonly NodeIssue[]>>(noIssues)
  useEffect(() => {
    if (!defer) return
    let current = true
    let timer: ReturnType<typeof setTimeout> | undefined
    // After the next frame is painted: a timer queued from requestAnimationFrame runs after it.
    const check = () => {
      timer = setTimeout(() => {
        if (current) setDeferred(issuesByNode(graph, designerIssues(definition, registry, extra)))
      }, 0)
    }
    const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(check) : 0
    if (frame === 0) check()
    return () => {
      current = false
      if (frame !== 0) cancelAnimationFrame(frame)
      if (timer !== undefined) clearTimeout(timer)
    }
  }, [defer, graph, definition, registry, extra])
  return immediate ?? deferred
}
