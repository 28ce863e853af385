import {
  childNodes,
  visitNodes,
  type DefinitionNode,
  type WorkflowDefinition,
} from '@tessera/core/definition'
import type { RunInstanceState, RunNodeStatus, RunState } from './run-state'

/**
 * What the run viewer shows for one definition node.
 *
 * @example
 * ```ts
 * const view: RunNodeView | undefined = runNodeViews(definition, state).get('fetch-order')
 * view?.instances.length
 * ```
 */
export interface RunNodeView {
  nodeId: string
  status: RunNodeStatus
  /** The instances that ran for this node (a child workflow node holds its inner steps). */
  instances: RunInstanceState[]
  /** Earliest start of its instances, or of its descendants' for a container (epoch ms). */
  startedAt?: number
  /** Latest end, once the node is no longer running (epoch ms). */
  endedAt?: number
}

/**
 * The definition node an event's step id belongs to: the node itself, or for a step of a child
 * workflow (`child/inner`) the workflow node whose id is the longest prefix; `undefined` when the
 * definition has no such node.
 *
 * @example
 * ```ts
 * nodeIdOfStep('child/double', new Set(['root', 'child'])) // 'child'
 * ```
 */
export function nodeIdOfStep(stepId: string, nodeIds: ReadonlySet<string>): string | undefined {
  if (nodeIds.has(stepId)) return stepId
  let cut = stepId.lastIndexOf('/')
  while (cut > 0) {
    const prefix = stepId.slice(0, cut)
    if (nodeIds.has(prefix)) return prefix
    cut = stepId.lastIndexOf('/', cut - 1)
  }
  return undefined
}

/**
 * Every definition node's status in a run. Nodes that emit events (steps, waits, child
 * workflows) take their instances' status; containers (sequence, parallel, branch, foreach,
 * loop) combine their children's; nodes that run inside the engine without events (`code`) count
 * as succeeded once the run has gone past them; a wait (approval, event, sleep), whose events
 * come only when it ends, is `suspended` while a running run has reached it. A node never
 * reached stays `pending`.
 *
 * @example
 * ```ts
 * const views = runNodeViews(definition, runStateFromEvents(events))
 * views.get('fetch-order')?.status // 'succeeded'
 * ```
 */
export function runNodeViews(
  definition: WorkflowDefinition,
  state: RunState,
): Map<string, RunNodeView> {
  const nodeIds = new Set<string>()
  visitNodes(definition.root, 'root', (node) => nodeIds.add(node.id))
  const byNode = new Map<string, RunInstanceState[]>()
  for (const instance of Object.values(state.instances)) {
    const nodeId = nodeIdOfStep(instance.stepId, nodeIds)
    if (nodeId === undefined) continue
    const list = byNode.get(nodeId)
    if (list) list.push(instance)
    else byNode.set(nodeId, [instance])
  }
  const views = new Map<string, RunNodeView>()
  const active = new Map<string, boolean>()
  const hasActivity = (node: DefinitionNode): boolean => {
    const known = active.get(node.id)
    if (known !== undefined) return known
    const value = byNode.has(node.id) || childNodes(node).some(hasActivity)
    active.set(node.id, value)
    return value
  }
  const derive = (node: DefinitionNode, done: boolean): RunNodeView => {
    const instances = byNode.get(node.id) ?? []
    let status: RunNodeStatus
    let children: RunNodeView[] = []
    switch (node.type) {
      case 'sequence': {
        let last = -1
        node.children.forEach((child, index) => {
          if (hasActivity(child)) last = index
        })
        children = node.children.map((child, index) => derive(child, done || index < last))
        // A wait node (approval, event, sleep) emits its events only when the wait ends: the
        // one right after the last finished child of a running run is the one it waits at.
        const next = node.children[last + 1]
        const reached =
          last >= 0 ? children[last]!.status === 'succeeded' : node === definition.root
        if (!done && state.status === 'running' && reached && next && waitKinds.has(next.type)) {
          const view = views.get(next.id)!
          if (view.status === 'pending') {
            view.status = 'suspended'
            children[last + 1] = view
          }
        }
        status = combine(children, done)
        break
      }
      case 'branch': {
        const taken = node.cases.filter((entry) => hasActivity(entry.then))
        for (const entry of node.cases)
          if (!taken.includes(entry)) children.push(derive(entry.then, false))
        const takenViews = taken.map((entry) => derive(entry.then, done))
        children.push(...takenViews)
        status =
          takenViews.length === 0 ? (done ? 'succeeded' : 'pending') : combine(takenViews, done)
        break
      }
      case 'parallel':
      case 'foreach':
      case 'loop':
        children = childNodes(node).map((child) => derive(child, done))
        status = combine(children, done)
        break
      default:
        status = instances.length > 0 ? combineInstances(instances) : done ? 'succeeded' : 'pending'
    }
    const times = [...instances, ...children]
    const starts = times.flatMap((item) => (item.startedAt === undefined ? [] : [item.startedAt]))
    const ends = times.flatMap((item) => (item.endedAt === undefined ? [] : [item.endedAt]))
    const view: RunNodeView = { nodeId: node.id, status, instances }
    if (starts.length > 0) view.startedAt = Math.min(...starts)
    if (ends.length > 0 && status !== 'running' && status !== 'pending')
      view.endedAt = Math.max(...ends)
    views.set(node.id, view)
    return view
  }
  derive(definition.root, state.status === 'succeeded')
  return views
}

const waitKinds = new Set<DefinitionNode['type']>(['approval', 'event', 'sleep'])

function combineInstances(instances: RunInstanceState[]): RunNodeStatus {
  const statuses = new Set(instances.map((instance) => instance.status))
  if (statuses.has('failed')) return 'failed'
  if (statuses.has('running')) return 'running'
  if (statuses.has('suspended')) return 'suspended'
  if (statuses.has('pending')) return 'pending'
  return 'succeeded'
}

function combine(children: RunNodeView[], done: boolean): RunNodeStatus {
  const statuses = new Set(children.map((child) => child.status))
  if (statuses.has('failed')) return 'failed'
  if (statuses.has('running')) return 'running'
  if (statuses.has('suspended')) return 'suspended'
  if (done || (statuses.size === 1 && statuses.has('succeeded'))) return 'succeeded'
  return statuses.has('succeeded') ? 'running' : 'pending'
}
