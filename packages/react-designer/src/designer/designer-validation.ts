import { validateDefinition, type WorkflowDefinition } from '@tessera/core/definition'
import type { NodeIssue } from './definition-graph'
import type { DesignerRegistry } from './designer-registry'

/**
 * The problems the designer shows: `validateDefinition` against the registry (shape, unknown
 * components, expressions, type mismatches between nodes, reachability…) and the host's own,
 * without repeats (the same path and message once).
 *
 * @example
 * ```ts
 * designerIssues(definition, registry, serverIssues).filter((issue) => issue.severity === 'error')
 * ```
 */
export function designerIssues(
  definition: WorkflowDefinition,
  registry: DesignerRegistry,
  extra: readonly NodeIssue[] = [],
): NodeIssue[] {
  const { issues } = validateDefinition(definition, {
    registry: { agents: [], connectors: [], plugins: [], ...registry },
  })
  const seen = new Set<string>()
  const result: NodeIssue[] = []
  for (const issue of [...issues, ...extra]) {
    const key = `${issue.path}\n${issue.message}`
    if (seen.has(key)) continue
    seen.add(key)
    result.push(issue)
  }
  return result
}
