import { resolveConfigSecrets, type Logger, type SecretsProviderV1 } from '@tessera/core'
import type { z } from 'zod'
import type { McpConnector, McpToolInfo } from './create-mcp-connector'
import type { mcpHttpConfigSchema, mcpStdioConfigSchema } from './mcp-transport'

/**
 * An agent tool as `@tessera/agents` takes it (`defineAgent({ tools })`): the same shape as the
 * `Tool` that its `tool()` returns, built here without depending on the agents package.
 *
 * @example
 * ```ts
 * const add: McpAgentTool = mcpTools(connector).add!
 * ```
 */
export interface McpAgentTool {
  readonly kind: 'tool'
  readonly description: string
  readonly input: z.ZodType
  readonly output: z.ZodType | undefined
  readonly needsApproval: boolean
  readonly approvalTimeoutMs: number | undefined
  readonly onError: 'tool-result' | 'throw'
  readonly execute: (input: unknown, context: McpToolContext) => Promise<unknown>
  readonly delegation: undefined
}

/** What an agent hands a tool call (the part of `ToolContext` from @tessera/agents used here). */
export interface McpToolContext {
  signal: AbortSignal
  idempotencyKey: string
  logger: Logger
  /** The run's secrets (the engine's, inside an agent node; `generate({ secrets })` otherwise). */
  secrets?: SecretsProviderV1
}

/**
 * What {@link mcpTools} takes.
 *
 * @example
 * ```ts
 * const settings: McpToolsSettings = { config: { headers: { authorization: { $secret: 'MCP_TOKEN' } } }, needsApproval: true }
 * ```
 */
export interface McpToolsSettings {
  /**
   * The connector's configuration; header and environment values may be secret references
   * (`{ $secret: 'NAME' }`), resolved at every call through `secrets`, else the run's secrets.
   * Default: none.
   */
  config?: z.input<typeof mcpHttpConfigSchema> | z.input<typeof mcpStdioConfigSchema>
  /** Where secret references resolve first (before the run's own secrets). */
  secrets?: SecretsProviderV1 | readonly SecretsProviderV1[]
  /** Whether a human must approve a call; a function decides per tool. Default false. */
  needsApproval?: boolean | ((tool: McpToolInfo) => boolean)
  /** What a failed call does (see `ToolErrorMode` in @tessera/agents). Default `tool-result`. */
  onError?: 'tool-result' | 'throw'
}

/**
 * The tools of an MCP connector as agent tools, keyed by a name models accept
 * (`[A-Za-z0-9_-]`, at most 64 characters): pass them to `defineAgent({ tools })`. Each call
 * runs the connector's action, so it gets the tool call's signal (cancellation reaches the MCP
 * server) and idempotency key.
 *
 * @example
 * ```ts
 * import { defineAgent } from '@tessera/agents'
 * import { createMcpConnector, mcpTools } from '@tessera/connectors/mcp'
 *
 * const files = await createMcpConnector({ transport: { type: 'stdio', command: 'my-mcp-server' } })
 * const agent = defineAgent({ id: 'clerk', instructions: 'Answer from the files.', model, tools: mcpTools(files) })
 * ```
 */
export function mcpTools(
  connector: McpConnector,
  settings: McpToolsSettings = {},
): Record<string, McpAgentTool> {
  const tools: Record<string, McpAgentTool> = {}
  const config = settings.config ?? {}
  for (const info of connector.tools) {
    const action = connector.actions[info.action]
    if (action === undefined) continue
    let name = info.action.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)
    for (let index = 2; name in tools; index++) name = `${name.slice(0, 60)}_${index}`
    const needsApproval =
      typeof settings.needsApproval === 'function'
        ? settings.needsApproval(info)
        : (settings.needsApproval ?? false)
    tools[name] = Object.freeze({
      kind: 'tool' as const,
      description: info.description ?? action.description ?? `The MCP tool ${info.name}`,
      input: action.input,
      output: action.output,
      needsApproval,
      approvalTimeoutMs: undefined,
      onError: settings.onError ?? 'tool-result',
      execute: async (input: unknown, context: McpToolContext) => {
        // The tool's own providers first, then the run's; resolved values never leave the call.
        const providers = [
          ...(settings.secrets === undefined
            ? []
            : Array.isArray(settings.secrets)
              ? settings.secrets
              : [settings.secrets as SecretsProviderV1]),
          ...(context.secrets === undefined ? [] : [context.secrets]),
        ]
        const resolved = await resolveConfigSecrets(config, {
          secrets: providers,
          connector: connector.id,
          action: info.action,
          where: `tool "${name}"`,
          signal: context.signal,
        })
        try {
          const output = await action.run({
            config: resolved.config as never,
            input,
            signal: context.signal,
            idempotencyKey: context.idempotencyKey,
            logger: resolved.redact.logger(context.logger),
          })
          // The output goes to the model's vendor: no secret value in it either.
          return resolved.redact.value(output)
        } catch (error) {
          throw resolved.redact.error(error)
        }
      },
      delegation: undefined,
    })
  }
  return tools
}
