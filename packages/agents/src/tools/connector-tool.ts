import {
  InvalidArgumentError,
  isSecretRef,
  resolveConfigSecrets,
  type ConnectorV1,
  type Duration,
  type SecretsProviderV1,
} from '@tessera/core'
import { createTool, type Tool, type ToolErrorMode } from './tool'

/** What {@link connectorTool} takes besides the connector and the action's name. */
export interface ConnectorToolSettings<TConfig> {
  /**
   * The connector's configuration, checked against its config schema now. Credentials are
   * secret references (`{ $secret: 'NAME' }`), resolved on each call (see `secrets`).
   */
  config: TConfig
  /**
   * Where the config's secret references resolve, asked in order before the agent run's own
   * secrets (the engine's inside an `agent` node, else `generate({ secrets })`). A name nobody
   * has fails the call with `ConnectorError` (reason `invalid-config`) naming the secret.
   */
  secrets?: SecretsProviderV1 | readonly SecretsProviderV1[]
  /** Default: the action's title and description, else "<connector name>: <action>". */
  description?: string
  needsApproval?: boolean | ((input: any) => boolean)
  approvalTimeout?: Duration
  onError?: ToolErrorMode | ((error: unknown) => ToolErrorMode)
}

/**
 * Exposes one action of a connector as a tool: the action's input schema is what the model
 * sends, its output what the model gets back. The action runs with the tool call's signal,
 * logger and idempotency key (stable per call inside a workflow).
 *
 * Secret references in `config` resolve on each call through `settings.secrets`, then the
 * agent run's secrets (the engine's inside an `agent` node). Every resolved value is replaced by
 * `[secret:NAME]` in what leaves the action: its output (the model sees it), its errors and its
 * log lines. A secret nobody has fails the call with a `ConnectorError` (reason
 * `invalid-config`) naming it; `onError` decides whether the model sees that as a tool result.
 *
 * @example
 * ```ts
 * import { defineAgent, connectorTool } from '@tessera/agents'
 * import { mapSecrets } from '@tessera/core'
 * import { slackConnector } from '@tessera/connectors/slack'
 *
 * const agent = defineAgent({
 *   id: 'notifier',
 *   instructions: 'Tell the team what changed.',
 *   model,
 *   tools: {
 *     postMessage: connectorTool(slackConnector, 'send-message', {
 *       config: { token: { $secret: 'SLACK_TOKEN' } },
 *       secrets: mapSecrets({ SLACK_TOKEN: process.env.SLACK_TOKEN! }),
 *     }),
 *   },
 * })
 * ```
 */
export function connectorTool<TConfig>(
  connector: ConnectorV1<TConfig>,
  actionName: string,
  settings: ConnectorToolSettings<TConfig>,
): Tool {
  return buildConnectorTool('connectorTool', connector, actionName, settings)
}

/** {@link connectorTool}'s work; `connectorTools` calls it with its own name for messages. */
export function buildConnectorTool<TConfig>(
  fn: string,
  connector: ConnectorV1<TConfig>,
  actionName: string,
  settings: ConnectorToolSettings<TConfig>,
): Tool {
  assertConnector(fn, connector)
  const action = Object.hasOwn(connector.actions, actionName)
    ? connector.actions[actionName]
    : undefined
  if (action === undefined) {
    throw new InvalidArgumentError({
      fn,
      argument: 'actionName',
      expected: `one of the actions of connector "${connector.id}": ${Object.keys(connector.actions)
        .map((name) => `"${name}"`)
        .join(', ')}`,
      received: actionName,
    })
  }
  if (typeof settings !== 'object' || settings === null) {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings',
      expected: `an object with the config of connector "${connector.id}"`,
      received: settings,
    })
  }
  const parsed = connector.config.safeParse(settings.config)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    throw new InvalidArgumentError({
      fn,
      argument: 'settings.config',
      expected: `a config matching connector "${connector.id}"'s schema (${first ? `${first.path.join('.') || 'root'}: ${first.message}` : 'invalid'})`,
      // The config may hold a credential someone put inline: show only its shape.
      received: shapeOf(settings.config),
    })
  }
  const config = parsed.data
  const own = checkSecrets(fn, settings.secrets)
  return createTool(
    fn,
    {
      description: settings.description ?? describeAction(connector, actionName),
      input: action.input,
      output: action.output,
      needsApproval: settings.needsApproval,
      approvalTimeout: settings.approvalTimeout,
      onError: settings.onError,
      execute: async (input, context) => {
        const providers = context.secrets === undefined ? own : [...own, context.secrets]
        const resolved = await resolveConfigSecrets(config, {
          secrets: providers.length === 0 ? undefined : providers,
          connector: connector.id,
          action: actionName,
          where: `tool "${context.toolName}"`,
          signal: context.signal,
        })
        const { redact } = resolved
        try {
          const output = await action.run({
            config: resolved.config,
            input,
            signal: context.signal,
            idempotencyKey: context.idempotencyKey,
            logger: redact.logger(context.logger),
          })
          return redact.value(output)
        } catch (error) {
          throw redact.error(error)
        }
      },
    },
    undefined,
  )
}

/** The tool description an action gets by default: its title and description. */
export function describeAction(connector: ConnectorV1<any>, actionName: string): string {
  const action = connector.actions[actionName]!
  const title = action.title?.trim()
  const description = action.description?.trim()
  if (title && description)
    return description.toLowerCase().startsWith(title.toLowerCase())
      ? description
      : `${title}: ${description}`
  return description || title || `${connector.name}: ${actionName}`
}

/** Throws unless `connector` is one `defineConnector()` made. */
export function assertConnector(fn: string, connector: unknown): asserts connector is ConnectorV1 {
  if (
    typeof connector !== 'object' ||
    connector === null ||
    (connector as ConnectorV1).kind !== 'connector' ||
    typeof (connector as ConnectorV1).actions !== 'object'
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'connector',
      expected: 'a connector made by defineConnector()',
      received: connector,
    })
  }
}

function checkSecrets(
  fn: string,
  secrets: SecretsProviderV1 | readonly SecretsProviderV1[] | undefined,
): readonly SecretsProviderV1[] {
  if (secrets === undefined) return []
  const providers = (Array.isArray(secrets) ? secrets : [secrets]) as readonly unknown[]
  for (const provider of providers) {
    if (
      typeof provider !== 'object' ||
      provider === null ||
      typeof (provider as SecretsProviderV1).get !== 'function'
    ) {
      throw new InvalidArgumentError({
        fn,
        argument: 'settings.secrets',
        expected: 'a secrets provider (mapSecrets(), envSecrets(), …) or an array of them',
        received: provider,
      })
    }
  }
  return providers as readonly SecretsProviderV1[]
}

/** A config's keys and value types, never its strings: for an error about a refused config. */
function shapeOf(value: unknown, depth = 0): unknown {
  if (isSecretRef(value)) return value
  if (Array.isArray(value)) return depth > 4 ? '[…]' : value.map((item) => shapeOf(item, depth + 1))
  if (typeof value === 'object' && value !== null) {
    if (depth > 4) return '{…}'
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, shapeOf(item, depth + 1)]),
    )
  }
  return typeof value === 'string' ? '<string>' : value
}
