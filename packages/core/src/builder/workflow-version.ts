import { canonicalJson, contentHash } from '../definition/content-hash'
import type { WorkflowDefinition } from '../definition/schema'
import type { InlineFunction } from './workflow'

/**
 * The version of a workflow: a content hash of its definition (without `version`) and of the
 * source text of the inline functions it uses. The builder and `workflowFromDefinition` compute
 * it the same way, so a definition exported and registered again keeps its version.
 */
export function workflowVersion(
  body: Omit<WorkflowDefinition, 'version'>,
  functions: ReadonlyMap<string, InlineFunction>,
): string {
  const sources = [...functions].map(([key, fn]) => `${key}=${fn.toString()}`).sort()
  return contentHash(canonicalJson(body) + '\n' + sources.join('\n'))
}
