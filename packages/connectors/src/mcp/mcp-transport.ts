import { z } from 'zod'
import { secretRef } from '@tessera/core'

/**
 * How the MCP connector reaches its server: a child process speaking MCP over stdio, or a
 * Streamable HTTP endpoint.
 *
 * @example
 * ```ts
 * const local: McpTransportSettings = { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] }
 * const remote: McpTransportSettings = { type: 'http', url: 'https://mcp.example.com/mcp' }
 * ```
 */
export type McpTransportSettings =
  | {
      type: 'stdio'
      /** The program to start, such as `node` or `npx`. */
      command: string
      args?: readonly string[]
      /** Added to a minimal default environment (PATH, HOME, …), not to the whole of process.env. */
      env?: Readonly<Record<string, string>>
      cwd?: string
      /** The server's stderr: `inherit` (default) shows its logs, `ignore` drops them. */
      stderr?: 'inherit' | 'ignore'
    }
  | {
      type: 'http'
      /** The Streamable HTTP endpoint, such as `https://mcp.example.com/mcp`. */
      url: string
      /** Headers sent with every request (not secrets from definitions: see the config's `headers`). */
      headers?: Readonly<Record<string, string>>
    }

const secretRecord = (what: string) =>
  z.record(z.string().min(1), secretRef({ description: `A secret ${what} value` })).optional()

/**
 * The configuration schema of an MCP connector over HTTP: headers whose values are secret
 * references (such as `authorization`), added to the transport's headers.
 *
 * @example
 * ```ts
 * mcpHttpConfigSchema.parse({ headers: { authorization: { $secret: 'MCP_AUTHORIZATION' } } })
 * ```
 */
export const mcpHttpConfigSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'an http or https URL' })
      .optional()
      .describe(
        "Another address of the same server (a proxy, another region) instead of the transport's URL",
      ),
    headers: secretRecord('header').describe(
      'Headers whose values are secrets (such as authorization: "Bearer …"), added to every request',
    ),
  })
  .strict()

/**
 * The configuration schema of an MCP connector over stdio: environment variables whose values
 * are secret references, added to the server process's environment.
 *
 * @example
 * ```ts
 * mcpStdioConfigSchema.parse({ env: { GITHUB_TOKEN: { $secret: 'GITHUB_TOKEN' } } })
 * ```
 */
export const mcpStdioConfigSchema = z
  .object({
    env: secretRecord('environment variable').describe(
      "Environment variables whose values are secrets, added to the server process's environment",
    ),
  })
  .strict()

/**
 * An MCP connector's configuration as an action receives it (secrets resolved).
 *
 * @example
 * ```ts
 * const config: McpConfig = { headers: { authorization: `Bearer ${token}` } }
 * ```
 */
export interface McpConfig {
  url?: string | undefined
  headers?: Record<string, string> | undefined
  env?: Record<string, string> | undefined
}

/** The transport with the configuration's resolved secrets merged in. */
export function effectiveTransport(
  transport: McpTransportSettings,
  config: McpConfig,
): McpTransportSettings {
  if (transport.type === 'http')
    return {
      ...transport,
      ...(config.url !== undefined ? { url: config.url } : {}),
      headers: { ...transport.headers, ...config.headers },
    }
  return { ...transport, env: { ...transport.env, ...config.env } }
}
