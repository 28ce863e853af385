import type { Step } from '../builder/step'
import type { InlineFunction, Workflow } from '../builder/workflow'
import type { Callable, DefinitionNode } from '../definition/schema'
import { DefinitionError, type DefinitionIssue } from '../errors/definition-error'
import type { Registry } from '../registry/registry'
import type { ConnectorV1 } from '../ports/connector-v1'
import { jsonPath } from '../definition/parse-definition'
import { agentNodeStep } from './agent-node-step'
import { connectorActionStep } from './connector-action-step'
import { findSecretRefs, type SecretLookup, type SecretRefLocation } from './secret-refs'
import { expressionFunction } from './expression-function'
import { noRetry, type RetryPolicy } from './retry-policy'
import { waitStep, type WaitPlan } from './wait-steps'

interface PlanNodeBase {
  /** Position in `ExecutionPlan.nodes`. */
  index: number
  /** Unique within the plan; nodes of child workflows are prefixed with the workflow node's id. */
  id: string
  /** Index of the parent node, -1 for the root. */
  parent: number
  /** Position among the parent's children. */
  slot: number
  /** The workflow whose definition holds this node (a child workflow for expanded nodes). */
  workflowId: string
}

/** A node of a compiled execution plan. */
export type PlanNode =
  | (PlanNodeBase & {
      kind: 'step'
      step: Step
      retry: RetryPolicy
      timeoutMs: number | undefined
      /** Sleep, event and approval nodes: what the task waits for. */
      wait?: WaitPlan
    })
  | (PlanNodeBase & { kind: 'code'; fn: InlineFunction })
  | (PlanNodeBase & { kind: 'sequence'; children: number[] })
  | (PlanNodeBase & { kind: 'parallel'; children: number[]; keys: string[] })
  | (PlanNodeBase & { kind: 'branch'; children: number[]; conditions: InlineFunction[] })
  | (PlanNodeBase & { kind: 'foreach'; child: number; concurrency: number })
  | (PlanNodeBase & { kind: 'loop'; child: number; until: InlineFunction; maxIterations: number })
  | (PlanNodeBase & { kind: 'workflow'; child: number; workflow: Workflow })

/** What the engine executes: a workflow's definition with every reference resolved. */
export interface ExecutionPlan {
  workflow: Workflow
  nodes: PlanNode[]
  byId: Map<string, PlanNode>
  /** Every action node (child workflows' included), for preflight checks. */
  actions: PlannedAction[]
  /** The distinct secret names the actions refer to. */
  secretNames: string[]
}

/** An action node of a plan: its connector, parsed config and the secret references in it. */
export interface PlannedAction {
  nodeId: string
  connector: ConnectorV1
  action: string
  /** The parsed config, secret references unresolved. */
  config: unknown
  secrets: SecretRefLocation[]
}

/** Engine-wide fallbacks for steps that set nothing. */
export interface PlanDefaults {
  retry?: RetryPolicy
  timeoutMs?: number
}

/**
 * Compiles a workflow into an execution plan, resolving steps, inline functions and child
 * workflows through the registry. Every unresolved reference is reported, with its JSON path,
 * in one {@link DefinitionError}.
 */
export function compilePlan(
  workflow: Workflow,
  registry: Registry,
  engineDefaults: PlanDefaults = {},
  secrets?: SecretLookup,
): ExecutionPlan {
  const nodes: PlanNode[] = []
  const actions: PlannedAction[] = []
  const byId = new Map<string, PlanNode>()
  const issues: DefinitionIssue[] = []

  const add = <T extends PlanNode>(node: T): T => {
    nodes.push(node)
    byId.set(node.id, node)
    return node
  }

  const visit = (
    definition: DefinitionNode,
    path: string,
    parent: number,
    slot: number,
    owner: Workflow,
    prefix: string,
    stack: string[],
  ): number => {
    const base = {
      index: nodes.length,
      id: prefix + definition.id,
      parent,
      slot,
      workflowId: owner.id,
    }
    const defaults = owner.definition.defaults
    switch (definition.type) {
      case 'step': {
        const step = registry.steps.get(definition.step)
        if (!step) {
          issues.push({ path: `${path}.step`, message: `unknown step "${definition.step}"` })
          return add({ ...base, kind: 'code', fn: () => undefined }).index
        }
        return add({
          ...base,
          kind: 'step',
          step,
          retry:
            definition.retry ?? step.retry ?? defaults?.retry ?? engineDefaults.retry ?? noRetry,
          timeoutMs:
            definition.timeoutMs ??
            step.timeoutMs ??
            defaults?.timeoutMs ??
            engineDefaults.timeoutMs,
        }).index
      }
      case 'action': {
        const step = actionStep(definition, path, base.id)
        if (!step) return add({ ...base, kind: 'code', fn: () => undefined }).index
        return add({
          ...base,
          kind: 'step',
          step,
          retry: definition.retry ?? defaults?.retry ?? engineDefaults.retry ?? noRetry,
          timeoutMs: definition.timeoutMs ?? defaults?.timeoutMs ?? engineDefaults.timeoutMs,
        }).index
      }
      case 'agent': {
        const agent = registry.agents.get(definition.agent)
        if (!agent) {
          issues.push({ path: `${path}.agent`, message: `unknown agent "${definition.agent}"` })
          return add({ ...base, kind: 'code', fn: () => undefined }).index
        }
        return add({
          ...base,
          kind: 'step',
          step: agentNodeStep(base.id, agent),
          retry: definition.retry ?? defaults?.retry ?? engineDefaults.retry ?? noRetry,
          timeoutMs: definition.timeoutMs ?? defaults?.timeoutMs ?? engineDefaults.timeoutMs,
        }).index
      }
      case 'code':
        return add({
          ...base,
          kind: 'code',
          fn:
            definition.expression !== undefined
              ? expressionFunction(definition.expression)
              : resolveFunction(definition.function ?? '', `${path}.function`, owner),
        }).index
      case 'sequence': {
        const node = add({ ...base, kind: 'sequence', children: [] as number[] })
        definition.children.forEach((child, index) => {
          node.children.push(
            visit(child, `${path}.children[${index}]`, node.index, index, owner, prefix, stack),
          )
        })
        return node.index
      }
      case 'parallel': {
        const node = add({
          ...base,
          kind: 'parallel',
          children: [] as number[],
          keys: [] as string[],
        })
        Object.entries(definition.branches).forEach(([key, child], index) => {
          node.keys.push(key)
          node.children.push(
            visit(child, `${path}.branches.${key}`, node.index, index, owner, prefix, stack),
          )
        })
        return node.index
      }
      case 'branch': {
        const node = add({
          ...base,
          kind: 'branch',
          children: [] as number[],
          conditions: [] as InlineFunction[],
        })
        definition.cases.forEach((entry, index) => {
          node.conditions.push(resolveCallable(entry.when, `${path}.cases[${index}].when`, owner))
          node.children.push(
            visit(
              entry.then,
              `${path}.cases[${index}].then`,
              node.index,
              index,
              owner,
              prefix,
              stack,
            ),
          )
        })
        return node.index
      }
      case 'foreach': {
        const node = add({
          ...base,
          kind: 'foreach',
          child: -1,
          concurrency: definition.concurrency,
        })
        node.child = visit(definition.body, `${path}.body`, node.index, 0, owner, prefix, stack)
        return node.index
      }
      case 'loop': {
        const until = resolveCallable(definition.until, `${path}.until`, owner)
        const node = add({
          ...base,
          kind: 'loop',
          child: -1,
          until,
          maxIterations: definition.maxIterations,
        })
        node.child = visit(definition.body, `${path}.body`, node.index, 0, owner, prefix, stack)
        return node.index
      }
      case 'sleep':
      case 'event':
      case 'approval': {
        const wait: WaitPlan = { kind: definition.type }
        if (definition.type === 'sleep') {
          if (definition.durationMs !== undefined) wait.durationMs = definition.durationMs
          if (definition.until)
            wait.until = resolveCallable(definition.until, `${path}.until`, owner)
        } else {
          wait.name = definition.type === 'event' ? definition.event : definition.approval
          if (definition.timeoutMs !== undefined) wait.timeoutMs = definition.timeoutMs
          const schema = owner.schemas.get(definition.id)
          if (schema) wait.schema = schema
          if (definition.type === 'event' && definition.match)
            wait.match = resolveCallable(definition.match, `${path}.match`, owner)
        }
        return add({
          ...base,
          kind: 'step',
          step: waitStep(base.id, wait),
          retry: noRetry,
          timeoutMs: undefined,
          wait,
        }).index
      }
      case 'workflow': {
        const child = definition.version
          ? registry.workflowVersion(definition.workflow, definition.version)
          : registry.workflows.get(definition.workflow)
        if (!child) {
          issues.push({
            path: `${path}.workflow`,
            message: `unknown workflow "${definition.workflow}"${definition.version ? ` at version ${definition.version}` : ''}`,
          })
          return add({ ...base, kind: 'code', fn: () => undefined }).index
        }
        if (stack.includes(child.id)) {
          issues.push({
            path,
            message: `workflow "${child.id}" contains itself (${[...stack, child.id].join(' → ')})`,
          })
          return add({ ...base, kind: 'code', fn: () => undefined }).index
        }
        const node = add({ ...base, kind: 'workflow', child: -1, workflow: child })
        node.child = visit(
          child.definition.root,
          `${path}<${child.id}>.root`,
          node.index,
          0,
          child,
          `${base.id}/`,
          [...stack, child.id],
        )
        return node.index
      }
    }
  }

  // The connector's action with the node's config parsed by the connector's config schema.
  const actionStep = (
    definition: Extract<DefinitionNode, { type: 'action' }>,
    path: string,
    nodeId: string,
  ): Step | undefined => {
    const connector = registry.connectors.get(definition.connector)
    if (!connector) {
      issues.push({
        path: `${path}.connector`,
        message: `unknown connector "${definition.connector}"`,
      })
      return undefined
    }
    if (!Object.hasOwn(connector.actions, definition.action)) {
      issues.push({
        path: `${path}.action`,
        message: `connector "${connector.id}" has no action "${definition.action}" (known: ${Object.keys(connector.actions).join(', ')})`,
      })
      return undefined
    }
    const config = connector.config.safeParse(definition.config ?? {})
    if (!config.success) {
      for (const issue of config.error.issues)
        issues.push({
          path: jsonPath([...`${path}.config`.split('.'), ...issue.path]),
          message: `config of connector "${connector.id}": ${issue.message}`,
        })
      return undefined
    }
    const refs = findSecretRefs(config.data)
    actions.push({
      nodeId,
      connector,
      action: definition.action,
      config: config.data,
      secrets: refs,
    })
    return connectorActionStep(nodeId, connector, definition.action, config.data, refs, secrets)
  }

  const resolveFunction = (id: string, path: string, owner: Workflow): InlineFunction => {
    // The workflow's own functions first: the registry holds the latest registered version's
    // functions under the same ids, and a run is pinned to the version it started with.
    const fn = owner.functions.get(id) ?? registry.functions.get(id)
    if (fn) return fn
    issues.push({ path, message: `unknown function "${id}"` })
    return () => undefined
  }

  // A registered function, or the expression that stands in its place.
  const resolveCallable = (callable: Callable, path: string, owner: Workflow): InlineFunction =>
    'expression' in callable
      ? expressionFunction(callable.expression)
      : resolveFunction(callable.function, `${path}.function`, owner)

  visit(workflow.definition.root, 'root', -1, 0, workflow, '', [workflow.id])
  if (issues.length > 0) throw new DefinitionError({ workflowId: workflow.id, issues })
  const secretNames = [
    ...new Set(actions.flatMap((action) => action.secrets.map((ref) => ref.name))),
  ]
  return { workflow, nodes, byId, actions, secretNames }
}
