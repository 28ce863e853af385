import { z } from 'zod'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import {
  ConnectorError,
  defineConnector,
  type ConnectorAction,
  type SecretRef,
  type SecretsProviderV1,
} from '@tessera/core'
import { mcpError, McpClients } from './mcp-clients'
import { exampleFromToolSchema, zodFromToolSchema, type JsonSchemaObject } from './mcp-json-schema'
import {
  mcpHttpConfigSchema,
  mcpStdioConfigSchema,
  type McpConfig,
  type McpTransportSettings,
} from './mcp-transport'

/**
 * Settings of {@link createMcpConnector}.
 *
 * @example
 * ```ts
 * const settings: McpConnectorSettings = { id: 'docs', transport: { type: 'http', url: 'https://mcp.example.com/mcp' }, tools: ['search_docs'] }
 * ```
 */
export interface McpConnectorSettings {
  /** Default `mcp`. Give each server its own id to register several in one engine. */
  id?: string
  /** A human name. Default: the name the server reports, else "MCP". */
  name?: string
  transport: McpTransportSettings
  /** Only these tools (by name, or a predicate) become actions. Default: all. */
  tools?: readonly string[] | ((tool: McpToolInfo) => boolean)
  /** Per call (and for connecting), in milliseconds. Default 60 000. */
  timeoutMs?: number
  /** Aborts the discovery (connect and tools/list). */
  signal?: AbortSignal
  /**
   * The configuration to discover the tools with, when the server wants credentials for
   * tools/list: secret references (`{ headers: { authorization: { $secret: 'NAME' } } }`)
   * resolved through `secrets`. Nodes still give their own config when they run.
   */
  discoveryConfig?: { headers?: Record<string, SecretRef>; env?: Record<string, SecretRef> }
  /** Resolves `discoveryConfig`'s secret references. */
  secrets?: SecretsProviderV1
}

/**
 * A tool as the server described it, and the action that calls it.
 *
 * @example
 * ```ts
 * const readOnly = connector.tools.filter((tool: McpToolInfo) => tool.annotations?.readOnlyHint === true)
 * ```
 */
export interface McpToolInfo {
  /** The tool's name on the server. */
  name: string
  /** The connector action (and agent tool) that calls it. */
  action: string
  title: string | undefined
  description: string | undefined
  inputSchema: JsonSchemaObject
  outputSchema: JsonSchemaObject | undefined
  /** The server's hints (readOnlyHint, destructiveHint, idempotentHint, openWorldHint). */
  annotations: Record<string, unknown> | undefined
}

/**
 * The `_meta` key under which each tool call carries the step's idempotency key: a server that
 * deduplicates reads `request.params._meta["tessera.dev/idempotency-key"]`.
 *
 * @example
 * ```ts
 * server.registerTool('pay', config, async (input, extra) => pay(input, extra._meta?.[mcpIdempotencyMetaKey]))
 * ```
 */
export const mcpIdempotencyMetaKey = 'tessera.dev/idempotency-key'

const contentOutput = z.object({
  content: z.array(z.unknown()).describe("The tool's content blocks (text, image, resource, …)"),
  text: z.string().describe('The text blocks joined by newlines'),
  structuredContent: z.unknown().optional().describe('Structured output, when the tool sent it'),
})

/**
 * Connects to a Model Context Protocol server, lists its tools (following `nextCursor`) and
 * returns a connector with one action per tool: the input schema converted from the tool's
 * JSON Schema, the output its structured content (tools with an `outputSchema`) or
 * `{ content, text }`. Calls pass the step's signal (an abort sends `notifications/cancelled`)
 * and its idempotency key in `_meta["tessera.dev/idempotency-key"]`. A tool result with
 * `isError: true` throws a `ConnectorError` with reason `remote`. The connection stays open for
 * later calls (one per configuration); `close()` ends it and stops a stdio server.
 *
 * @example
 * ```ts
 * import { createMcpConnector } from '@tessera/connectors/mcp'
 *
 * const files = await createMcpConnector({
 *   id: 'files',
 *   transport: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv/data'] },
 * })
 * engine.register(files)
 * // later: await files.close()
 * ```
 */
export async function createMcpConnector(settings: McpConnectorSettings) {
  const id = settings.id ?? 'mcp'
  const timeoutMs = settings.timeoutMs ?? 60_000
  const clients = new McpClients(id, settings.transport, timeoutMs)
  let client: Client
  let infos: McpToolInfo[]
  try {
    const discovery = await resolveDiscoveryConfig(id, settings)
    client = await clients.get(discovery, 'connect', settings.signal)
    infos = await listTools(client, id, settings.signal, timeoutMs)
  } catch (error) {
    await clients.close()
    throw mcpError(id, 'connect', error, settings.signal)
  }
  const filter = settings.tools
  if (filter !== undefined)
    infos = infos.filter((info) =>
      typeof filter === 'function' ? filter(info) : filter.includes(info.name),
    )
  const actions: Record<string, ConnectorAction<McpConfig, any, any>> = {}
  for (const info of infos) actions[info.action] = toolAction(id, info, clients, timeoutMs)
  const server = client.getServerVersion()
  const connector = defineConnector({
    id,
    name: settings.name ?? server?.name ?? 'MCP',
    description:
      client.getInstructions() ??
      `The tools of ${server?.name !== undefined ? `the MCP server ${server.name}` : 'an MCP server'} (${settings.transport.type})`,
    docs: 'https://tessera.dev/docs/connectors/mcp',
    config: (settings.transport.type === 'http'
      ? mcpHttpConfigSchema
      : mcpStdioConfigSchema) as z.ZodType<McpConfig, any>,
    actions,
    async check({ config, signal }) {
      try {
        const checked = await clients.get(config, 'check', signal)
        await checked.ping({ signal, timeout: timeoutMs })
      } catch (error) {
        throw mcpError(id, 'check', error, signal)
      }
    },
  })
  return Object.freeze({
    ...connector,
    /** The tools the server offered (after the `tools` filter), with their action names. */
    tools: Object.freeze(infos) as readonly McpToolInfo[],
    /** Closes every connection (and stops stdio servers). */
    close: () => clients.close(),
  })
}

/** `settings.discoveryConfig` with its secret references resolved through `settings.secrets`. */
async function resolveDiscoveryConfig(
  connectorId: string,
  settings: McpConnectorSettings,
): Promise<McpConfig> {
  const config: McpConfig = {}
  for (const field of ['headers', 'env'] as const) {
    const refs = settings.discoveryConfig?.[field]
    if (refs === undefined) continue
    const values: Record<string, string> = {}
    for (const [name, ref] of Object.entries(refs)) {
      const value = await settings.secrets?.get(ref.$secret, {
        ...(settings.signal !== undefined ? { signal: settings.signal } : {}),
      })
      if (value === undefined)
        throw new ConnectorError({
          connector: connectorId,
          action: 'connect',
          reason: 'invalid-config',
          message: `discoveryConfig.${field}.${name} refers to the secret ${JSON.stringify(ref.$secret)}, which ${
            settings.secrets === undefined
              ? 'cannot be read: give settings.secrets'
              : 'the secrets provider does not have'
          }`,
        })
      values[name] = value
    }
    config[field] = values
  }
  return config
}

/**
 * The connector that {@link createMcpConnector} resolves to: a `ConnectorV1` plus `tools` and
 * `close()`.
 *
 * @example
 * ```ts
 * const files: McpConnector = await createMcpConnector({ transport: { type: 'stdio', command: 'my-mcp-server' } })
 * ```
 */
export type McpConnector = Awaited<ReturnType<typeof createMcpConnector>>

async function listTools(
  client: Client,
  connectorId: string,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<McpToolInfo[]> {
  const infos: McpToolInfo[] = []
  const used = new Set<string>()
  let cursor: string | undefined
  const seen = new Set<string>()
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, {
      timeout: timeoutMs,
      ...(signal !== undefined ? { signal } : {}),
    })
    for (const tool of page.tools) {
      infos.push({
        name: tool.name,
        action: actionName(tool.name, used),
        title: tool.title ?? tool.annotations?.title,
        description: tool.description,
        inputSchema: tool.inputSchema as JsonSchemaObject,
        outputSchema: tool.outputSchema as JsonSchemaObject | undefined,
        annotations: tool.annotations as Record<string, unknown> | undefined,
      })
    }
    cursor = page.nextCursor
    if (cursor !== undefined) {
      // A server that repeats a cursor would loop forever.
      if (seen.has(cursor))
        throw mcpError(
          connectorId,
          'connect',
          new Error(`tools/list repeated cursor ${cursor}`),
          signal,
        )
      seen.add(cursor)
    }
  } while (cursor !== undefined)
  return infos
}

/** A valid, unique action name for a tool name (MCP allows characters action ids do not). */
function actionName(toolName: string, used: Set<string>): string {
  const base = toolName.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 190) || 'tool'
  let name = base
  for (let index = 2; used.has(name); index++) name = `${base}_${index}`
  used.add(name)
  return name
}

function toolAction(
  connectorId: string,
  info: McpToolInfo,
  clients: McpClients,
  timeoutMs: number,
): ConnectorAction<McpConfig, any, any> {
  const input = zodFromToolSchema(info.inputSchema, z.record(z.string(), z.unknown()))
  const structured =
    info.outputSchema === undefined ? undefined : zodFromToolSchema(info.outputSchema, z.unknown())
  const example = exampleFromToolSchema(info.inputSchema, input)
  return {
    title: info.title ?? info.name,
    description: info.description ?? `Calls the MCP tool ${info.name}`,
    ...(example !== undefined ? { examples: [{ input: example }] } : {}),
    input,
    output: structured ?? contentOutput,
    async run({ config, input: args, signal, idempotencyKey }) {
      const callOnce = async (client: Client) =>
        client.callTool(
          {
            name: info.name,
            arguments: args as Record<string, unknown>,
            _meta: { [mcpIdempotencyMetaKey]: idempotencyKey },
          },
          undefined,
          { signal, timeout: timeoutMs },
        )
      let result: Awaited<ReturnType<Client['callTool']>>
      try {
        const client = await clients.get(config, info.action, signal)
        try {
          result = await callOnce(client)
        } catch (error) {
          // Streamable HTTP: 404 means the server no longer knows the session (it restarted,
          // or the session expired) and did not run the call. The spec says to start a new
          // session; the call is then sent once more.
          if ((error as { code?: unknown } | null)?.code !== 404 || signal.aborted) throw error
          await clients.evict(config, client)
          result = await callOnce(await clients.get(config, info.action, signal))
        }
      } catch (error) {
        throw mcpError(connectorId, info.action, error, signal)
      }
      const content = Array.isArray(result.content) ? (result.content as unknown[]) : []
      const text = content
        .flatMap((block) =>
          typeof block === 'object' &&
          block !== null &&
          (block as { type?: unknown }).type === 'text' &&
          typeof (block as { text?: unknown }).text === 'string'
            ? [(block as { text: string }).text]
            : [],
        )
        .join('\n')
      if (result.isError === true)
        throw mcpError(
          connectorId,
          info.action,
          Object.assign(
            new Error(`the tool reported an error: ${text.slice(0, 500) || '(no text)'}`),
            {
              code: -32603,
            },
          ),
          undefined,
        )
      if (structured !== undefined) {
        if (result.structuredContent === undefined)
          throw new ConnectorError({
            connector: connectorId,
            action: info.action,
            reason: 'invalid-response',
            message: 'the tool declares an outputSchema but sent no structuredContent',
          })
        return result.structuredContent
      }
      return {
        content,
        text,
        ...(result.structuredContent !== undefined
          ? { structuredContent: result.structuredContent }
          : {}),
      }
    },
  }
}
