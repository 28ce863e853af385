import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mapSecrets } from '@tessera/core'
import { connectorTools, createScriptedModel, defineAgent } from '@tessera/agents'
import {
  createMcpConnector,
  mcpTools,
  type McpConfig,
  type McpConnector,
} from '@tessera/connectors/mcp'
import { startMcpHttpFixture } from './fakes/mcp-fixture'

// An MCP server's tools through the connector-tool secret path: connectorTools() on an MCP
// connector whose authorization header is a secret reference, resolved per call (the fixture
// server answers 401 without the right bearer token).

const token = 'mcp-tools-secret-4d2c'
let server: { url: string; stop(): Promise<void> }
let connector: McpConnector
beforeAll(async () => {
  server = await startMcpHttpFixture(token)
  connector = await createMcpConnector({
    id: 'files',
    transport: { type: 'http', url: server.url },
    discoveryConfig: { headers: { authorization: { $secret: 'MCP_AUTHORIZATION' } } },
    secrets: mapSecrets({ MCP_AUTHORIZATION: `Bearer ${token}` }),
  })
})
afterAll(async () => {
  await connector?.close()
  await server?.stop()
})

// The MCP connector types its config as resolved (McpConfig: header values as strings), though
// its schema takes secret references: hence the cast.
const config = {
  headers: { authorization: { $secret: 'MCP_AUTHORIZATION' } },
} as unknown as McpConfig

function echoingAgent(tools: ReturnType<typeof connectorTools>, toolName = 'files_echo') {
  const model = createScriptedModel([
    {
      content: [{ type: 'tool-call', toolCallId: 'c1', toolName, input: { message: 'hi' } }],
    },
    'done',
  ])
  return { model, agent: defineAgent({ id: 'mcp-clerk', instructions: 'x', model, tools }) }
}

describe('connectorTools on an MCP connector', () => {
  it('calls the MCP tool with the header resolved from the run secrets', async () => {
    const tools = connectorTools(connector, { config, actions: ['echo'] })
    expect(Object.keys(tools)).toEqual(['files_echo'])
    const { agent, model } = echoingAgent(tools)
    const result = await agent.generate('say hi', {
      secrets: mapSecrets({ MCP_AUTHORIZATION: `Bearer ${token}` }),
    })
    const toolResult = result.steps[0]!.toolResults[0]!
    expect(toolResult.isError).toBe(false)
    expect(JSON.stringify(toolResult.output)).toContain('hi')
    expect(JSON.stringify(model.calls)).not.toContain(token)
  })

  it('reports a missing secret, and a rejected one, to the model without the value', async () => {
    const missing = echoingAgent(connectorTools(connector, { config, actions: ['echo'] }))
    const noSecret = await missing.agent.generate('say hi')
    expect(noSecret.steps[0]!.toolResults[0]).toMatchObject({ isError: true })
    expect(JSON.stringify(noSecret.steps[0]!.toolResults[0]!.output)).toContain(
      'refers to secret \\"MCP_AUTHORIZATION\\", but no secrets provider was given',
    )

    const wrong = 'Bearer mcp-tools-wrong-9f8e'
    const rejected = echoingAgent(
      connectorTools(connector, {
        config,
        actions: ['echo'],
        secrets: mapSecrets({ MCP_AUTHORIZATION: wrong }),
      }),
    )
    const refused = await rejected.agent.generate('say hi')
    const toolResult = refused.steps[0]!.toolResults[0]!
    expect(toolResult.isError).toBe(true)
    expect(JSON.stringify(rejected.model.calls)).not.toContain('mcp-tools-wrong-9f8e')
  })
})

describe('mcpTools with secret references', () => {
  const refConfig = { headers: { authorization: { $secret: 'MCP_AUTHORIZATION' } } }

  it("resolves the header from the tool's own secrets, else the run's, and redacts it", async () => {
    const own = echoingAgent(
      mcpTools(connector, {
        config: refConfig,
        secrets: mapSecrets({ MCP_AUTHORIZATION: `Bearer ${token}` }),
      }) as never,
      'echo',
    )
    const first = await own.agent.generate('say hi')
    expect(first.steps[0]!.toolResults[0]!.isError).toBe(false)
    expect(JSON.stringify(first.steps[0]!.toolResults[0]!.output)).toContain('hi')

    const fromRun = echoingAgent(mcpTools(connector, { config: refConfig }) as never, 'echo')
    const second = await fromRun.agent.generate('say hi', {
      secrets: mapSecrets({ MCP_AUTHORIZATION: `Bearer ${token}` }),
    })
    expect(second.steps[0]!.toolResults[0]!.isError).toBe(false)
    expect(JSON.stringify([own.model.calls, fromRun.model.calls])).not.toContain(token)
  })

  it('reports a missing secret to the model by name', async () => {
    const missing = echoingAgent(mcpTools(connector, { config: refConfig }) as never, 'echo')
    const result = await missing.agent.generate('say hi')
    expect(result.steps[0]!.toolResults[0]).toMatchObject({ isError: true })
    expect(JSON.stringify(result.steps[0]!.toolResults[0]!.output)).toContain(
      'refers to secret \\"MCP_AUTHORIZATION\\"',
    )
  })
})
