import {
  ConnectorConfigError,
  type ConnectorConfigIssue,
  type ConnectorConfigIssueReason,
} from '../errors/connector-config-error'
import { ConnectorError } from '../errors/connector-error'
import type { Workflow } from '../builder/workflow'
import type { Logger } from '../ports/logger'
import type { Registry } from '../registry/registry'
import type { ExecutionPlan } from './plan'
import { createRedactor } from './secret-redaction'
import { configPath, withSecrets, type SecretLookup } from './secret-refs'

/** Options of `engine.preflight`. */
export interface PreflightOptions {
  /**
   * Also call each connector's `check` (once per distinct connector and config): credentials
   * accepted, host reachable. Default `false`: only the configs and secrets are checked.
   */
  connect?: boolean
  /** Aborts the checks. */
  signal?: AbortSignal
}

/** What a successful `engine.preflight` reports. */
export interface PreflightResult {
  ok: true
  /** How many action nodes were checked. */
  checked: number
  /** How many connector `check` calls were made (0 without `connect`). */
  connected: number
}

const reasonOfCheckFailure: Partial<Record<string, ConnectorConfigIssueReason>> = {
  network: 'unreachable',
  timeout: 'unreachable',
  unauthorized: 'unauthorized',
  'invalid-config': 'invalid-config',
  'not-found': 'invalid-config',
}

/**
 * Checks a plan's action nodes: every secret reference resolves and, with `connect`, every
 * connector's `check` accepts its config. Throws one {@link ConnectorConfigError} listing every
 * problem (secret names only, never values).
 */
export async function preflightPlan(
  plan: ExecutionPlan,
  lookup: SecretLookup | undefined,
  options: PreflightOptions,
  logger: Logger,
): Promise<PreflightResult> {
  const issues: ConnectorConfigIssue[] = []
  const known = new Map<string, Promise<string | undefined>>()
  const lookupOnce = (name: string) => {
    let value = known.get(name)
    if (value === undefined) {
      value = lookup === undefined ? Promise.resolve(undefined) : lookup(name, options.signal)
      // Failures are read below, per reference; this only keeps an unread one from being unhandled.
      value.catch(() => undefined)
      known.set(name, value)
    }
    return value
  }
  const checks = new Map<string, { run: () => Promise<void>; nodes: string[] }>()
  for (const action of plan.actions) {
    const values: string[] = []
    let complete = true
    for (const ref of action.secrets) {
      const issue = {
        node: action.nodeId,
        connector: action.connector.id,
        path: configPath(ref.path),
        secret: ref.name,
      }
      try {
        const value = await lookupOnce(ref.name)
        if (typeof value === 'string') {
          values.push(value)
          continue
        }
        issues.push({
          ...issue,
          reason: 'missing-secret',
          message:
            lookup === undefined
              ? `secret "${ref.name}" is needed, but the engine has no secrets provider (createEngine({ secrets }))`
              : `secret "${ref.name}" is not known to any secrets provider`,
        })
      } catch (error) {
        issues.push({
          ...issue,
          reason: 'secrets-unavailable',
          message: `secret "${ref.name}" could not be read: ${error instanceof Error ? error.message : String(error)}`,
        })
      }
      complete = false
    }
    const check = action.connector.check
    if (!options.connect || !complete || check === undefined) continue
    const key = `${action.connector.id}\u0000${JSON.stringify(action.config)}`
    const existing = checks.get(key)
    if (existing) {
      existing.nodes.push(action.nodeId)
      continue
    }
    const redactor = createRedactor(
      action.secrets.map((ref, index) => ({ name: ref.name, value: values[index]! })),
    )
    const signal = options.signal ?? new AbortController().signal
    const nodes = [action.nodeId]
    checks.set(key, {
      nodes,
      run: async () => {
        try {
          await check({
            config: withSecrets(action.config, action.secrets, values),
            signal,
            logger: redactor.logger(logger.child({ connector: action.connector.id })),
          })
        } catch (thrown) {
          const error = redactor.error(thrown)
          if (ConnectorError.isInstance(error) && error.reason === 'aborted') throw error
          const reason =
            (ConnectorError.isInstance(error) ? reasonOfCheckFailure[error.reason] : undefined) ??
            'check-failed'
          const message = error instanceof Error ? error.message : String(error)
          for (const node of nodes)
            issues.push({ node, connector: action.connector.id, path: 'config', reason, message })
        }
      },
    })
  }
  await Promise.all([...checks.values()].map((entry) => entry.run()))
  if (issues.length > 0) throw new ConnectorConfigError({ workflowId: plan.workflow.id, issues })
  return { ok: true, checked: plan.actions.length, connected: checks.size }
}

/**
 * The registry as `workflow` would see it once registered (its own steps, connectors, agents and
 * child workflows first), without registering anything: for checking a definition.
 */
export function registryWith(workflow: Workflow, registry: Registry): Registry {
  const own = <T>(
    mine: ReadonlyMap<string, T> | undefined,
    theirs: { get(id: string): T | undefined },
  ) => ({
    get: (id: string) => mine?.get(id) ?? theirs.get(id),
  })
  return {
    ...registry,
    steps: own(workflow.steps, registry.steps),
    connectors: own(workflow.connectors, registry.connectors),
    agents: own(workflow.agents, registry.agents),
    workflows: own(workflow.workflows, registry.workflows),
    functions: registry.functions,
    workflowVersion: (id: string, version: string) => {
      const child = workflow.workflows.get(id)
      return child?.version === version ? child : registry.workflowVersion(id, version)
    },
  } as Registry
}
