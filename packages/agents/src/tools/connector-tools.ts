import { InvalidArgumentError, type ConnectorV1 } from '@tessera/core'
import { assertConnector, buildConnectorTool, type ConnectorToolSettings } from './connector-tool'
import type { Tool, ToolSet } from './tool'

/**
 * What {@link connectorTools} takes besides the connector.
 *
 * @example
 * ```ts
 * const settings: ConnectorToolsSettings<SlackConfig> = { config: { token: { $secret: 'SLACK_TOKEN' } }, actions: ['send-message'], prefix: 'team' }
 * ```
 */
export interface ConnectorToolsSettings<TConfig> extends Omit<
  ConnectorToolSettings<TConfig>,
  'description' | 'needsApproval'
> {
  /** The actions to expose, by name (default `'all'`). */
  actions?: readonly string[] | 'all'
  /**
   * Starts every tool name: `<prefix>_<action>` (default the connector's id). `''` leaves the
   * action names alone. Names are then made what model vendors accept: letters, digits, `_`
   * and `-`, at most 64 characters.
   */
  prefix?: string
  /** Whether a call needs a human's approval: for all tools, or per action and input. */
  needsApproval?: boolean | ((action: string, input: any) => boolean)
}

const maxNameLength = 64

/**
 * Exposes several actions of a connector as tools (one {@link connectorTool} each, sharing the
 * config and its secrets), named `<connector id>_<action>` (e.g. `slack_send-message`) and made
 * safe for every model vendor: characters other than letters, digits, `_` and `-` become `_`,
 * a name starts with a letter or `_`, and is at most 64 characters (a short suffix keeps two
 * truncated names apart). Each tool's description is its action's title and description.
 *
 * @example
 * ```ts
 * import { connectorTools, defineAgent } from '@tessera/agents'
 * import { mapSecrets } from '@tessera/core'
 * import { slackConnector } from '@tessera/connectors/slack'
 *
 * const slackTools = connectorTools(slackConnector, {
 *   config: { token: { $secret: 'SLACK_TOKEN' } },
 *   actions: ['send-message', 'list-channels'],
 *   secrets: mapSecrets({ SLACK_TOKEN: process.env.SLACK_TOKEN! }),
 *   needsApproval: (action) => action === 'send-message',
 * })
 * Object.keys(slackTools) // ['slack_send-message', 'slack_list-channels']
 * const agent = defineAgent({ id: 'ops', instructions: 'Keep the team informed.', model, tools: slackTools })
 * ```
 */
export function connectorTools<TConfig>(
  connector: ConnectorV1<TConfig>,
  settings: ConnectorToolsSettings<TConfig>,
): ToolSet {
  const fn = 'connectorTools'
  assertConnector(fn, connector)
  if (typeof settings !== 'object' || settings === null) {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings',
      expected: `an object with the config of connector "${connector.id}"`,
      received: settings,
    })
  }
  const known = Object.keys(connector.actions)
  const selection = settings.actions ?? 'all'
  if (selection !== 'all' && !Array.isArray(selection)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings.actions',
      expected: `"all" or an array of action names of connector "${connector.id}"`,
      received: selection,
    })
  }
  const names = selection === 'all' ? known : [...new Set(selection as readonly string[])]
  for (const name of names) {
    if (typeof name !== 'string' || !Object.hasOwn(connector.actions, name)) {
      throw new InvalidArgumentError({
        fn,
        argument: 'settings.actions',
        expected: `action names of connector "${connector.id}": ${known.map((known) => `"${known}"`).join(', ')}`,
        received: name,
      })
    }
  }
  const prefix = settings.prefix ?? connector.id
  if (typeof prefix !== 'string') {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings.prefix',
      expected: 'a string (or "" for no prefix)',
      received: prefix,
    })
  }
  const { actions: _actions, prefix: _prefix, needsApproval, ...shared } = settings
  const tools: Record<string, Tool> = {}
  for (const name of names) {
    const toolName = uniqueName(toolNameOf(prefix, name), tools)
    tools[toolName] = buildConnectorTool(fn, connector, name, {
      ...shared,
      ...(needsApproval === undefined
        ? {}
        : {
            needsApproval:
              typeof needsApproval === 'function'
                ? (input: unknown) => needsApproval(name, input)
                : needsApproval,
          }),
    })
  }
  return Object.freeze(tools)
}

/**
 * The tool name of `action` under `prefix`, in the characters model vendors accept
 * (`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`).
 *
 * @example
 * ```ts
 * toolNameOf('slack', 'send-message') // 'slack_send-message'
 * toolNameOf('', 'files.upload') // 'files_upload'
 * ```
 */
export function toolNameOf(prefix: string, action: string): string {
  let name = (prefix === '' ? action : `${prefix}_${action}`).replace(/[^A-Za-z0-9_-]/g, '_')
  if (!/^[A-Za-z_]/.test(name)) name = `_${name}`
  return name.slice(0, maxNameLength)
}

function uniqueName(name: string, taken: Record<string, Tool>): string {
  if (!Object.hasOwn(taken, name)) return name
  for (let index = 2; ; index++) {
    const suffix = `_${index}`
    const candidate = name.slice(0, maxNameLength - suffix.length) + suffix
    if (!Object.hasOwn(taken, candidate)) return candidate
  }
}
