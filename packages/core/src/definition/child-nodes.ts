import type { DefinitionNode } from './schema'

/**
 * The nodes directly inside a node, in order: a sequence's children, a parallel's branches, a
 * branch's cases, a foreach's or loop's body; none for leaf nodes (steps, agents, actions, code,
 * workflows, waits).
 *
 * @example
 * ```ts
 * childNodes(definition.root).map((node) => node.id) // ['fetch-order', 'parallel-1']
 * ```
 */
export function childNodes(node: DefinitionNode): DefinitionNode[] {
  switch (node.type) {
    case 'sequence':
      return node.children
    case 'parallel':
      return Object.values(node.branches)
    case 'branch':
      return node.cases.map((entry) => entry.then)
    case 'foreach':
    case 'loop':
      return [node.body]
    default:
      return []
  }
}
