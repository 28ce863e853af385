import type { DefinitionNode } from '@tessera/core/definition'
import type { DesignerRegistry, JsonSchemaObject } from './designer-registry'

const idField = {
  type: 'string',
  title: 'Node id',
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/-]*$',
  maxLength: 300,
}
const timeoutField = { type: 'integer', title: 'Timeout (ms)', minimum: 1 }
const conditionField = {
  type: 'object',
  title: 'Condition',
  description: 'A registered function id, or a JSONata expression where the format allows one',
  properties: {
    function: { type: 'string', title: 'Function' },
    expression: { type: 'string', title: 'Expression' },
  },
}
const retryField = {
  type: 'object',
  title: 'Retry',
  properties: {
    attempts: { type: 'integer', title: 'Attempts', minimum: 1, maximum: 1000 },
    type: { type: 'string', title: 'Backoff', enum: ['exponential', 'fixed'] },
    initialMs: { type: 'number', title: 'First delay (ms)', minimum: 0 },
    maxMs: { type: 'number', title: 'Longest delay (ms)', minimum: 0 },
    factor: { type: 'number', title: 'Factor', minimum: 1 },
    jitter: { type: 'boolean', title: 'Jitter' },
  },
}
const retryDefaults = {
  type: 'exponential',
  initialMs: 200,
  maxMs: 10_000,
  factor: 2,
  jitter: true,
}

/**
 * The connector's config JSON Schema as the form's `config` field: titled, without the keys
 * that only make sense at a document's root (`$schema`, `$id`).
 */
function configField(schema: JsonSchemaObject): JsonSchemaObject {
  const { $schema: _schema, $id: _id, ...rest } = schema
  return { title: 'Config', ...rest }
}

/** A string field listing the known values, when the registry knows any. */
function choice(title: string, values: readonly string[]): JsonSchemaObject {
  return values.length > 0
    ? { type: 'string', title, enum: [...new Set(values)] }
    : { type: 'string', title, minLength: 1 }
}

/**
 * The JSON Schema of the properties form of a node: its own settings (id, step, retry,
 * timeout, concurrency, iterations, duration, event or approval name, conditions; an action
 * node's `config` is the connector's config JSON Schema), with the registry's ids as choices. Child nodes are edited on the canvas, not in the form.
 *
 * @example
 * ```tsx
 * <Form schema={nodeFormSchema(node, registry)} formData={nodeFormData(node)} validator={validator} />
 * ```
 */
export function nodeFormSchema(node: DefinitionNode, registry: DesignerRegistry): JsonSchemaObject {
  const object = (properties: Record<string, unknown>, required: string[]) => ({
    type: 'object',
    // No node id in the schema: nodes of one kind share it, and the form its compiled validator.
    title: `${node.type} node`,
    properties: { id: idField, ...properties },
    required: ['id', ...required],
  })
  switch (node.type) {
    case 'step':
      return object(
        {
          step: choice('Step', [...registry.steps.map((step) => step.id), node.step]),
          timeoutMs: timeoutField,
          retry: retryField,
        },
        ['step'],
      )
    case 'agent':
      return object(
        {
          agent: choice('Agent', [...(registry.agents ?? []).map((agent) => agent.id), node.agent]),
          timeoutMs: timeoutField,
          retry: retryField,
        },
        ['agent'],
      )
    case 'action': {
      const connectors = registry.connectors ?? []
      const connector = connectors.find((entry) => entry.id === node.connector)
      return object(
        {
          connector: choice('Connector', [...connectors.map((entry) => entry.id), node.connector]),
          action: choice('Action', [
            ...(connector?.actions.map((entry) => entry.name) ?? []),
            node.action,
          ]),
          config: connector ? configField(connector.config) : { type: 'object', title: 'Config' },
          timeoutMs: timeoutField,
          retry: retryField,
        },
        ['connector', 'action'],
      )
    }
    case 'code':
      return object(
        {
          function: { type: 'string', title: 'Function' },
          expression: { type: 'string', title: 'Expression' },
        },
        [],
      )
    case 'workflow':
      return object(
        {
          workflow: choice('Workflow', [
            ...registry.workflows.map((entry) => entry.id),
            node.workflow,
          ]),
          version: { type: 'string', title: 'Version' },
        },
        ['workflow'],
      )
    case 'foreach':
      return object(
        { concurrency: { type: 'integer', title: 'Concurrency', minimum: 1, maximum: 10_000 } },
        ['concurrency'],
      )
    case 'loop':
      return object(
        {
          maxIterations: {
            type: 'integer',
            title: 'Most iterations',
            minimum: 1,
            maximum: 1_000_000,
          },
          until: { ...conditionField, title: 'Until' },
        },
        ['maxIterations'],
      )
    case 'branch':
      return object(
        {
          conditions: {
            type: 'array',
            title: 'Case conditions',
            items: conditionField,
            minItems: node.cases.length,
            maxItems: node.cases.length,
          },
        },
        [],
      )
    case 'sleep':
      return object({ durationMs: { type: 'integer', title: 'Duration (ms)', minimum: 0 } }, [])
    case 'event':
      return object(
        { event: { type: 'string', title: 'Event name', minLength: 1 }, timeoutMs: timeoutField },
        ['event'],
      )
    case 'approval':
      return object(
        {
          approval: { type: 'string', title: 'Approval name', minLength: 1 },
          timeoutMs: timeoutField,
        },
        ['approval'],
      )
    default:
      return object({}, [])
  }
}

/**
 * The form data of a node: its own settings, without its type and child nodes.
 *
 * @example
 * ```ts
 * nodeFormData({ type: 'foreach', id: 'each', concurrency: 4, body }) // { id: 'each', concurrency: 4 }
 * ```
 */
export function nodeFormData(node: DefinitionNode): Record<string, unknown> {
  switch (node.type) {
    case 'sequence': {
      const { type: _type, children: _children, ...rest } = node
      return rest
    }
    case 'parallel': {
      const { type: _type, branches: _branches, ...rest } = node
      return rest
    }
    case 'branch':
      return { id: node.id, conditions: node.cases.map((entry) => entry.when) }
    case 'foreach':
    case 'loop': {
      const { type: _type, body: _body, ...rest } = node
      return rest
    }
    default: {
      const { type: _type, ...rest } = node
      return rest
    }
  }
}

/**
 * The node a form's data describes: `node` with the form's settings; empty optional fields
 * are left out, an incomplete retry policy gets the defaults (exponential, 200 ms first delay,
 * 10 s longest, factor 2, jitter) and a retry without attempts is dropped. The result is not
 * validated: the edit that applies it is.
 *
 * @example
 * ```ts
 * applyNodeFormData(node, { id: 'notify', step: 'notify', timeoutMs: 5000 })
 * ```
 */
export function applyNodeFormData(
  node: DefinitionNode,
  data: Record<string, unknown>,
): DefinitionNode {
  const settings: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(data)) {
    const cleaned = clean(value)
    if (cleaned !== undefined) settings[key] = cleaned
  }
  if ('retry' in settings) {
    const retry = settings.retry as Record<string, unknown>
    if (retry.attempts === undefined) delete settings.retry
    else settings.retry = { ...retryDefaults, ...retry }
  }
  if (node.type === 'branch') {
    const conditions = Array.isArray(settings.conditions) ? settings.conditions : []
    delete settings.conditions
    return {
      ...node,
      ...settings,
      type: 'branch',
      cases: node.cases.map((entry, index) => ({
        ...entry,
        when: (conditions[index] as typeof entry.when | undefined) ?? entry.when,
      })),
    } as DefinitionNode
  }
  const kept: Record<string, unknown> = { ...node }
  for (const key of Object.keys(nodeFormData(node))) delete kept[key]
  return { ...kept, ...settings, type: node.type } as DefinitionNode
}

/** A form value without empty strings, empty objects and undefined fields. */
function clean(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return undefined
  if (Array.isArray(value)) return value.map(clean)
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => [key, clean(inner)] as const)
      .filter(([, inner]) => inner !== undefined)
    return entries.length === 0 ? undefined : Object.fromEntries(entries)
  }
  return value
}
