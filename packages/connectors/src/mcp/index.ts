// @tessera/connectors/mcp: the tools of a Model Context Protocol server as connector actions and
// agent tools, on @modelcontextprotocol/sdk (an optional peer, loaded lazily). Node.js only (stdio).
export {
  createMcpConnector,
  mcpIdempotencyMetaKey,
  type McpConnector,
  type McpConnectorSettings,
  type McpToolInfo,
} from './create-mcp-connector'
export { mcpTools, type McpAgentTool, type McpToolsSettings } from './mcp-tools'
export {
  mcpHttpConfigSchema,
  mcpStdioConfigSchema,
  type McpConfig,
  type McpTransportSettings,
} from './mcp-transport'
