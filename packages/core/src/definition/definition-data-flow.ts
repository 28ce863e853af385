import type { JsonSchema } from '../registry/json-schema'
import type { RegistryDescription } from '../registry/registry'
import { canonicalJson } from './content-hash'
import { inspectExpression } from './inspect-expression'
import { schemaCompatibility, type SchemaConflict } from './schema-compatibility'
import type { Callable, DefinitionNode, WorkflowDefinition } from './schema'

/** A data problem between two nodes: what one produces does not fit what the next accepts. */
export interface DataFlowIssue {
  path: string
  code: SchemaConflict['code'] | 'unknown_field'
  severity: SchemaConflict['severity']
  message: string
  /** In an expression: where the field is read. */
  position?: number
}

/** The data an approval node outputs (see `waitStep`). */
const approvalOutput: JsonSchema = {
  type: 'object',
  properties: {
    approved: { type: 'boolean' },
    at: { type: 'number' },
    data: {},
    reason: { type: 'string' },
    by: { type: 'string' },
  },
  required: ['approved', 'at'],
  additionalProperties: false,
}

/**
 * Follows the data through a definition: each node's input is the previous node's output (the
 * workflow input for the first), and each step and workflow node's input JSON Schema (from the
 * registry description) is checked against it with {@link schemaCompatibility}. Issues sit at
 * the path of the node whose input does not fit (`outputSchema` for the workflow's output).
 * Nodes whose output nothing describes (code nodes, unknown components, registered functions)
 * end the checks downstream until a node with a declared output.
 */
export function dataFlowIssues(
  definition: WorkflowDefinition,
  registry: RegistryDescription,
): DataFlowIssue[] {
  const issues: DataFlowIssue[] = []
  const seen = new Set<string>()
  const steps = new Map(registry.steps.map((step) => [step.id, step]))

  const expect = (
    path: string,
    what: string,
    produced: JsonSchema | undefined,
    accepted: JsonSchema,
    prefix = '',
  ) => {
    if (produced === undefined) return
    for (const conflict of schemaCompatibility(produced, accepted)) {
      const message = `${prefix}${what}: ${conflict.message}`
      if (seen.has(`${path}\u0000${conflict.message}`)) continue
      seen.add(`${path}\u0000${conflict.message}`)
      issues.push({ path, code: conflict.code, severity: conflict.severity, message })
    }
  }

  /** Fields an expression reads that its input (an object with declared properties) lacks. */
  const reads = (callable: Callable | undefined, path: string, input: JsonSchema | undefined) => {
    if (callable === undefined || !('expression' in callable) || input === undefined) return
    const properties =
      input.type === 'object' && isSchema(input.properties) ? input.properties : undefined
    const open = input.additionalProperties !== undefined && input.additionalProperties !== false
    if (properties === undefined || open || 'patternProperties' in input) return
    for (const field of inspectExpression(callable.expression).fields ?? []) {
      if (Object.hasOwn(properties, field.name)) continue
      const known = Object.keys(properties)
        .map((name) => `"${name}"`)
        .join(', ')
      const message = `"${field.name}" is not a field of the input here (its fields: ${known || 'none'})`
      if (seen.has(`${path}\u0000${message}`)) continue
      seen.add(`${path}\u0000${message}`)
      issues.push({
        path: `${path}.expression`,
        code: 'unknown_field',
        severity: 'warning',
        message,
        ...(field.position === undefined ? {} : { position: field.position }),
      })
    }
  }

  const flow = (
    node: DefinitionNode,
    path: string,
    input: JsonSchema | undefined,
    prefix: string,
  ): JsonSchema | undefined => {
    switch (node.type) {
      case 'step': {
        const step = steps.get(node.step)
        if (step === undefined) return undefined
        expect(path, `input of step "${node.step}"`, input, step.input, prefix)
        return step.output
      }
      case 'action': {
        const action = registry.connectors
          .find((connector) => connector.id === node.connector)
          ?.actions.find((candidate) => candidate.name === node.action)
        if (action === undefined) return undefined
        expect(
          path,
          `input of action "${node.connector}.${node.action}"`,
          input,
          action.input,
          prefix,
        )
        return action.output
      }
      case 'agent': {
        const agent = registry.agents.find((candidate) => candidate.id === node.agent)
        if (agent === undefined) return undefined
        expect(path, `input of agent "${node.agent}"`, input, agent.input, prefix)
        return agent.output
      }
      case 'workflow': {
        const candidates = registry.workflows.filter((workflow) => workflow.id === node.workflow)
        const child = node.version
          ? candidates.find((workflow) => workflow.version === node.version)
          : candidates[candidates.length - 1]
        if (child === undefined) return undefined
        expect(path, `input of workflow "${node.workflow}"`, input, child.input, prefix)
        return child.output
      }
      case 'sequence': {
        let current = input
        node.children.forEach((child, index) => {
          current = flow(child, `${path}.children[${index}]`, current, prefix)
        })
        return current
      }
      case 'parallel': {
        const properties: Record<string, JsonSchema> = {}
        for (const [key, child] of Object.entries(node.branches))
          properties[key] = flow(child, `${path}.branches.${key}`, input, prefix) ?? {}
        return {
          type: 'object',
          properties,
          required: Object.keys(properties),
          additionalProperties: false,
        }
      }
      case 'branch': {
        node.cases.forEach((entry, index) =>
          reads(entry.when, `${path}.cases[${index}].when`, input),
        )
        const outputs = node.cases.map((entry, index) =>
          flow(entry.then, `${path}.cases[${index}].then`, input, prefix),
        )
        const first = outputs[0]
        const same = outputs.every(
          (output) => output !== undefined && canonicalJson(output) === canonicalJson(first),
        )
        return same ? first : undefined
      }
      case 'foreach': {
        if (input !== undefined) expect(path, 'input of foreach', input, { type: 'array' }, prefix)
        const items = input !== undefined && isSchema(input.items) ? input.items : undefined
        const output = flow(node.body, `${path}.body`, items, prefix)
        return { type: 'array', items: output ?? {} }
      }
      case 'loop': {
        const output = flow(node.body, `${path}.body`, input, prefix)
        reads(node.until, `${path}.until`, output)
        // From the second iteration on, the body receives its own output.
        if (output !== undefined)
          flow(node.body, `${path}.body`, output, 'from the second iteration on, ')
        return output
      }
      case 'sleep':
        reads(node.until, `${path}.until`, input)
        return input
      case 'event':
        reads(node.match, `${path}.match`, input)
        return node.schema
      case 'approval':
        return approvalOutput
      case 'code':
        if (node.expression !== undefined) reads({ expression: node.expression }, path, input)
        return undefined
    }
  }

  const output = flow(definition.root, 'root', definition.inputSchema, '')
  if (definition.outputSchema !== undefined)
    expect('outputSchema', 'the workflow output', output, definition.outputSchema)
  return issues
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
