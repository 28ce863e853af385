import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createScriptedModel, defineAgent } from '@tessera/agents'
import { createMcpConnector, mcpTools, type McpConnector } from '@tessera/connectors/mcp'
import { mcpFixturePath } from './fakes/mcp-fixture'

// mcpTools: an MCP server's tools given to an agent (scripted model) and called by it.

let connector: McpConnector
beforeAll(async () => {
  connector = await createMcpConnector({
    transport: {
      type: 'stdio',
      command: process.execPath,
      args: [mcpFixturePath, 'stdio'],
      stderr: 'ignore',
    },
  })
})
afterAll(() => connector?.close())

describe('mcpTools', () => {
  it('gives an agent the server tools; a model call runs the MCP tool', async () => {
    const tools = mcpTools(connector, { needsApproval: (tool) => tool.name === 'fail' })
    expect(Object.keys(tools)).toEqual(['add', 'echo', 'slow', 'cancellations', 'fail', 'crash'])
    expect(tools.fail!.needsApproval).toBe(true)
    const model = createScriptedModel([
      {
        content: [
          { type: 'tool-call', toolCallId: 'c1', toolName: 'add', input: { a: 20, b: 22 } },
        ],
      },
      'The sum is 42.',
    ])
    const agent = defineAgent({ id: 'calculator', instructions: 'Add.', model, tools })
    const result = await agent.generate('What is 20 + 22?', { idempotencyKey: 'run-3' })
    expect(result.output).toBe('The sum is 42.')
    expect(result.steps[0]!.toolResults[0]!.output).toEqual({ sum: 42 })
  })

  it('a failing tool goes back to the model as an error result', async () => {
    const model = createScriptedModel([
      { content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'fail', input: {} }] },
      'Sorry.',
    ])
    const agent = defineAgent({
      id: 'failer',
      instructions: 'x',
      model,
      tools: mcpTools(connector),
    })
    const result = await agent.generate('go')
    expect(result.output).toBe('Sorry.')
    expect(JSON.stringify(result.steps[0]!.toolResults[0])).toContain('it failed')
  })
})
