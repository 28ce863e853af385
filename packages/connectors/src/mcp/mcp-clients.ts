import { createHash } from 'node:crypto'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { ConnectorError } from '@tessera/core'
import { effectiveTransport, type McpConfig, type McpTransportSettings } from './mcp-transport'

const installMessage = 'install @modelcontextprotocol/sdk to use the MCP connector'

/** Connected MCP clients, one per effective transport (a hash of it is the key), closable. */
export class McpClients {
  readonly #clients = new Map<string, Promise<Client>>()
  readonly #connectorId: string
  readonly #transport: McpTransportSettings
  readonly #timeoutMs: number

  constructor(connectorId: string, transport: McpTransportSettings, timeoutMs: number) {
    this.#connectorId = connectorId
    this.#transport = transport
    this.#timeoutMs = timeoutMs
  }

  /** A connected client for this configuration, connecting (once) when there is none. */
  get(config: McpConfig, action: string, signal?: AbortSignal): Promise<Client> {
    const transport = effectiveTransport(this.#transport, config)
    const key = this.#key(config)
    let client = this.#clients.get(key)
    if (client === undefined) {
      client = this.#connect(transport, action, signal, () => {
        if (this.#clients.get(key) === client) this.#clients.delete(key)
      })
      this.#clients.set(key, client)
      client.catch(() => this.#clients.delete(key))
    }
    return client
  }

  /**
   * Forgets `client` (closing it) when it is still the one for this configuration, so the next
   * `get` connects again: a Streamable HTTP server that lost the session answers 404.
   */
  async evict(config: McpConfig, client: Client): Promise<void> {
    const key = this.#key(config)
    const cached = this.#clients.get(key)
    if (cached !== undefined && (await cached.catch(() => undefined)) === client)
      this.#clients.delete(key)
    await client.close().catch(() => undefined)
  }

  /** Closes every client (stdio servers are stopped). */
  async close(): Promise<void> {
    const clients = [...this.#clients.values()]
    this.#clients.clear()
    await Promise.all(
      clients.map(async (pending) => {
        const client = await pending.catch(() => undefined)
        await client?.close().catch(() => undefined)
      }),
    )
  }

  #key(config: McpConfig): string {
    const transport = effectiveTransport(this.#transport, config)
    return createHash('sha256').update(JSON.stringify(transport)).digest('hex')
  }

  async #connect(
    transport: McpTransportSettings,
    action: string,
    signal: AbortSignal | undefined,
    onClose: () => void,
  ): Promise<Client> {
    const sdk = await loadSdk(this.#connectorId, action, transport.type)
    const client = new sdk.Client({ name: 'tessera', version: '1.0.0' }, { capabilities: {} })
    client.onclose = onClose
    const wire =
      transport.type === 'stdio'
        ? new sdk.StdioClientTransport({
            command: transport.command,
            args: [...(transport.args ?? [])],
            ...(transport.env !== undefined
              ? { env: { ...sdk.defaultEnvironment(), ...transport.env } }
              : {}),
            ...(transport.cwd !== undefined ? { cwd: transport.cwd } : {}),
            stderr: transport.stderr ?? 'inherit',
          })
        : new sdk.StreamableHTTPClientTransport(new URL(transport.url), {
            requestInit: { headers: { ...transport.headers } },
          })
    try {
      await client.connect(wire, {
        timeout: this.#timeoutMs,
        ...(signal !== undefined ? { signal } : {}),
      })
    } catch (error) {
      await client.close().catch(() => undefined)
      throw mcpError(this.#connectorId, action, error, signal)
    }
    return client
  }
}

interface McpSdk {
  Client: typeof import('@modelcontextprotocol/sdk/client/index.js').Client
  StdioClientTransport: typeof import('@modelcontextprotocol/sdk/client/stdio.js').StdioClientTransport
  defaultEnvironment: typeof import('@modelcontextprotocol/sdk/client/stdio.js').getDefaultEnvironment
  StreamableHTTPClientTransport: typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js').StreamableHTTPClientTransport
}

async function loadSdk(connector: string, action: string, type: 'stdio' | 'http'): Promise<McpSdk> {
  try {
    const [{ Client }, stdio, http] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      type === 'stdio' ? import('@modelcontextprotocol/sdk/client/stdio.js') : undefined,
      type === 'http' ? import('@modelcontextprotocol/sdk/client/streamableHttp.js') : undefined,
    ])
    return {
      Client,
      StdioClientTransport: stdio?.StdioClientTransport as McpSdk['StdioClientTransport'],
      defaultEnvironment: stdio?.getDefaultEnvironment as McpSdk['defaultEnvironment'],
      StreamableHTTPClientTransport:
        http?.StreamableHTTPClientTransport as McpSdk['StreamableHTTPClientTransport'],
    }
  } catch (error) {
    throw new ConnectorError({
      connector,
      action,
      reason: 'invalid-config',
      message: installMessage,
      cause: error,
    })
  }
}

// JSON-RPC error codes of the MCP SDK's McpError (ErrorCode in @modelcontextprotocol/sdk/types).
const connectionClosed = -32000
const requestTimeout = -32001
const methodNotFound = -32601
const invalidParams = -32602

/**
 * Maps what the MCP SDK throws to a `ConnectorError`: an aborted signal aborted; McpError
 * codes (request timeout timeout, connection closed network, invalid params invalid-request,
 * unknown method not-found, others remote); Streamable HTTP statuses (401/403 unauthorized, 404
 * not-found, 429 rate-limited, 5xx remote and retryable); a command that does not exist
 * invalid-config; anything else network.
 */
export function mcpError(
  connector: string,
  action: string,
  error: unknown,
  signal: AbortSignal | undefined,
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const fail = (
    reason: ConnectorError['reason'],
    message: string,
    extra: { status?: number | string; retryable?: boolean } = {},
  ) => new ConnectorError({ connector, action, reason, message, cause: error, ...extra })
  if (signal?.aborted === true) return fail('aborted', 'the call was aborted by the caller')
  const message = error instanceof Error ? error.message : String(error)
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'number' && code < 0) {
    if (code === requestTimeout) return fail('timeout', message, { status: code })
    if (code === connectionClosed) return fail('network', message, { status: code })
    if (code === invalidParams) return fail('invalid-request', message, { status: code })
    if (code === methodNotFound) return fail('not-found', message, { status: code })
    return fail('remote', message, { status: code })
  }
  if (typeof code === 'number' && code >= 400) {
    if (code === 401 || code === 403)
      return fail('unauthorized', `the MCP server refused the credentials (HTTP ${code})`, {
        status: code,
      })
    if (code === 404) return fail('not-found', message, { status: code })
    if (code === 429) return fail('rate-limited', message, { status: code })
    return fail('remote', message, { status: code, retryable: code >= 500 })
  }
  if (code === 'ENOENT' || code === 'EACCES')
    return fail('invalid-config', `the MCP server command cannot be started: ${message}`, {
      status: code,
    })
  return fail('network', `the MCP server could not be reached: ${message}`)
}
