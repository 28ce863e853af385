import type { DefinitionNode, WorkflowDefinition } from '@tessera/core/definition'

/** What a canvas node shows: a definition node's type, or a structural helper. */
export type GraphNodeKind =
  | DefinitionNode['type']
  /** Where the branches of a parallel, branch, foreach or loop meet again. */
  | 'join'
  /** An empty sequence (an empty body or branch, an empty workflow): a drop target. */
  | 'placeholder'

/** One node of the canvas graph. */
export interface GraphNode {
  /** The definition node's id; `<id>#end` for joins, `<id>#empty` for placeholders. */
  id: string
  kind: GraphNodeKind
  /** JSON path of the definition node it stands for, such as `root.children[2]`. */
  path: string
  /** The definition node (the empty sequence for a placeholder, the container for a join). */
  node: DefinitionNode
  /** The step, workflow, function or node id. */
  label: string
  /** A short description, such as `foreach, 4 at a time`. */
  detail: string
}

/** One edge of the canvas graph: control flows from `source` to `target`. */
export interface GraphEdge {
  id: string
  source: string
  target: string
  /** A parallel branch's key, `case 1`, `each`, `body` or `repeat`. */
  label?: string
}

/** A definition drawn as a graph: nodes in depth-first order, edges between them. */
export interface DefinitionGraph {
  nodes: GraphNode[]
  edges: GraphEdge[]
  /** The definition's root node, the graph was drawn from (absent for an empty graph). */
  root?: DefinitionNode
}

/** The id of the join node of a parallel, branch, foreach or loop. */
export const joinId = (nodeId: string): string => `${nodeId}#end`
/** The id of the placeholder of an empty sequence. */
export const placeholderId = (nodeId: string): string => `${nodeId}#empty`

/**
 * Draws a definition tree as a graph. Sequences become chains of edges (an empty one a
 * placeholder node), a parallel or branch fans out to its branches and meets again at a join,
 * a foreach or loop leads to its body and on to a join (a loop's join points back with a
 * `repeat` edge). Every other node is one canvas node. Pure: the designer and the run viewer
 * both draw with it.
 *
 * @example
 * ```ts
 * const { nodes, edges } = toDefinitionGraph(workflow.definition)
 * nodes.map((node) => node.id) // ['fetch-order', 'route', 'approve', 'route#end', …]
 * ```
 */
export function toDefinitionGraph(definition: WorkflowDefinition): DefinitionGraph {
  const nodes: GraphNode[] = []
  const edges: GraphEdge[] = []
  const connect = (sources: readonly string[], target: string, label?: string) => {
    for (const source of sources)
      edges.push({
        id: `${source}->${target}`,
        source,
        target,
        ...(label === undefined ? {} : { label }),
      })
  }
  const add = (node: DefinitionNode, path: string, id = node.id, kind: GraphNodeKind = node.type) =>
    nodes.push({ id, kind, path, node, label: labelOf(node, kind), detail: detailOf(node, kind) })

  /** Adds a node's subgraph; returns the ids control enters by and leaves by. */
  const build = (node: DefinitionNode, path: string): { entries: string[]; exits: string[] } => {
    switch (node.type) {
      case 'sequence': {
        if (node.children.length === 0) {
          const id = placeholderId(node.id)
          add(node, path, id, 'placeholder')
          return { entries: [id], exits: [id] }
        }
        let first: string[] = []
        let previous: string[] = []
        node.children.forEach((child, index) => {
          const part = build(child, `${path}.children[${index}]`)
          if (index === 0) first = part.entries
          else for (const entry of part.entries) connect(previous, entry)
          previous = part.exits
        })
        return { entries: first, exits: previous }
      }
      case 'parallel':
      case 'branch': {
        add(node, path)
        const parts =
          node.type === 'parallel'
            ? Object.entries(node.branches).map(([key, child]) => ({
                label: key,
                part: build(child, `${path}.branches.${key}`),
              }))
            : node.cases.map((entry, index) => ({
                label: `case ${index + 1}`,
                part: build(entry.then, `${path}.cases[${index}].then`),
              }))
        const end = joinId(node.id)
        add(node, path, end, 'join')
        for (const { label, part } of parts) {
          for (const entry of part.entries) connect([node.id], entry, label)
          connect(part.exits, end)
        }
        if (parts.length === 0) connect([node.id], end)
        return { entries: [node.id], exits: [end] }
      }
      case 'foreach':
      case 'loop': {
        add(node, path)
        const part = build(node.body, `${path}.body`)
        const end = joinId(node.id)
        add(node, path, end, 'join')
        for (const entry of part.entries)
          connect([node.id], entry, node.type === 'foreach' ? 'each' : 'body')
        connect(part.exits, end)
        if (node.type === 'loop') connect([end], node.id, 'repeat')
        return { entries: [node.id], exits: [end] }
      }
      default:
        add(node, path)
        return { entries: [node.id], exits: [node.id] }
    }
  }
  build(definition.root, 'root')
  return { nodes, edges, root: definition.root }
}

function labelOf(node: DefinitionNode, kind: GraphNodeKind): string {
  if (kind === 'join') return 'end'
  if (kind === 'placeholder') return 'empty'
  switch (node.type) {
    case 'step':
      return node.step
    case 'workflow':
      return node.workflow
    case 'action':
      return `${node.connector}.${node.action}`
    case 'agent':
      return node.agent
    case 'code':
      return codeLabel(node)
    default:
      return node.id
  }
}

function detailOf(node: DefinitionNode, kind: GraphNodeKind): string {
  if (kind === 'join') return `end of ${node.id}`
  if (kind === 'placeholder') return 'drop a component here'
  switch (node.type) {
    case 'step':
      return node.id === node.step ? 'step' : `step ${node.id}`
    case 'code':
      return 'code'
    case 'action':
      return node.id === `${node.connector}.${node.action}` ? 'action' : `action ${node.id}`
    case 'agent':
      return node.id === node.agent ? 'agent' : `agent ${node.id}`
    case 'workflow':
      return node.version ? `workflow @${node.version}` : 'workflow'
    case 'foreach':
      return `foreach, ${node.concurrency} at a time`
    case 'loop':
      return `loop, at most ${node.maxIterations} times`
    case 'sleep':
      return node.durationMs === undefined ? 'sleep until a time' : `sleep ${node.durationMs} ms`
    case 'event':
      return `wait for ${node.event}`
    case 'approval':
      return `approval ${node.approval}`
    default:
      return node.type
  }
}

/**
 * One problem shown on a node: its JSON path in the definition, a message and, optionally, a
 * stable code and a severity (`validateDefinition`'s issues fit as they are).
 *
 * @example
 * ```tsx
 * <WorkflowDesigner value={definition} issues={[{ path: 'root.children[1]', message: 'not deployed yet', severity: 'warning' }]} />
 * ```
 */
export interface NodeIssue {
  path: string
  message: string
  /** A stable code, such as `validateDefinition`'s `unknown_step`. */
  code?: string
  /** Default `error`; a warning is shown but does not mark the node invalid. */
  severity?: 'error' | 'warning'
}

/**
 * Sorts issues (with JSON paths such as `root.children[2].step`) onto the graph nodes they point
 * at: each goes to the node with the longest path that is a prefix of the issue's path. Issues
 * of the definition itself (`inputSchema`, `id`) go under the key `''`.
 *
 * @example
 * ```ts
 * issuesByNode(graph, [{ path: 'root.children[1].step', message: 'unknown step' }]).get('notify')
 * ```
 */
export function issuesByNode(
  graph: DefinitionGraph,
  issues: readonly NodeIssue[],
): Map<string, NodeIssue[]> {
  const result = new Map<string, NodeIssue[]>()
  // Joins share their container's path; the container owns its issues.
  const byPath = new Map<string, string>()
  for (const node of graph.nodes) if (node.kind !== 'join') byPath.set(node.path, node.id)
  for (const issue of issues) {
    // The longest prefix of the issue's path, cut at "." or "[", that is a node's path.
    let path = issue.path
    let owner = byPath.get(path)
    while (owner === undefined && path !== '') {
      const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['))
      path = cut <= 0 ? '' : path.slice(0, cut)
      owner = byPath.get(path)
    }
    const key = owner ?? ''
    result.set(key, [...(result.get(key) ?? []), issue])
  }
  return result
}

/** A code node's function id, or its expression (format versions with expressions). */
function codeLabel(node: DefinitionNode): string {
  const fields = node as { function?: string; expression?: string; id: string }
  return fields.function ?? fields.expression ?? fields.id
}
