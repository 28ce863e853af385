import { defineConnector, InvalidArgumentError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineAgent } from '../agent/define-agent'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { connectorTool } from './connector-tool'

function ticketing(received: unknown[]) {
  return defineConnector({
    id: 'tickets',
    name: 'Tickets',
    config: z.object({ baseUrl: z.string().url() }),
    actions: {
      'create-ticket': {
        description: 'Opens a support ticket',
        input: z.object({ title: z.string() }),
        output: z.object({ ticketId: z.string() }),
        run: async ({ config, input, idempotencyKey, signal }) => {
          received.push({ config, input, idempotencyKey, aborted: signal.aborted })
          return { ticketId: 'T-1' }
        },
      },
    },
  })
}

describe('connectorTool', () => {
  it('exposes an action as a tool: its schemas, its description, and a run with the config', async () => {
    const received: unknown[] = []
    const create = connectorTool(ticketing(received), 'create-ticket', {
      config: { baseUrl: 'https://tickets.example' },
    })
    expect(create.description).toBe('Opens a support ticket')
    const model = createScriptedModel([
      {
        content: [
          {
            type: 'tool-call',
            toolCallId: 'c1',
            toolName: 'openTicket',
            input: { title: 'Broken' },
          },
        ],
      },
      'Ticket T-1 is open.',
    ])
    const agent = defineAgent({
      id: 'helpdesk',
      instructions: 'x',
      model,
      tools: { openTicket: create },
    })
    const result = await agent.generate('It is broken', { idempotencyKey: 'run-9' })
    expect(result.output).toBe('Ticket T-1 is open.')
    expect(received).toEqual([
      {
        config: { baseUrl: 'https://tickets.example' },
        input: { title: 'Broken' },
        idempotencyKey: 'run-9:tool:c1',
        aborted: false,
      },
    ])
    expect(result.steps[0]!.toolResults[0]!.output).toEqual({ ticketId: 'T-1' })
  })

  it('throws InvalidArgumentError for an unknown action or a config the connector refuses', () => {
    const connector = ticketing([])
    expect(() =>
      connectorTool(connector, 'delete-ticket', { config: { baseUrl: 'https://x.example' } }),
    ).toThrow(/one of the actions of connector "tickets": "create-ticket"/)
    expect(() =>
      connectorTool(connector, 'create-ticket', { config: { baseUrl: 'nope' } }),
    ).toThrow(InvalidArgumentError)
    expect(() =>
      connectorTool(connector, 'create-ticket', { config: { baseUrl: 'nope' } }),
    ).toThrow(/baseUrl/)
    expect(() => connectorTool({} as never, 'create-ticket', { config: {} })).toThrow(
      /defineConnector/,
    )
  })
})
