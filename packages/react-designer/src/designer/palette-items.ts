import {
  definitionNodeSchema,
  type DefinitionNode,
  type WorkflowDefinition,
} from '@tessera/core/definition'
import type { DesignerRegistry, JsonSchemaObject } from './designer-registry'
import { nodeIds, uniqueNodeId } from './definition-edits'

/** The palette's categories, in the order it shows them. */
export const paletteCategories = [
  'Steps',
  'Workflows',
  'Agents',
  'Connectors',
  'Functions',
  'Control',
] as const
/** A palette category. */
export type PaletteCategory = (typeof paletteCategories)[number]

/** The control nodes the palette offers. */
export type ControlKind =
  'parallel' | 'branch' | 'foreach' | 'loop' | 'sleep' | 'event' | 'approval' | 'subworkflow'

/** What a palette item creates. */
export type PaletteTemplate =
  | { kind: 'step'; step: string }
  | { kind: 'workflow'; workflow: string; version: string }
  | { kind: 'code'; function: string }
  | { kind: 'agent'; agent: string }
  | { kind: 'action'; connector: string; action: string }
  | { kind: 'control'; control: ControlKind }

/** One component of the palette. */
export interface PaletteItem {
  /**
   * Unique in the palette: `step:<id>`, `workflow:<id>`, `agent:<id>`, `action:<connector>.<action>`,
   * `code:<id>`, `control:<kind>`.
   */
  key: string
  category: PaletteCategory
  label: string
  description?: string
  template: PaletteTemplate
  /** JSON Schema of what it takes, when the registry says. */
  input?: JsonSchemaObject
  /** JSON Schema of what it gives, when the registry says. */
  output?: JsonSchemaObject
}

const controls: { control: ControlKind; label: string; description: string }[] = [
  { control: 'parallel', label: 'Parallel', description: 'Run branches at the same time' },
  { control: 'branch', label: 'Branch', description: 'Run the first case whose condition holds' },
  { control: 'foreach', label: 'For each', description: 'Run a body for every item of a list' },
  { control: 'loop', label: 'Loop', description: 'Repeat a body until a condition holds' },
  { control: 'sleep', label: 'Sleep', description: 'Wait for a duration (durable timer)' },
  { control: 'event', label: 'Wait for event', description: 'Wait for a named event' },
  { control: 'approval', label: 'Approval', description: 'Wait for an approval decision' },
  { control: 'subworkflow', label: 'Subworkflow', description: 'Run a registered workflow' },
]

/**
 * The palette of a registry: its steps, workflows (latest version listed once per id), agents, each
 * connector's actions (category `Connectors`, labelled `<connector name> · <action>`) and
 * functions (as code nodes), then the control nodes.
 *
 * @example
 * ```ts
 * paletteItems(engine.registry.describe()).map((item) => item.key) // ['step:fetch-order', …, 'control:parallel', …]
 * ```
 */
export function paletteItems(registry: DesignerRegistry): PaletteItem[] {
  const items: PaletteItem[] = []
  for (const step of registry.steps)
    items.push({
      key: `step:${step.id}`,
      category: 'Steps',
      label: step.id,
      ...(step.description === undefined ? {} : { description: step.description }),
      template: { kind: 'step', step: step.id },
      input: step.input,
      output: step.output,
    })
  const workflows = new Map<string, DesignerRegistry['workflows'][number]>()
  for (const workflow of registry.workflows) workflows.set(workflow.id, workflow)
  for (const workflow of workflows.values())
    items.push({
      key: `workflow:${workflow.id}`,
      category: 'Workflows',
      label: workflow.id,
      ...(workflow.description === undefined ? {} : { description: workflow.description }),
      template: { kind: 'workflow', workflow: workflow.id, version: workflow.version },
      input: workflow.input,
      ...(workflow.output === undefined ? {} : { output: workflow.output }),
    })
  for (const agent of registry.agents ?? [])
    items.push({
      key: `agent:${agent.id}`,
      category: 'Agents',
      label: agent.id,
      ...(agent.description === undefined ? {} : { description: agent.description }),
      template: { kind: 'agent', agent: agent.id },
      input: agent.input,
      output: agent.output,
    })
  for (const connector of registry.connectors ?? [])
    for (const action of connector.actions)
      items.push({
        key: `action:${connector.id}.${action.name}`,
        category: 'Connectors',
        label: `${connector.name} · ${action.name}`,
        ...((action.description ?? connector.description)
          ? { description: action.description ?? connector.description }
          : {}),
        template: { kind: 'action', connector: connector.id, action: action.name },
        input: action.input,
        output: action.output,
      })
  for (const id of registry.functions)
    items.push({
      key: `code:${id}`,
      category: 'Functions',
      label: id,
      description: 'A registered inline function',
      template: { kind: 'code', function: id },
    })
  for (const control of controls)
    items.push({
      key: `control:${control.control}`,
      category: 'Control',
      label: control.label,
      description: control.description,
      template: { kind: 'control', control: control.control },
    })
  return items
}

/**
 * The items whose label, description or category contains every word of `query` (any case).
 *
 * @example
 * ```ts
 * filterPalette(items, 'order') // the items about orders
 * ```
 */
export function filterPalette(items: readonly PaletteItem[], query: string): PaletteItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return [...items]
  return items.filter((item) => {
    const text = `${item.label} ${item.description ?? ''} ${item.category}`.toLowerCase()
    return words.every((word) => text.includes(word))
  })
}

/**
 * A new definition node for a palette item, with an id the definition does not use yet, or
 * the reason none can be made (a branch or loop needs a condition; a subworkflow a registered
 * workflow). Containers start with empty bodies and branches.
 *
 * @example
 * ```ts
 * const node = createNode(item, definition, registry)
 * if (typeof node !== 'string') insertAfter(definition, selectedId, node)
 * ```
 */
export function createNode(
  item: PaletteItem,
  definition: WorkflowDefinition,
  registry: DesignerRegistry,
): DefinitionNode | string {
  const taken = nodeIds(definition)
  const fresh = (base: string) => {
    const id = uniqueNodeId(definition, base, taken)
    taken.add(id)
    return id
  }
  const empty = (base: string) => ({ type: 'sequence', id: fresh(base), children: [] })
  const { template } = item
  switch (template.kind) {
    case 'step':
      return { type: 'step', id: fresh(template.step), step: template.step }
    case 'workflow':
      return {
        type: 'workflow',
        id: fresh(template.workflow),
        workflow: template.workflow,
        version: template.version,
      }
    case 'code':
      return { type: 'code', id: fresh(template.function), function: template.function }
    case 'agent':
      return { type: 'agent', id: fresh(template.agent), agent: template.agent }
    case 'action':
      // No config yet: validation reports what the connector's config needs until the form sets it.
      return {
        type: 'action',
        id: fresh(`${template.connector}.${template.action}`),
        connector: template.connector,
        action: template.action,
      }
    case 'control':
      break
  }
  const control = template.control
  switch (control) {
    case 'parallel': {
      const id = fresh('parallel')
      return firstValid([
        { type: 'parallel', id, branches: { a: empty(`${id}-a`), b: empty(`${id}-b`) } },
      ])
    }
    case 'branch': {
      const id = fresh('branch')
      const then = empty(`${id}-case-1`)
      return firstValid(
        conditions(registry, 'true').map((when) => ({
          type: 'branch',
          id,
          cases: [{ when, then }],
        })),
        'a branch needs a condition: register a function (or use a format with expressions)',
      )
    }
    case 'foreach': {
      const id = fresh('foreach')
      return firstValid([{ type: 'foreach', id, concurrency: 1, body: empty(`${id}-body`) }])
    }
    case 'loop': {
      const id = fresh('loop')
      const body = empty(`${id}-body`)
      return firstValid(
        conditions(registry, 'true').map((until) => ({
          type: 'loop',
          id,
          maxIterations: 10,
          until,
          body,
        })),
        'a loop needs a condition: register a function (or use a format with expressions)',
      )
    }
    case 'sleep':
      return firstValid([{ type: 'sleep', id: fresh('sleep'), durationMs: 1000 }])
    case 'event': {
      const id = fresh('wait-for-event')
      return firstValid([{ type: 'event', id, event: 'event-name' }])
    }
    case 'approval': {
      const id = fresh('approval')
      return firstValid([{ type: 'approval', id, approval: id }])
    }
    case 'subworkflow': {
      const workflow = registry.workflows[0]
      if (!workflow) return 'a subworkflow needs a registered workflow; the registry has none'
      return {
        type: 'workflow',
        id: fresh(workflow.id),
        workflow: workflow.id,
        version: workflow.version,
      }
    }
  }
}

/**
 * Conditions a new branch case or loop can start with, in order of preference: an expression,
 * then the first registered function (for format versions without expressions).
 *
 * @example
 * ```ts
 * conditions(registry, 'true') // [{ expression: 'true' }, { function: 'order-review/is-big' }]
 * ```
 */
export function conditions(
  registry: DesignerRegistry,
  expression: string,
): Record<string, string>[] {
  return [{ expression }, ...registry.functions.slice(0, 1).map((id) => ({ function: id }))]
}

function firstValid(candidates: object[], reason?: string): DefinitionNode | string {
  let last = reason ?? 'no valid node'
  for (const candidate of candidates) {
    const result = definitionNodeSchema.safeParse(candidate)
    if (result.success) return result.data
    last = reason ?? result.error.issues.map((issue) => issue.message).join('; ')
  }
  return last
}
