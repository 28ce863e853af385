import type { DefinitionNode, WorkflowDefinition } from '@tessera/core/definition'

/** One node of a definition as the outline shows it. */
export interface OutlineItem {
  /** Unique in the tree: the node's JSON path in the definition, such as `root.children[1]`. */
  key: string
  /** The definition node itself. */
  node: DefinitionNode
  /** What the node is called: the step, workflow or node id. */
  label: string
  /** A short description: the node type and its settings, such as `foreach, 8 at a time`. */
  detail: string
  /** How the parent reaches this node: a parallel branch's key or a branch case, if any. */
  edge: string | undefined
  /** 1 for the root. */
  level: number
  children: OutlineItem[]
}

/**
 * Turns a workflow definition (or one of its nodes) into the tree of items the outline
 * renders: every node of every kind, with a label, a one-line detail and, under a `parallel`
 * or `branch`, the edge that leads to it. Pure, so custom renderers can use it too.
 *
 * @example
 * ```ts
 * const [root] = toOutlineTree(workflow.definition)
 * root.children.map((item) => `${item.label} (${item.detail})`) // ['fetch-order (step)', …]
 * ```
 */
export function toOutlineTree(source: WorkflowDefinition | DefinitionNode): OutlineItem[] {
  const root = 'root' in source ? source.root : source
  return [toItem(root, 'root', 1, undefined)]
}

function toItem(
  node: DefinitionNode,
  key: string,
  level: number,
  edge: string | undefined,
): OutlineItem {
  const item = (label: string, detail: string, children: OutlineItem[] = []): OutlineItem => ({
    key,
    node,
    label,
    detail,
    edge,
    level,
    children,
  })
  switch (node.type) {
    case 'step': {
      const settings = [
        node.retry ? `${node.retry.attempts} attempts` : undefined,
        node.timeoutMs !== undefined ? `timeout ${formatMs(node.timeoutMs)}` : undefined,
      ].filter((part) => part !== undefined)
      return item(node.step, ['step', ...settings].join(', '))
    }
    case 'action': {
      const settings = [
        node.retry ? `${node.retry.attempts} attempts` : undefined,
        node.timeoutMs !== undefined ? `timeout ${formatMs(node.timeoutMs)}` : undefined,
      ].filter((part) => part !== undefined)
      return item(`${node.connector}.${node.action}`, ['action', ...settings].join(', '))
    }
    case 'agent': {
      const settings = [
        node.retry ? `${node.retry.attempts} attempts` : undefined,
        node.timeoutMs !== undefined ? `timeout ${formatMs(node.timeoutMs)}` : undefined,
      ].filter((part) => part !== undefined)
      return item(node.agent, ['agent', ...settings].join(', '))
    }
    case 'code':
      return item(node.id, 'code')
    case 'sleep':
      return item(
        node.id,
        node.durationMs !== undefined ? `sleep ${formatMs(node.durationMs)}` : 'sleep until a time',
      )
    case 'event':
      return item(
        node.event,
        [
          'wait for event',
          node.timeoutMs !== undefined ? `timeout ${formatMs(node.timeoutMs)}` : undefined,
        ]
          .filter((part) => part !== undefined)
          .join(', '),
      )
    case 'approval':
      return item(
        node.approval,
        [
          'approval',
          node.timeoutMs !== undefined ? `timeout ${formatMs(node.timeoutMs)}` : undefined,
        ]
          .filter((part) => part !== undefined)
          .join(', '),
      )
    case 'workflow':
      // Versions are often 27-character content hashes: show a recognisable prefix.
      return item(
        node.workflow,
        node.version === undefined
          ? 'workflow'
          : `workflow, version ${node.version.length > 12 ? `${node.version.slice(0, 8)}…` : node.version}`,
      )
    case 'sequence':
      return item(
        node.id,
        `sequence of ${node.children.length}`,
        node.children.map((child, index) =>
          toItem(child, `${key}.children[${index}]`, level + 1, undefined),
        ),
      )
    case 'parallel': {
      const entries = Object.entries(node.branches)
      return item(
        node.id,
        `parallel, ${entries.length} ${entries.length === 1 ? 'branch' : 'branches'}`,
        entries.map(([name, child]) => toItem(child, `${key}.branches.${name}`, level + 1, name)),
      )
    }
    case 'branch':
      return item(
        node.id,
        `branch, ${node.cases.length} ${node.cases.length === 1 ? 'case' : 'cases'}`,
        node.cases.map((entry, index) =>
          toItem(entry.then, `${key}.cases[${index}].then`, level + 1, `case ${index + 1}`),
        ),
      )
    case 'foreach':
      return item(
        node.id,
        node.concurrency === 1 ? 'foreach, in order' : `foreach, ${node.concurrency} at a time`,
        [toItem(node.body, `${key}.body`, level + 1, undefined)],
      )
    case 'loop':
      return item(node.id, `loop, at most ${node.maxIterations} times`, [
        toItem(node.body, `${key}.body`, level + 1, undefined),
      ])
  }
}

/** The largest unit that divides the duration exactly: `2h`, `90s`, `1500ms`. */
function formatMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}
