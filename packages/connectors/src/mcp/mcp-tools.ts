import type { Logger } from '@tessera/core'
import type { z } from 'zod'
import type { McpConnector, McpToolInfo } from './create-mcp-connector'
import type { McpConfig } from './mcp-transport'

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
  readonly execute: (
    input: unknown,
    context: { signal: AbortSignal; idempotencyKey: string; logger: Logger },
  ) => Promise<unknown>
  readonly delegation: undefined
}

/**
 * What {@link mcpTools} takes.
 *
 * @example
 * ```ts
 * const settings: McpToolsSettings = { config: { headers: { authorization: `Bearer ${token}` } }, needsApproval: true }
 * ```
 */
export interface McpToolsSettings {
  /**
   * The connector's configuration with its secrets already resolved (header or environment
   * values as strings: read them from your secrets provider). Default: none.
   */
  config?: McpConfig
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
      execute: (
        input: unknown,
        context: { signal: AbortSignal; idempotencyKey: string; logger: Logger },
      ) =>
        action.run({
          config,
          input,
          signal: context.signal,
          idempotencyKey: context.idempotencyKey,
          logger: context.logger,
        }),
      delegation: undefined,
    })
  }
  return tools
}
