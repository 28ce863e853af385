import { inspectExpression } from './inspect-expression'
import type { Callable, DefinitionNode, WorkflowDefinition } from './schema'
import { childNodes } from './child-nodes'

/** A reachability problem: a node that can never run, one that can never end, or a cycle. */
export interface ReachabilityIssue {
  path: string
  code: 'unreachable' | 'never_completes' | 'cycle'
  severity: 'error' | 'warning'
  message: string
}

/**
 * Finds what can never run in a definition's tree. A tree has no edges to get wrong, so a node is
 * unreachable only when something before it can never let the run reach it:
 * - a branch case after a case whose `when` is the constant `true` (the first match wins), or a
 *   case whose `when` is a constant other than `true`;
 * - a sequence child after a child that never completes.
 * A node never completes when it is a loop whose `until` is a constant other than `true` (it
 * always reaches `maxIterations` and fails), a branch none of whose cases can complete, a
 * sequence or parallel holding such a node, a loop whose body never completes, or a workflow
 * node that contains itself. Only constants count: an expression that depends on data, and any
 * registered function, may go either way. A foreach ends for an empty array whatever its body.
 *
 * Cycles: a definition is a tree, so the only cycle is a workflow node that reaches, through the
 * workflows it calls (found in `definitions`), the workflow that holds it. Loops are the only
 * way a definition repeats.
 */
export function reachabilityIssues(
  definition: WorkflowDefinition,
  definitions: readonly WorkflowDefinition[] = [],
): ReachabilityIssue[] {
  const issues: ReachabilityIssue[] = []
  const byId = new Map<string, WorkflowDefinition>()
  for (const known of definitions) byId.set(`${known.id}@${known.version}`, known)
  const latest = new Map<string, WorkflowDefinition>()
  for (const known of definitions) latest.set(known.id, known)

  /** The chain of workflow ids from `id` back to the root workflow, if any. */
  const cycleFrom = (
    id: string,
    version: string | undefined,
    stack: string[],
  ): string[] | undefined => {
    if (stack.includes(id)) return [...stack, id]
    const child = version ? byId.get(`${id}@${version}`) : latest.get(id)
    if (child === undefined) return undefined
    let found: string[] | undefined
    const visit = (node: DefinitionNode): void => {
      if (found) return
      if (node.type === 'workflow') found = cycleFrom(node.workflow, node.version, [...stack, id])
      for (const child of childNodes(node)) visit(child)
    }
    visit(child.root)
    return found
  }

  /** Checks `node` (reached) and returns whether it can complete. */
  const check = (node: DefinitionNode, path: string): boolean => {
    switch (node.type) {
      case 'sequence': {
        let completes = true
        node.children.forEach((child, index) => {
          const childPath = `${path}.children[${index}]`
          if (!completes) unreachable(child, childPath, 'a node before it never completes')
          else completes = check(child, childPath)
        })
        return completes
      }
      case 'parallel': {
        let completes = true
        for (const [key, child] of Object.entries(node.branches))
          if (!check(child, `${path}.branches.${key}`)) completes = false
        return completes
      }
      case 'branch': {
        let decided = false
        let completes = false
        node.cases.forEach((entry, index) => {
          const casePath = `${path}.cases[${index}]`
          if (decided)
            return unreachable(entry.then, `${casePath}.then`, 'an earlier case is always true')
          const constant = constantOf(entry.when)
          if (constant !== undefined && constant.value !== true)
            return unreachable(
              entry.then,
              `${casePath}.then`,
              `its condition is always ${JSON.stringify(constant.value)}`,
            )
          if (constant !== undefined) decided = true
          if (check(entry.then, `${casePath}.then`)) completes = true
        })
        if (!completes && node.cases.length > 0)
          never(
            path,
            'no case can complete: its conditions are constants that never hold, or every case never completes',
          )
        return completes
      }
      case 'loop': {
        const bodyCompletes = check(node.body, `${path}.body`)
        const constant = constantOf(node.until)
        if (constant !== undefined && constant.value !== true) {
          never(
            path,
            `until is always ${JSON.stringify(constant.value)}: the loop always reaches maxIterations (${node.maxIterations}) and fails`,
          )
          return false
        }
        return bodyCompletes
      }
      case 'foreach':
        check(node.body, `${path}.body`)
        return true
      case 'workflow': {
        const chain = cycleFrom(node.workflow, node.version, [definition.id])
        if (chain === undefined) return true
        issues.push({
          path,
          code: 'cycle',
          severity: 'error',
          message: `workflow "${node.workflow}" contains itself (${chain.join(' → ')}); repeat work with a loop`,
        })
        return false
      }
      default:
        return true
    }
  }

  const never = (path: string, why: string) =>
    issues.push({
      path,
      code: 'never_completes',
      severity: 'warning',
      message: `this node never completes: ${why}`,
    })

  const unreachable = (node: DefinitionNode, path: string, why: string) =>
    issues.push({
      path,
      code: 'unreachable',
      severity: 'warning',
      message: `"${node.id}" can never run: ${why}`,
    })

  check(definition.root, 'root')
  return issues
}

function constantOf(callable: Callable): { value: unknown } | undefined {
  return 'expression' in callable ? inspectExpression(callable.expression).constant : undefined
}
