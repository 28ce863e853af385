import type { DefinitionNode } from '@tessera/core/definition'
import type { GraphNode } from './definition-graph'
import type { DesignerRegistry, JsonSchemaObject } from './designer-registry'
import { schemaMismatch } from './schema-compatibility'

/**
 * The JSON Schemas a node takes and gives, from the registry: a step's, a subworkflow's, an
 * agent's or a connector action's input and output; nothing for other nodes.
 *
 * @example
 * ```ts
 * componentSchemas({ type: 'step', id: 'notify', step: 'notify' }, registry).input
 * ```
 */
export function componentSchemas(
  node: DefinitionNode,
  registry: DesignerRegistry,
): { input?: JsonSchemaObject; output?: JsonSchemaObject } {
  if (node.type === 'step') {
    const step = registry.steps.find((entry) => entry.id === node.step)
    return step ? { input: step.input, output: step.output } : {}
  }
  if (node.type === 'agent') {
    const agent = registry.agents?.find((entry) => entry.id === node.agent)
    return agent ? { input: agent.input, output: agent.output } : {}
  }
  if (node.type === 'action') {
    const action = registry.connectors
      ?.find((entry) => entry.id === node.connector)
      ?.actions.find((entry) => entry.name === node.action)
    return action ? { input: action.input, output: action.output } : {}
  }
  if (node.type === 'workflow') {
    const workflow = registry.workflows.find((entry) => entry.id === node.workflow)
    return workflow
      ? { input: workflow.input, ...(workflow.output ? { output: workflow.output } : {}) }
      : {}
  }
  return {}
}

/**
 * Why `next` cannot run right after the canvas node `previous` (its output does not fit the
 * next node's input), or `undefined` when it can or the schemas do not say.
 *
 * @example
 * ```ts
 * followMismatch(graphNode, newNode, registry) // '"approve" cannot follow "notify": expected …'
 * ```
 */
export function followMismatch(
  previous: GraphNode | undefined,
  next: DefinitionNode,
  registry: DesignerRegistry,
): string | undefined {
  if (!previous || previous.kind === 'join' || previous.kind === 'placeholder') return undefined
  const problem = schemaMismatch(
    componentSchemas(previous.node, registry).output,
    componentSchemas(next, registry).input,
  )
  return problem && `"${next.id}" cannot follow "${previous.node.id}": ${problem}`
}
