import {
  canonicalJson,
  contentHash,
  parseDefinition,
  visitNodes,
  type DefinitionNode,
  type WorkflowDefinition,
} from '@tessera/core/definition'

/** The outcome of an edit: a valid definition, or the reason the edit was refused. */
export type EditResult =
  { ok: true; definition: WorkflowDefinition } | { ok: false; reason: string }

/** Where a node sits: its JSON path, and its parent sequence and index when it has one. */
export interface NodeLocation {
  node: DefinitionNode
  path: string
  parent: DefinitionNode | undefined
}

/**
 * Finds a node of a definition by id.
 *
 * @example
 * ```ts
 * findNode(definition, 'notify')?.path // 'root.children[2]'
 * ```
 */
export function findNode(definition: WorkflowDefinition, nodeId: string): NodeLocation | undefined {
  let found: NodeLocation | undefined
  const walk = (node: DefinitionNode, path: string, parent: DefinitionNode | undefined) => {
    if (found) return
    if (node.id === nodeId) {
      found = { node, path, parent }
      return
    }
    for (const [child, childPath] of childrenOf(node, path)) walk(child, childPath, node)
  }
  walk(definition.root, 'root', undefined)
  return found
}

/** Every id used in a definition. */
export function nodeIds(definition: WorkflowDefinition): Set<string> {
  const ids = new Set<string>()
  visitNodes(definition.root, 'root', (node) => ids.add(node.id))
  return ids
}

/**
 * A node id based on `base` that the definition does not use yet (`base`, `base-2`, …), with
 * characters a node id cannot hold replaced by `-`.
 *
 * @example
 * ```ts
 * uniqueNodeId(definition, 'notify') // 'notify-2' when 'notify' is taken
 * ```
 */
export function uniqueNodeId(
  definition: WorkflowDefinition,
  base: string,
  taken: ReadonlySet<string> = nodeIds(definition),
): string {
  let clean = base.replace(/[^A-Za-z0-9_.:/-]/g, '-').replace(/^[^A-Za-z0-9]+/, '')
  if (clean === '') clean = 'node'
  clean = clean.slice(0, 280)
  if (!taken.has(clean)) return clean
  for (let suffix = 2; ; suffix++) {
    const candidate = `${clean}-${suffix}`
    if (!taken.has(candidate)) return candidate
  }
}

/**
 * Gives a node and every node under it ids the definition does not use yet (for paste).
 *
 * @example
 * ```ts
 * insertAfter(definition, 'notify', withFreshIds(definition, copiedNode))
 * ```
 */
export function withFreshIds(definition: WorkflowDefinition, node: DefinitionNode): DefinitionNode {
  const taken = nodeIds(definition)
  const rename = (current: DefinitionNode): DefinitionNode => {
    const id = uniqueNodeId(definition, current.id, taken)
    taken.add(id)
    return mapChildren({ ...current, id } as DefinitionNode, rename)
  }
  return rename(node)
}

/**
 * Inserts `node` after the node `afterId`. In a sequence it becomes the next child; a node
 * elsewhere (the root, a parallel branch, a branch case, a loop body) is wrapped in a new
 * sequence with the inserted node after it. Refused when the result is not a valid definition.
 *
 * @example
 * ```ts
 * const result = insertAfter(definition, 'fetch-order', { type: 'step', id: 'notify', step: 'notify' })
 * if (result.ok) onChange(result.definition)
 * ```
 */
export function insertAfter(
  definition: WorkflowDefinition,
  afterId: string,
  node: DefinitionNode,
): EditResult {
  const location = findNode(definition, afterId)
  if (!location) return refused(`no node "${afterId}" to insert after`)
  const { parent } = location
  if (parent?.type === 'sequence') {
    return replaceNodeUnchecked(definition, parent.id, {
      ...parent,
      children: parent.children.flatMap((child) =>
        child.id === afterId ? [child, node] : [child],
      ),
    })
  }
  const wrapper: DefinitionNode = {
    type: 'sequence',
    // A new root is called `root`, as the builder names it.
    id: uniqueNodeId(
      definition,
      parent ? `${afterId}-then` : 'root',
      new Set([...nodeIds(definition), node.id]),
    ),
    children: [location.node, node],
  }
  return replaceNodeUnchecked(definition, afterId, wrapper)
}

/**
 * Inserts `node` into a container: at `index` (default: the end) of a sequence, as a new
 * branch of a parallel (keyed by the node id), or into the body of a foreach or loop (at
 * `index`, default after what is there). Refused for other nodes and when the result is not
 * valid.
 *
 * @example
 * ```ts
 * insertInto(definition, 'each-line-body', { type: 'step', id: 'check', step: 'check' })
 * ```
 */
export function insertInto(
  definition: WorkflowDefinition,
  containerId: string,
  node: DefinitionNode,
  index?: number,
): EditResult {
  const location = findNode(definition, containerId)
  if (!location) return refused(`no node "${containerId}" to insert into`)
  const container = location.node
  switch (container.type) {
    case 'sequence': {
      const children = [...container.children]
      children.splice(index ?? children.length, 0, node)
      return replaceNodeUnchecked(definition, containerId, { ...container, children })
    }
    case 'parallel':
      if (node.id in container.branches)
        return refused(`parallel "${containerId}" already has a branch "${node.id}"`)
      return replaceNodeUnchecked(definition, containerId, {
        ...container,
        branches: { ...container.branches, [node.id]: node },
      })
    case 'foreach':
    case 'loop':
      if (container.body.type === 'sequence')
        return insertInto(definition, container.body.id, node, index)
      if (index === 0)
        return replaceNodeUnchecked(definition, container.body.id, {
          type: 'sequence',
          id: uniqueNodeId(
            definition,
            `${containerId}-body`,
            new Set([...nodeIds(definition), node.id]),
          ),
          children: [node, container.body],
        })
      return insertAfter(definition, container.body.id, node)
    default:
      return refused(`a ${container.type} node ("${containerId}") holds no other nodes`)
  }
}

/**
 * Adds a case to a branch node: `node` runs when `when` (a function reference or an expression)
 * holds and no earlier case did. Refused for other nodes and when the result is not valid.
 *
 * @example
 * ```ts
 * addBranchCase(definition, 'route', { type: 'step', id: 'audit', step: 'audit' }, { expression: 'total > 100' })
 * ```
 */
export function addBranchCase(
  definition: WorkflowDefinition,
  branchId: string,
  node: DefinitionNode,
  when: Record<string, string>,
): EditResult {
  const location = findNode(definition, branchId)
  if (!location) return refused(`no node "${branchId}" to add a case to`)
  const branch = location.node
  if (branch.type !== 'branch')
    return refused(`"${branchId}" is a ${branch.type} node, not a branch`)
  return replaceNodeUnchecked(definition, branchId, {
    ...branch,
    cases: [...branch.cases, { when, then: node }],
  } as DefinitionNode)
}

/**
 * Deletes a node and everything under it. In a sequence the child goes; an empty parallel
 * branch or an empty branch case goes when others remain; anything else leaves an empty
 * sequence in its place. The root cannot be deleted.
 *
 * @example
 * ```ts
 * deleteNode(definition, 'notify')
 * ```
 */
export function deleteNode(definition: WorkflowDefinition, nodeId: string): EditResult {
  const location = findNode(definition, nodeId)
  if (!location) return refused(`no node "${nodeId}" to delete`)
  const { parent, node } = location
  if (!parent) {
    if (node.type === 'sequence' && node.children.length === 0)
      return refused('the root of a workflow cannot be deleted')
    return replaceNodeUnchecked(definition, nodeId, emptySequence(definition, 'root', nodeId))
  }
  const isEmpty = node.type === 'sequence' && node.children.length === 0
  if (parent.type === 'sequence')
    return replaceNodeUnchecked(definition, parent.id, {
      ...parent,
      children: parent.children.filter((child) => child.id !== nodeId),
    })
  if (parent.type === 'parallel' && isEmpty && Object.keys(parent.branches).length > 1)
    return replaceNodeUnchecked(definition, parent.id, {
      ...parent,
      branches: Object.fromEntries(
        Object.entries(parent.branches).filter(([, child]) => child.id !== nodeId),
      ),
    })
  if (parent.type === 'branch' && isEmpty && parent.cases.length > 1)
    return replaceNodeUnchecked(definition, parent.id, {
      ...parent,
      cases: parent.cases.filter((entry) => entry.then.id !== nodeId),
    })
  if (isEmpty) return refused(`"${nodeId}" is the last empty part of "${parent.id}"`)
  return replaceNodeUnchecked(definition, nodeId, emptySequence(definition, `${nodeId}-empty`))
}

/**
 * Moves a node (with everything under it) to just after another node. Refused when the target
 * is the node itself or inside it.
 *
 * @example
 * ```ts
 * moveNode(definition, 'notify', 'fetch-order') // notify now runs right after fetch-order
 * ```
 */
export function moveNode(
  definition: WorkflowDefinition,
  nodeId: string,
  afterId: string,
): EditResult {
  const location = findNode(definition, nodeId)
  if (!location) return refused(`no node "${nodeId}" to move`)
  if (nodeId === afterId) return refused(`"${nodeId}" cannot follow itself`)
  let inside = false
  visitNodes(location.node, location.path, (node) => {
    if (node.id === afterId) inside = true
  })
  if (inside) return refused(`"${nodeId}" cannot move inside itself (into "${afterId}")`)
  if (!location.parent) return refused('the root of a workflow cannot move')
  const removed = deleteNode(definition, nodeId)
  if (!removed.ok) return removed
  return insertAfter(removed.definition, afterId, location.node)
}

/**
 * Replaces a node by another (such as the same node with new settings from the properties
 * form). The new node may have a new id, as long as no other node has it.
 *
 * @example
 * ```ts
 * replaceNode(definition, 'notify', { type: 'step', id: 'notify', step: 'notify', timeoutMs: 5000 })
 * ```
 */
export function replaceNode(
  definition: WorkflowDefinition,
  nodeId: string,
  node: DefinitionNode,
): EditResult {
  if (!findNode(definition, nodeId)) return refused(`no node "${nodeId}" to change`)
  if (node.id !== nodeId && findNode(definition, node.id))
    return refused(`another node already has the id "${node.id}"`)
  return replaceNodeUnchecked(definition, nodeId, node)
}

/**
 * A definition with its `version` recomputed and checked by `parseDefinition`: the version is
 * the content hash of the definition without `version` (what the builder computes when the
 * workflow has no inline functions; an engine computes its own when it registers it).
 *
 * @example
 * ```ts
 * const result = finalizeDefinition({ ...definition, description: 'Nightly export' })
 * ```
 */
export function finalizeDefinition(definition: WorkflowDefinition): EditResult {
  const { version: _version, ...body } = definition
  try {
    const checked = parseDefinition({ ...body, version: contentHash(canonicalJson(body)) })
    return { ok: true, definition: checked }
  } catch (error) {
    return refused(describeError(error))
  }
}

function describeError(error: unknown): string {
  const issues = (error as { issues?: unknown }).issues
  if (Array.isArray(issues) && issues.length > 0)
    return (issues as { path: string; message: string }[])
      .map((issue) => `${issue.path || '(definition)'}: ${issue.message}`)
      .join('; ')
  return error instanceof Error ? error.message : String(error)
}

function refused(reason: string): EditResult {
  return { ok: false, reason }
}

function emptySequence(
  definition: WorkflowDefinition,
  base: string,
  freeId?: string,
): DefinitionNode {
  const taken = nodeIds(definition)
  if (freeId !== undefined) taken.delete(freeId)
  return { type: 'sequence', id: uniqueNodeId(definition, base, taken), children: [] }
}

function replaceNodeUnchecked(
  definition: WorkflowDefinition,
  nodeId: string,
  replacement: DefinitionNode,
): EditResult {
  const replace = (node: DefinitionNode): DefinitionNode =>
    node.id === nodeId ? replacement : mapChildren(node, replace)
  return finalizeDefinition({ ...definition, root: replace(definition.root) })
}

/** A node's direct children with their JSON paths. */
export function childrenOf(node: DefinitionNode, path: string): [DefinitionNode, string][] {
  switch (node.type) {
    case 'sequence':
      return node.children.map((child, index) => [child, `${path}.children[${index}]`])
    case 'parallel':
      return Object.entries(node.branches).map(([key, child]) => [child, `${path}.branches.${key}`])
    case 'branch':
      return node.cases.map((entry, index) => [entry.then, `${path}.cases[${index}].then`])
    case 'foreach':
    case 'loop':
      return [[node.body, `${path}.body`]]
    default:
      return []
  }
}

function mapChildren(
  node: DefinitionNode,
  map: (child: DefinitionNode) => DefinitionNode,
): DefinitionNode {
  switch (node.type) {
    case 'sequence':
      return { ...node, children: node.children.map(map) }
    case 'parallel':
      return {
        ...node,
        branches: Object.fromEntries(
          Object.entries(node.branches).map(([key, child]) => [key, map(child)]),
        ),
      }
    case 'branch':
      return { ...node, cases: node.cases.map((entry) => ({ ...entry, then: map(entry.then) })) }
    case 'foreach':
    case 'loop':
      return { ...node, body: map(node.body) }
    default:
      return node
  }
}
