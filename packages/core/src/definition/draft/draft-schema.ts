import type { RegistryDescription } from '../../registry/registry'

type JsonSchema = Record<string, unknown>

const nodeIdSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/-]*$',
  description: 'unique within the workflow',
}
const nameSchema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/-]*$' }
const ref = (name: string) => ({ $ref: `#/$defs/${name}` })

function nodeObject(type: string, properties: JsonSchema, required: string[]): JsonSchema {
  return {
    type: 'object',
    properties: { type: { const: type }, id: nodeIdSchema, ...properties },
    required: ['type', 'id', ...required],
    additionalProperties: false,
  }
}

/**
 * The JSON Schema a model fills in when drafting a workflow: the definition format (without
 * `kind`, `schemaVersion` and `version`, which are filled in afterwards) with every reference
 * restricted to the registry: step ids, workflow ids, agent ids, function ids and each connector's action
 * names are enums (an action node's `config` is the connector's config JSON Schema). Node kinds
 * whose references the registry cannot satisfy (no steps, no workflows) are left out, and
 * conditions are JSONata expressions when no function is registered.
 *
 * @example
 * ```ts
 * const schema = draftSchema(engine.registry.describe())
 * await model.generate({ messages, responseFormat: { type: 'json', schema } })
 * ```
 */
export function draftSchema(registry: RegistryDescription): JsonSchema {
  const stepIds = registry.steps.map((step) => step.id)
  const workflowIds = registry.workflows.map((workflow) => workflow.id)
  const functionIds = registry.functions
  const expression = {
    type: 'object',
    properties: {
      expression: {
        type: 'string',
        description: 'a JSONata expression; $ is the node input (a loop until: the body output)',
      },
    },
    required: ['expression'],
    additionalProperties: false,
  }
  const callable =
    functionIds.length > 0
      ? {
          anyOf: [
            {
              type: 'object',
              properties: { function: { type: 'string', enum: functionIds } },
              required: ['function'],
              additionalProperties: false,
            },
            expression,
          ],
        }
      : expression
  const kinds: [string, JsonSchema][] = []
  if (stepIds.length > 0)
    kinds.push([
      'step',
      nodeObject(
        'step',
        { step: { type: 'string', enum: stepIds }, timeoutMs: { type: 'integer', minimum: 0 } },
        ['step'],
      ),
    ])
  if (workflowIds.length > 0)
    kinds.push([
      'workflow',
      nodeObject('workflow', { workflow: { type: 'string', enum: workflowIds } }, ['workflow']),
    ])
  const agentIds = (registry.agents ?? []).map((agent) => agent.id)
  if (agentIds.length > 0)
    kinds.push([
      'agent',
      nodeObject(
        'agent',
        { agent: { type: 'string', enum: agentIds }, timeoutMs: { type: 'integer', minimum: 0 } },
        ['agent'],
      ),
    ])
  // One kind per connector: its actions as an enum, its config JSON Schema for `config`.
  ;(registry.connectors ?? []).forEach((connector, index) => {
    const { $schema: _schema, ...config } = connector.config
    kinds.push([
      `action-${index}`,
      nodeObject(
        'action',
        {
          connector: { const: connector.id },
          action: { type: 'string', enum: connector.actions.map((action) => action.name) },
          config,
          timeoutMs: { type: 'integer', minimum: 0 },
        },
        ['connector', 'action'],
      ),
    ])
  })
  kinds.push(
    [
      'code',
      nodeObject(
        'code',
        functionIds.length > 0
          ? {
              function: { type: 'string', enum: functionIds },
              expression: expression.properties.expression,
            }
          : { expression: expression.properties.expression },
        functionIds.length > 0 ? [] : ['expression'],
      ),
    ],
    [
      'sequence',
      nodeObject('sequence', { children: { type: 'array', items: ref('node') } }, ['children']),
    ],
    [
      'parallel',
      nodeObject(
        'parallel',
        { branches: { type: 'object', additionalProperties: ref('node'), minProperties: 1 } },
        ['branches'],
      ),
    ],
    [
      'branch',
      nodeObject(
        'branch',
        {
          cases: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              properties: { when: ref('callable'), then: ref('node') },
              required: ['when', 'then'],
              additionalProperties: false,
            },
          },
        },
        ['cases'],
      ),
    ],
    [
      'foreach',
      nodeObject(
        'foreach',
        { concurrency: { type: 'integer', minimum: 1, maximum: 10_000 }, body: ref('node') },
        ['concurrency', 'body'],
      ),
    ],
    [
      'loop',
      nodeObject(
        'loop',
        {
          maxIterations: { type: 'integer', minimum: 1, maximum: 1_000_000 },
          until: ref('callable'),
          body: ref('node'),
        },
        ['maxIterations', 'until', 'body'],
      ),
    ],
    [
      'sleep',
      nodeObject(
        'sleep',
        { durationMs: { type: 'integer', minimum: 0 }, until: ref('callable') },
        [],
      ),
    ],
    [
      'event',
      nodeObject(
        'event',
        {
          event: nameSchema,
          match: ref('callable'),
          timeoutMs: { type: 'integer', minimum: 1 },
          schema: { type: 'object', description: 'JSON Schema of the payload' },
        },
        ['event'],
      ),
    ],
    [
      'approval',
      nodeObject(
        'approval',
        {
          approval: nameSchema,
          timeoutMs: { type: 'integer', minimum: 1 },
          schema: { type: 'object', description: 'JSON Schema of the approval data' },
        },
        ['approval'],
      ),
    ],
  )
  return {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$', maxLength: 200 },
      description: { type: 'string' },
      inputSchema: { type: 'object', description: 'JSON Schema of the workflow input' },
      outputSchema: { type: 'object', description: 'JSON Schema of the workflow output' },
      root: {
        ...nodeObject('sequence', { children: { type: 'array', items: ref('node') } }, [
          'children',
        ]),
        description: 'the top-level sequence; its id is "root"',
      },
    },
    required: ['id', 'inputSchema', 'root'],
    additionalProperties: false,
    $defs: {
      node: { anyOf: kinds.map(([name]) => ref(name)) },
      callable,
      ...Object.fromEntries(kinds),
    },
  }
}
