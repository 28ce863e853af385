import type { Step } from '../builder/step'
import type { InlineFunction, Workflow } from '../builder/workflow'
import type { WorkflowDefinition } from '../definition/schema'
import { ConflictError } from '../errors/conflict-error'
import { NotFoundError, type NotFoundKind } from '../errors/not-found-error'
import type { AgentV1 } from '../ports/agent-v1'
import type { ConnectorV1 } from '../ports/connector-v1'
import { toJsonSchema, type JsonSchema } from './json-schema'
import type { Plugin } from './plugin'

/** A read-only view of one kind of registered component. */
export interface RegistryCollection<T> {
  get(id: string): T | undefined
  /** Like `get`, but throws a {@link NotFoundError} listing the known ids. */
  require(id: string): T
  has(id: string): boolean
  list(): T[]
  readonly size: number
}

/** The JSON description of everything registered, for the designer and the HTTP API. */
export interface RegistryDescription {
  steps: { id: string; description?: string; input: JsonSchema; output: JsonSchema }[]
  workflows: {
    id: string
    version: string
    description?: string
    input: JsonSchema
    output?: JsonSchema
  }[]
  agents: { id: string; description?: string; input: JsonSchema; output: JsonSchema }[]
  connectors: {
    id: string
    name: string
    description?: string
    config: JsonSchema
    docs?: string
    actions: {
      name: string
      title?: string
      description?: string
      examples?: readonly { title?: string; input: unknown }[]
      input: JsonSchema
      output: JsonSchema
    }[]
  }[]
  functions: string[]
  plugins: { name: string; version?: string }[]
}

/**
 * The components one engine knows: steps, workflows (every version), agents, connectors, inline
 * functions and plugins. Each engine owns its registry; two engines never share one.
 */
export interface Registry {
  readonly steps: RegistryCollection<Step>
  /** The latest registered version of each workflow. */
  readonly workflows: RegistryCollection<Workflow>
  readonly agents: RegistryCollection<AgentV1>
  readonly connectors: RegistryCollection<ConnectorV1>
  readonly functions: RegistryCollection<InlineFunction>
  readonly plugins: readonly Plugin[]
  /** A workflow at an exact version (runs are pinned to one). */
  workflowVersion(id: string, version: string): Workflow | undefined
  /** Definitions of every registered workflow version. */
  definitions(): WorkflowDefinition[]
  /** Everything, with JSON Schemas. */
  describe(): RegistryDescription
}

/** The registry with its mutators; the engine keeps this side to itself. */
export interface MutableRegistry extends Registry {
  addPlugin(plugin: Plugin): void
  addStep(step: Step): void
  /**
   * Adds a workflow version; it becomes its workflow's latest (what `workflows.get(id)` and a
   * start by id use) unless `latest` is false (an older version that runs still need).
   */
  addWorkflow(workflow: Workflow, latest?: boolean): void
  addAgent(agent: AgentV1): void
  addConnector(connector: ConnectorV1): void
  addFunction(id: string, fn: InlineFunction): void
}

class Collection<T> implements RegistryCollection<T> {
  readonly items = new Map<string, T>()
  constructor(private readonly kind: NotFoundKind) {}
  get(id: string) {
    return this.items.get(id)
  }
  require(id: string): T {
    const item = this.items.get(id)
    if (item === undefined)
      throw new NotFoundError({ kind: this.kind, id, known: [...this.items.keys()] })
    return item
  }
  has(id: string) {
    return this.items.has(id)
  }
  list() {
    return [...this.items.values()]
  }
  get size() {
    return this.items.size
  }
  add(id: string, item: T, describe: string) {
    const known = this.items.get(id)
    if (known !== undefined && known !== item)
      throw new ConflictError(`Another ${describe} with the id "${id}" is already registered`)
    this.items.set(id, item)
  }
}

/** Creates an empty registry. Engines make their own; use this for tooling and tests.
 *
 * @example
 * ```ts
 * const registry = createRegistry()
 * registry.addStep(fetchOrder)
 * registry.describe().steps[0].id // 'fetch-order'
 * ```
 */
export function createRegistry(): MutableRegistry {
  const steps = new Collection<Step>('step')
  const workflows = new Collection<Workflow>('workflow')
  const versions = new Map<string, Workflow>()
  const agents = new Collection<AgentV1>('agent')
  const connectors = new Collection<ConnectorV1>('connector')
  const functions = new Collection<InlineFunction>('function')
  const plugins: Plugin[] = []

  const registry: MutableRegistry = {
    steps,
    workflows,
    agents,
    connectors,
    functions,
    plugins,
    workflowVersion: (id, version) => versions.get(`${id}@${version}`),
    definitions: () => [...versions.values()].map((workflow) => workflow.definition),
    addStep: (step) => steps.add(step.id, step, 'step'),
    addAgent: (agent) => agents.add(agent.id, agent, 'agent'),
    addConnector: (connector) => connectors.add(connector.id, connector, 'connector'),
    addFunction: (id, fn) => functions.add(id, fn, 'function'),
    addWorkflow(workflow, latest) {
      if (versions.get(`${workflow.id}@${workflow.version}`) === workflow) return
      for (const step of workflow.steps.values()) registry.addStep(step)
      for (const child of workflow.workflows.values()) registry.addWorkflow(child, latest)
      if (workflow.connectors)
        for (const connector of workflow.connectors.values()) registry.addConnector(connector)
      if (workflow.agents) for (const agent of workflow.agents.values()) registry.addAgent(agent)
      for (const [id, fn] of workflow.functions) {
        // Function ids carry the workflow id; a new version may replace its own functions.
        functions.items.set(id, fn)
      }
      versions.set(`${workflow.id}@${workflow.version}`, workflow)
      if (latest !== false) workflows.items.set(workflow.id, workflow)
    },
    addPlugin(plugin) {
      if (plugins.some((known) => known.name === plugin.name)) {
        throw new ConflictError(`A plugin named "${plugin.name}" is already registered`)
      }
      for (const step of plugin.steps) registry.addStep(step)
      for (const [id, fn] of Object.entries(plugin.functions)) registry.addFunction(id, fn)
      for (const workflow of plugin.workflows) registry.addWorkflow(workflow)
      for (const agent of plugin.agents) registry.addAgent(agent)
      for (const connector of plugin.connectors) registry.addConnector(connector)
      plugins.push(plugin)
    },
    describe() {
      return {
        steps: steps.list().map((step) => ({
          id: step.id,
          ...(step.description ? { description: step.description } : {}),
          input: toJsonSchema(step.inputSchema, 'input'),
          output: toJsonSchema(step.outputSchema, 'output'),
        })),
        workflows: [...versions.values()].map((workflow) => ({
          id: workflow.id,
          version: workflow.version,
          ...(workflow.description ? { description: workflow.description } : {}),
          input: workflow.definition.inputSchema,
          ...(workflow.definition.outputSchema ? { output: workflow.definition.outputSchema } : {}),
        })),
        agents: agents.list().map((agent) => ({
          id: agent.id,
          ...(agent.description ? { description: agent.description } : {}),
          input: toJsonSchema(agent.input, 'input'),
          output: toJsonSchema(agent.output, 'output'),
        })),
        connectors: connectors.list().map((connector) => ({
          id: connector.id,
          name: connector.name,
          ...(connector.description ? { description: connector.description } : {}),
          ...(connector.docs ? { docs: connector.docs } : {}),
          config: toJsonSchema(connector.config, 'input'),
          actions: Object.entries(connector.actions).map(([name, action]) => ({
            name,
            ...(action.title ? { title: action.title } : {}),
            ...(action.description ? { description: action.description } : {}),
            ...(action.examples?.length ? { examples: action.examples } : {}),
            input: toJsonSchema(action.input, 'input'),
            output: toJsonSchema(action.output, 'output'),
          })),
        })),
        functions: [...functions.items.keys()],
        plugins: plugins.map((plugin) => ({
          name: plugin.name,
          ...(plugin.version ? { version: plugin.version } : {}),
        })),
      }
    },
  }
  return registry
}
