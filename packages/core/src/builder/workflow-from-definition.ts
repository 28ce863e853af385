import type { AgentV1 } from '../ports/agent-v1'
import type { ConnectorV1 } from '../ports/connector-v1'
import { z } from 'zod'
import { parseDefinition, visitNodes } from '../definition/parse-definition'
import type { Callable, WorkflowDefinition } from '../definition/schema'
import { DefinitionError, type DefinitionIssue } from '../errors/definition-error'
import type { Registry } from '../registry/registry'
import type { Step } from './step'
import type { InlineFunction, Workflow } from './workflow'
import { workflowVersion } from './workflow-version'

/**
 * Turns a JSON workflow definition (from the designer, an HTTP API or a database) into a
 * `Workflow` the engine can run: steps, inline functions and child workflows are resolved from
 * the registry, and the input and output JSON Schemas become zod schemas. Every problem is
 * reported at once in a {@link DefinitionError} with JSON paths. The version is recomputed from
 * the content, so an exported builder workflow registered again keeps its version.
 *
 * @example
 * ```ts
 * const workflow = workflowFromDefinition(JSON.parse(text), { registry: engine.registry })
 * await engine.start(workflow, { orderId: 'A1' })
 * ```
 */
export function workflowFromDefinition(value: unknown, options: { registry: Registry }): Workflow {
  const definition = parseDefinition(value)
  const { registry } = options
  const issues: DefinitionIssue[] = []
  const steps = new Map<string, Step>()
  const functions = new Map<string, InlineFunction>()
  const workflows = new Map<string, Workflow>()
  const schemas = new Map<string, z.ZodType>()
  const connectors = new Map<string, ConnectorV1>()
  const agents = new Map<string, AgentV1>()
  const useFunction = (id: string, path: string) => {
    const fn = registry.functions.get(id)
    if (fn) functions.set(id, fn)
    else
      issues.push({
        path,
        message: `unknown function "${id}": register it with definePlugin({ functions })`,
      })
  }
  const useCallable = (callable: Callable, path: string) => {
    if ('function' in callable) useFunction(callable.function, `${path}.function`)
  }
  visitNodes(definition.root, 'root', (node, path) => {
    switch (node.type) {
      case 'step': {
        const step = registry.steps.get(node.step)
        if (step) steps.set(step.id, step)
        else issues.push({ path: `${path}.step`, message: `unknown step "${node.step}"` })
        break
      }
      case 'code':
        if (node.function !== undefined) useFunction(node.function, `${path}.function`)
        break
      case 'branch':
        node.cases.forEach((entry, index) =>
          useCallable(entry.when, `${path}.cases[${index}].when`),
        )
        break
      case 'loop':
        useCallable(node.until, `${path}.until`)
        break
      case 'sleep':
        if (node.until) useCallable(node.until, `${path}.until`)
        break
      case 'event':
      case 'approval': {
        if (node.type === 'event' && node.match) useCallable(node.match, `${path}.match`)
        const schema = node.schema ? schemaFrom(node.schema, `${path}.schema`, issues) : undefined
        if (schema) schemas.set(node.id, schema)
        break
      }
      case 'action': {
        const connector = registry.connectors.get(node.connector)
        if (connector) connectors.set(connector.id, connector)
        else
          issues.push({
            path: `${path}.connector`,
            message: `unknown connector "${node.connector}"`,
          })
        break
      }
      case 'agent': {
        const agent = registry.agents.get(node.agent)
        if (agent) agents.set(agent.id, agent)
        else issues.push({ path: `${path}.agent`, message: `unknown agent "${node.agent}"` })
        break
      }
      case 'workflow': {
        const child = node.version
          ? registry.workflowVersion(node.workflow, node.version)
          : registry.workflows.get(node.workflow)
        if (!child) {
          issues.push({
            path: `${path}.workflow`,
            message: `unknown workflow "${node.workflow}"${node.version ? ` at version ${node.version}` : ''}`,
          })
          break
        }
        workflows.set(child.id, child)
        for (const [id, nested] of child.workflows) workflows.set(id, nested)
        for (const [id, step] of child.steps) steps.set(id, step)
        break
      }
      default:
        break
    }
  })
  const inputSchema = schemaFrom(definition.inputSchema, 'inputSchema', issues)
  const outputSchema = definition.outputSchema
    ? schemaFrom(definition.outputSchema, 'outputSchema', issues)
    : undefined
  if (issues.length > 0) throw new DefinitionError({ workflowId: definition.id, issues })
  const { version: _ignored, ...body } = definition
  const version = workflowVersion(body, functions)
  return Object.freeze({
    kind: 'workflow' as const,
    id: definition.id,
    description: definition.description,
    version,
    inputSchema: inputSchema!,
    outputSchema,
    definition: { ...body, version } as WorkflowDefinition,
    functions,
    schemas,
    steps,
    workflows,
    ...(connectors.size > 0 ? { connectors } : {}),
    ...(agents.size > 0 ? { agents } : {}),
  })
}

function schemaFrom(
  jsonSchema: Record<string, unknown>,
  path: string,
  issues: DefinitionIssue[],
): z.ZodType | undefined {
  try {
    return z.fromJSONSchema(jsonSchema as Parameters<typeof z.fromJSONSchema>[0])
  } catch (error) {
    issues.push({
      path,
      message: `not a usable JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
    })
    return undefined
  }
}
