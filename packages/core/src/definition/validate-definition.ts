import { z } from 'zod'
import type { RegistryDescription } from '../registry/registry'
import { connectorIssues } from './definition-connector-issues'
import { dataFlowIssues } from './definition-data-flow'
import { reachabilityIssues } from './definition-reachability'
import { inspectExpression } from './inspect-expression'
import { jsonPath, structuralIssues, visitNodes } from './parse-definition'
import {
  definitionSchemaVersion,
  workflowDefinitionSchema,
  type Callable,
  type WorkflowDefinition,
} from './schema'

/** The stable codes of {@link DefinitionValidationIssue}s (docs/definitions.md lists each).
 *
 * @example
 * ```ts
 * const blocking: DefinitionIssueCode[] = ['unknown_step', 'type_mismatch']
 * ```
 */
export type DefinitionIssueCode =
  | 'invalid_shape'
  | 'unsupported_version'
  | 'duplicate_id'
  | 'unknown_step'
  | 'unknown_workflow'
  | 'unknown_function'
  | 'unknown_agent'
  | 'unknown_connector'
  | 'unknown_action'
  | 'invalid_config'
  | 'invalid_json_schema'
  | 'expression_syntax'
  | 'expression_forbidden_function'
  | 'condition_not_boolean'
  | 'missing_input'
  | 'type_mismatch'
  | 'unknown_field'
  | 'unreachable'
  | 'never_completes'
  | 'cycle'

/** One problem of a definition, at a JSON path such as `root.children[2].cases[0].when`.
 *
 * @example
 * ```ts
 * const issue: DefinitionValidationIssue = {
 *   path: 'root.children[1].step', code: 'unknown_step', severity: 'error',
 *   message: 'unknown step "fetch-order"; known: "inc"',
 * }
 * ```
 */
export interface DefinitionValidationIssue {
  path: string
  code: DefinitionIssueCode
  message: string
  /** Errors make a definition unusable; warnings point at what may go wrong at run time. */
  severity: 'error' | 'warning'
  /** In an expression: the character offset JSONata reports (just after the offending token). */
  position?: number
}

/** The result of {@link validateDefinition}.
 *
 * @example
 * ```ts
 * const { ok, issues } = validateDefinition(json, { registry })
 * const errors = issues.filter((issue) => issue.severity === 'error') // empty when ok
 * ```
 */
export interface DefinitionValidation {
  /** True when no issue is an error (warnings allowed). */
  ok: boolean
  /** The parsed definition, whenever its shape is valid (even if other errors were found). */
  definition?: WorkflowDefinition
  /** Every problem found, in document order per kind. */
  issues: DefinitionValidationIssue[]
}

/** What {@link validateDefinition} checks references against.
 *
 * @example
 * ```ts
 * const options: ValidateDefinitionOptions = {
 *   registry: engine.registry.describe(),
 *   definitions: engine.registry.definitions(),
 * }
 * ```
 */
export interface ValidateDefinitionOptions {
  /** The components a definition may use (`registry.describe()`, or the HTTP API's copy). */
  registry?: RegistryDescription
  /** Definitions of the workflows it may call (`registry.definitions()`), to find cycles. */
  definitions?: readonly WorkflowDefinition[]
}

/**
 * Checks a workflow definition without running anything and reports every problem with a JSON
 * path, a stable code and a severity: the shape (zod), duplicate node ids, expressions (syntax,
 * forbidden functions, constant conditions that are not booleans), JSON Schemas the engine could
 * not use, and with a registry description: unknown steps, workflows, functions, agents, connectors and
 * connector actions (listing the known ids), action configs the connector's config JSON Schema
 * refuses (`invalid_config`, at the path into the config), inputs the previous output cannot provide and type mismatches between consecutive
 * nodes; unreachable nodes, nodes that never complete, and workflow cycles. Browser-safe and
 * synchronous, for the designer and for servers before they store a definition.
 *
 * @example
 * ```ts
 * const result = validateDefinition(JSON.parse(text), { registry: engine.registry.describe() })
 * for (const issue of result.issues) console.log(issue.severity, issue.path, issue.code, issue.message)
 * ```
 */
export function validateDefinition(
  definition: unknown,
  options: ValidateDefinitionOptions = {},
): DefinitionValidation {
  const issues: DefinitionValidationIssue[] = []
  const version = (definition as { schemaVersion?: unknown } | null)?.schemaVersion
  const unsupported =
    typeof version === 'number' && version !== definitionSchemaVersion ? version : undefined
  if (unsupported !== undefined) {
    issues.push({
      path: 'schemaVersion',
      code: 'unsupported_version',
      severity: 'error',
      message: `format version ${unsupported} is not supported: this version of @tessera/core reads version ${definitionSchemaVersion}`,
    })
  }
  const parsed = workflowDefinitionSchema.safeParse(definition)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = jsonPath(issue.path)
      if (unsupported !== undefined && path === 'schemaVersion') continue
      issues.push({ path, code: 'invalid_shape', severity: 'error', message: issue.message })
    }
    // Expressions are still checked, so an editor shows their errors while the rest is incomplete.
    expressionsIn(definition, '', issues)
    return { ok: false, issues }
  }
  const result = parsed.data
  for (const issue of structuralIssues(result.root, 'root'))
    issues.push({ ...issue, code: 'duplicate_id', severity: 'error' })
  jsonSchemaIssues(result, issues)
  const registry = options.registry && complete(options.registry)
  referenceIssues(result, registry, issues)
  if (registry) issues.push(...connectorIssues(result, registry))
  if (registry) issues.push(...dataFlowIssues(result, registry))
  issues.push(...reachabilityIssues(result, options.definitions))
  return { ok: !issues.some((issue) => issue.severity === 'error'), definition: result, issues }
}

function referenceIssues(
  definition: WorkflowDefinition,
  registry: RegistryDescription | undefined,
  issues: DefinitionValidationIssue[],
): void {
  const steps = registry ? new Set(registry.steps.map((step) => step.id)) : undefined
  const functions = registry ? new Set(registry.functions) : undefined
  const callable = (reference: Callable, path: string, condition: boolean) => {
    if ('expression' in reference) {
      expression(reference.expression, `${path}.expression`, condition, issues)
      return
    }
    if (functions && !functions.has(reference.function)) {
      issues.push({
        path: `${path}.function`,
        code: 'unknown_function',
        severity: 'error',
        message: `unknown function "${reference.function}"${known(functions)}`,
      })
    }
  }
  visitNodes(definition.root, 'root', (node, path) => {
    switch (node.type) {
      case 'step':
        if (steps && !steps.has(node.step)) {
          const other = otherKind(registry!, node.step)
          issues.push({
            path: `${path}.step`,
            code: 'unknown_step',
            severity: 'error',
            message: `unknown step "${node.step}"${other ? ` (${other})` : ''}${known(steps)}`,
          })
        }
        break
      case 'agent':
        if (registry && !registry.agents.some((agent) => agent.id === node.agent)) {
          issues.push({
            path: `${path}.agent`,
            code: 'unknown_agent',
            severity: 'error',
            message: `unknown agent "${node.agent}"${known(new Set(registry.agents.map((agent) => agent.id)))}`,
          })
        }
        break
      case 'workflow': {
        if (!registry) break
        const versions = registry.workflows.filter((workflow) => workflow.id === node.workflow)
        if (versions.length === 0) {
          issues.push({
            path: `${path}.workflow`,
            code: 'unknown_workflow',
            severity: 'error',
            message: `unknown workflow "${node.workflow}"${known(new Set(registry.workflows.map((workflow) => workflow.id)))}`,
          })
        } else if (
          node.version &&
          !versions.some((workflow) => workflow.version === node.version)
        ) {
          issues.push({
            path: `${path}.version`,
            code: 'unknown_workflow',
            severity: 'error',
            message: `workflow "${node.workflow}" has no version "${node.version}"${known(new Set(versions.map((workflow) => workflow.version)))}`,
          })
        }
        break
      }
      case 'code':
        if (node.expression !== undefined)
          expression(node.expression, `${path}.expression`, false, issues)
        else if (functions && node.function !== undefined && !functions.has(node.function)) {
          issues.push({
            path: `${path}.function`,
            code: 'unknown_function',
            severity: 'error',
            message: `unknown function "${node.function}"${known(functions)}`,
          })
        }
        break
      case 'branch':
        node.cases.forEach((entry, index) =>
          callable(entry.when, `${path}.cases[${index}].when`, true),
        )
        break
      case 'loop':
        callable(node.until, `${path}.until`, true)
        break
      case 'sleep':
        if (node.until) callable(node.until, `${path}.until`, false)
        break
      case 'event':
        if (node.match) callable(node.match, `${path}.match`, false)
        break
      default:
        break
    }
  })
}

function expression(
  source: string,
  path: string,
  condition: boolean,
  issues: DefinitionValidationIssue[],
): void {
  const inspection = inspectExpression(source)
  for (const problem of inspection.problems) issues.push({ path, severity: 'error', ...problem })
  const constant = inspection.constant
  if (condition && constant !== undefined && typeof constant.value !== 'boolean') {
    issues.push({
      path,
      code: 'condition_not_boolean',
      severity: 'error',
      message: `a condition must give true or false; this one is always ${JSON.stringify(constant.value)}`,
    })
  }
}

/** Expressions found anywhere in a value whose shape is invalid (`{ expression: '…' }` objects and code nodes). */
function expressionsIn(value: unknown, path: string, issues: DefinitionValidationIssue[]): void {
  if (typeof value !== 'object' || value === null) return
  if (Array.isArray(value)) {
    value.forEach((item, index) => expressionsIn(item, `${path}[${index}]`, issues))
    return
  }
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path === '' ? key : `${path}.${key}`
    if (key === 'expression' && typeof item === 'string') {
      for (const problem of inspectExpression(item).problems)
        issues.push({ path: itemPath, severity: 'error', ...problem })
    } else expressionsIn(item, itemPath, issues)
  }
}

function jsonSchemaIssues(definition: WorkflowDefinition, issues: DefinitionValidationIssue[]) {
  const check = (schema: Record<string, unknown>, path: string) => {
    try {
      z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0])
    } catch (error) {
      issues.push({
        path,
        code: 'invalid_json_schema',
        severity: 'error',
        message: `not a usable JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
      })
    }
  }
  check(definition.inputSchema, 'inputSchema')
  if (definition.outputSchema) check(definition.outputSchema, 'outputSchema')
  visitNodes(definition.root, 'root', (node, path) => {
    if ((node.type === 'event' || node.type === 'approval') && node.schema)
      check(node.schema, `${path}.schema`)
  })
}

/** A description from JSON (an older host, a hand-written one) may lack whole lists. */
function complete(registry: Partial<RegistryDescription>): RegistryDescription {
  return {
    steps: registry.steps ?? [],
    workflows: registry.workflows ?? [],
    agents: registry.agents ?? [],
    connectors: registry.connectors ?? [],
    functions: registry.functions ?? [],
    plugins: registry.plugins ?? [],
  }
}

/** A hint when an unknown step id names another kind of component. */
function otherKind(registry: RegistryDescription, id: string): string | undefined {
  if (registry.workflows.some((workflow) => workflow.id === id))
    return 'a workflow of that id exists: use a workflow node'
  if (registry.agents.some((agent) => agent.id === id))
    return 'an agent of that id exists: use an agent node'
  if (registry.connectors.some((connector) => connector.id === id))
    return 'a connector of that id exists: use an action node'
  return undefined
}

function known(ids: ReadonlySet<string>): string {
  if (ids.size === 0) return '; none are registered'
  const list = [...ids].sort()
  const shown = list
    .slice(0, 20)
    .map((id) => `"${id}"`)
    .join(', ')
  return `; known: ${shown}${list.length > 20 ? ` and ${list.length - 20} more` : ''}`
}
