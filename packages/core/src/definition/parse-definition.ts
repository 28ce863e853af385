import { DefinitionError, type DefinitionIssue } from '../errors/definition-error'
import { workflowDefinitionSchema, type DefinitionNode, type WorkflowDefinition } from './schema'

/**
 * Validates an unknown value as a {@link WorkflowDefinition}: its shape (zod) and its structure
 * (unique node ids). Throws a {@link DefinitionError} listing every problem with a JSON path.
 *
 * @example
 * ```ts
 * const definition = parseDefinition(JSON.parse(text))
 * ```
 */
export function parseDefinition(value: unknown): WorkflowDefinition {
  const result = workflowDefinitionSchema.safeParse(value)
  const workflowId =
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string'
      ? (value as { id: string }).id
      : undefined
  if (!result.success) {
    throw new DefinitionError({
      workflowId,
      issues: result.error.issues.map((issue) => ({
        path: jsonPath(issue.path),
        message: issue.message,
      })),
    })
  }
  const issues = structuralIssues(result.data.root, 'root')
  if (issues.length > 0) throw new DefinitionError({ workflowId, issues })
  return result.data
}

/** Problems that the schema alone cannot see: duplicate node ids. */
export function structuralIssues(root: DefinitionNode, rootPath: string): DefinitionIssue[] {
  const issues: DefinitionIssue[] = []
  const seen = new Map<string, string>()
  visitNodes(root, rootPath, (node, path) => {
    const first = seen.get(node.id)
    if (first !== undefined)
      issues.push({
        path: `${path}.id`,
        message: `duplicate node id "${node.id}" (first at ${first})`,
      })
    else seen.set(node.id, path)
  })
  return issues
}

/** Calls `visit` for every node, depth first, with its JSON path.
 *
 * @example
 * ```ts
 * visitNodes(definition.root, 'root', (node, path) => console.log(path, node.type))
 * ```
 */
export function visitNodes(
  node: DefinitionNode,
  path: string,
  visit: (node: DefinitionNode, path: string) => void,
): void {
  visit(node, path)
  switch (node.type) {
    case 'sequence':
      node.children.forEach((child, index) =>
        visitNodes(child, `${path}.children[${index}]`, visit),
      )
      break
    case 'parallel':
      for (const [key, child] of Object.entries(node.branches))
        visitNodes(child, `${path}.branches.${key}`, visit)
      break
    case 'branch':
      node.cases.forEach((entry, index) =>
        visitNodes(entry.then, `${path}.cases[${index}].then`, visit),
      )
      break
    case 'foreach':
    case 'loop':
      visitNodes(node.body, `${path}.body`, visit)
      break
    default:
      break
  }
}

/** A zod issue path in the `root.children[2].cases[0].when` style of definition paths. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path)
    out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key)
  return out
}
