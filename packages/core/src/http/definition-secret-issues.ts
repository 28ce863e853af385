import { workflowFromDefinition } from '../builder/workflow-from-definition'
import type { DefinitionNode } from '../definition/schema'
import { ConnectorConfigError } from '../errors/connector-config-error'
import type { Engine } from '../runtime/engine'

/** One issue of `POST /definitions/validate`. */
interface ValidationIssue {
  path: string
  code: string
  severity: 'error' | 'warning'
  message: string
}

/**
 * The connector configuration problems of a definition that is otherwise valid: secrets that no
 * provider of the engine has (`missing_secret`) or that cannot be read (`secrets_unavailable`).
 * Paths point into the definition (`root.children[1].config.token`); nodes of child workflows
 * keep their prefixed id. Names only, never values. No connection is made.
 */
export async function definitionSecretIssues(
  engine: Engine,
  definition: unknown,
): Promise<ValidationIssue[]> {
  let workflow
  try {
    workflow = workflowFromDefinition(definition, { registry: engine.registry })
  } catch {
    return [] // validateDefinition reported why
  }
  try {
    await engine.preflight(workflow)
    return []
  } catch (error) {
    if (!ConnectorConfigError.isInstance(error)) throw error
    const paths = nodePaths(workflow.definition.root, 'root')
    return error.issues.map((issue) => ({
      path: `${paths.get(issue.node) ?? issue.node}.${issue.path}`,
      code: issue.reason === 'missing-secret' ? 'missing_secret' : 'secrets_unavailable',
      severity: 'error' as const,
      message: issue.message,
    }))
  }
}

/** The JSON path of every node of a definition, by node id. */
function nodePaths(node: DefinitionNode, path: string, paths = new Map<string, string>()) {
  paths.set(node.id, path)
  const record = node as unknown as Record<string, unknown>
  if (Array.isArray(record.children))
    (record.children as DefinitionNode[]).forEach((child, index) =>
      nodePaths(child, `${path}.children[${index}]`, paths),
    )
  if (record.branches && typeof record.branches === 'object')
    for (const [key, child] of Object.entries(record.branches as Record<string, DefinitionNode>))
      nodePaths(child, `${path}.branches.${key}`, paths)
  if (Array.isArray(record.cases))
    (record.cases as { then: DefinitionNode }[]).forEach((entry, index) =>
      nodePaths(entry.then, `${path}.cases[${index}].then`, paths),
    )
  if (record.body && typeof record.body === 'object')
    nodePaths(record.body as DefinitionNode, `${path}.body`, paths)
  return paths
}
