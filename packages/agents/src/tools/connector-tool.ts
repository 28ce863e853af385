import { InvalidArgumentError, type ConnectorV1, type Duration } from '@tessera/core'
import { createTool, type Tool, type ToolErrorMode } from './tool'

/** What {@link connectorTool} takes besides the connector and the action's name. */
export interface ConnectorToolSettings<TConfig> {
  /** The connector's configuration, checked against its config schema now. */
  config: TConfig
  /** Default: the action's description, else "<connector name>: <action>". */
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
 * @example
 * ```ts
 * const agent = defineAgent({
 *   id: 'notifier',
 *   instructions: 'Tell the team what changed.',
 *   model,
 *   tools: { postMessage: connectorTool(slack, 'post-message', { config: { token } }) },
 * })
 * ```
 */
export function connectorTool<TConfig>(
  connector: ConnectorV1<TConfig>,
  actionName: string,
  settings: ConnectorToolSettings<TConfig>,
): Tool {
  if (
    typeof connector !== 'object' ||
    connector === null ||
    connector.kind !== 'connector' ||
    typeof connector.actions !== 'object'
  ) {
    throw new InvalidArgumentError({
      fn: 'connectorTool',
      argument: 'connector',
      expected: 'a connector made by defineConnector()',
      received: connector,
    })
  }
  const action = Object.hasOwn(connector.actions, actionName)
    ? connector.actions[actionName]
    : undefined
  if (action === undefined) {
    throw new InvalidArgumentError({
      fn: 'connectorTool',
      argument: 'actionName',
      expected: `one of the actions of connector "${connector.id}": ${Object.keys(connector.actions)
        .map((name) => `"${name}"`)
        .join(', ')}`,
      received: actionName,
    })
  }
  if (typeof settings !== 'object' || settings === null) {
    throw new InvalidArgumentError({
      fn: 'connectorTool',
      argument: 'settings',
      expected: `an object with the config of connector "${connector.id}"`,
      received: settings,
    })
  }
  const parsed = connector.config.safeParse(settings.config)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    throw new InvalidArgumentError({
      fn: 'connectorTool',
      argument: 'settings.config',
      expected: `a config matching connector "${connector.id}"'s schema (${first ? `${first.path.join('.') || 'root'}: ${first.message}` : 'invalid'})`,
      received: settings.config,
    })
  }
  const config = parsed.data
  return createTool(
    'connectorTool',
    {
      description: settings.description ?? action.description ?? `${connector.name}: ${actionName}`,
      input: action.input,
      output: action.output,
      needsApproval: settings.needsApproval,
      approvalTimeout: settings.approvalTimeout,
      onError: settings.onError,
      execute: (input, context) =>
        action.run({
          config,
          input,
          signal: context.signal,
          idempotencyKey: context.idempotencyKey,
          logger: context.logger,
        }),
    },
    undefined,
  )
}
