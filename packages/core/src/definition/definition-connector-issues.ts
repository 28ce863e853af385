import { z } from 'zod'
import type { RegistryDescription } from '../registry/registry'
import { visitNodes } from './parse-definition'
import type { WorkflowDefinition } from './schema'

/** A problem of an `action` node: its connector, its action or its config. */
export interface ConnectorIssue {
  path: string
  code: 'unknown_connector' | 'unknown_action' | 'invalid_config' | 'invalid_json_schema'
  severity: 'error'
  message: string
}

/**
 * Checks every `action` node against the registry description: the connector exists
 * (`unknown_connector`), has the action (`unknown_action`, listing its actions) and the node's
 * `config` (absent: `{}`) satisfies the connector's config JSON Schema (`invalid_config`, one
 * issue per problem at `<node path>.config.<field>`). Browser-safe: the JSON Schema is turned into
 * a zod schema with `z.fromJSONSchema`, never compiled to code.
 */
export function connectorIssues(
  definition: WorkflowDefinition,
  registry: RegistryDescription,
): ConnectorIssue[] {
  const issues: ConnectorIssue[] = []
  const connectors = new Map(registry.connectors.map((connector) => [connector.id, connector]))
  const configSchemas = new Map<string, z.ZodType | undefined>()
  visitNodes(definition.root, 'root', (node, path) => {
    if (node.type !== 'action') return
    const connector = connectors.get(node.connector)
    if (connector === undefined) {
      issues.push({
        path: `${path}.connector`,
        code: 'unknown_connector',
        severity: 'error',
        message: `unknown connector "${node.connector}"${list([...connectors.keys()])}`,
      })
      return
    }
    if (!connector.actions.some((action) => action.name === node.action)) {
      issues.push({
        path: `${path}.action`,
        code: 'unknown_action',
        severity: 'error',
        message: `connector "${connector.id}" has no action "${node.action}"${list(connector.actions.map((action) => action.name))}`,
      })
    }
    if (!configSchemas.has(connector.id)) {
      try {
        configSchemas.set(
          connector.id,
          z.fromJSONSchema(connector.config as Parameters<typeof z.fromJSONSchema>[0]),
        )
      } catch (error) {
        configSchemas.set(connector.id, undefined)
        issues.push({
          path: `${path}.connector`,
          code: 'invalid_json_schema',
          severity: 'error',
          message: `the config JSON Schema of connector "${connector.id}" is not usable: ${error instanceof Error ? error.message : String(error)}`,
        })
      }
    }
    const schema = configSchemas.get(connector.id)
    if (schema === undefined) return
    const result = schema.safeParse(node.config ?? {})
    if (result.success) return
    for (const problem of result.error.issues) {
      const where = problem.path.map((key) =>
        typeof key === 'number' ? `[${key}]` : `.${String(key)}`,
      )
      issues.push({
        path: `${path}.config${where.join('')}`,
        code: 'invalid_config',
        severity: 'error',
        message: `config of connector "${connector.id}"${
          problem.path.length > 0 ? ` at "${problem.path.map(String).join('.')}"` : ''
        }: ${problem.message}`,
      })
    }
  })
  return issues
}

function list(names: readonly string[]): string {
  if (names.length === 0) return '; none are registered'
  return `; known: ${[...names]
    .sort()
    .map((name) => `"${name}"`)
    .join(', ')}`
}
