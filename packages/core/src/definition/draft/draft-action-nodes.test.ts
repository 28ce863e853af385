import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineConnector } from '../../index'
import { createRegistry } from '../../registry/registry'
import { draftSchema } from './draft-schema'
import { draftWorkflow } from './draft-workflow'
import { scriptedDrafter } from '../../../test/scripted-drafter'

const crm = defineConnector({
  id: 'crm',
  description: 'The sales CRM',
  config: z.object({ baseUrl: z.url(), retries: z.number().int().max(5).optional() }),
  actions: {
    'find-contact': {
      description: 'Finds a contact by e-mail',
      input: z.object({ email: z.string() }),
      output: z.object({ name: z.string() }),
      run: async () => ({ name: 'Ada' }),
    },
  },
})
const registry = (() => {
  const mutable = createRegistry()
  mutable.addConnector(crm)
  return mutable.describe()
})()

const answer = (config: Record<string, unknown>) =>
  JSON.stringify({
    id: 'lookup',
    inputSchema: {
      type: 'object',
      properties: { email: { type: 'string' } },
      required: ['email'],
    },
    root: {
      type: 'sequence',
      id: 'root',
      children: [{ type: 'action', id: 'find', connector: 'crm', action: 'find-contact', config }],
    },
  })

describe('draftWorkflow with connectors', () => {
  it("offers each connector's actions and config schema, and repairs an invalid config", async () => {
    const { model, requests } = scriptedDrafter([
      answer({ baseUrl: 'https://crm.example.com', retries: 9 }),
      answer({ baseUrl: 'https://crm.example.com', retries: 2 }),
    ])
    const result = await draftWorkflow('Look the contact up in the CRM', { model, registry })
    expect(result.attempts).toBe(2)
    expect(
      result.rejected.map((issues) => issues.map((issue) => `${issue.code} ${issue.path}`)),
    ).toEqual([['invalid_config root.children[0].config.retries']])
    expect(result.definition.root).toMatchObject({
      children: [{ type: 'action', config: { retries: 2 } }],
    })
    const system = String(requests[0]!.messages[0]!.content)
    expect(system).toContain('Finds a contact by e-mail')
    expect(system).toContain('action (runs an action of a registered connector')
    expect(String(requests[1]!.messages.at(-1)!.content)).toContain(
      'root.children[0].config.retries',
    )
  })

  it('the response schema restricts action nodes to the registry', () => {
    const schema = z.fromJSONSchema(draftSchema(registry) as Parameters<typeof z.fromJSONSchema>[0])
    const parse = (config: Record<string, unknown>, action = 'find-contact') => {
      const body = JSON.parse(answer(config)) as { root: { children: { action: string }[] } }
      body.root.children[0]!.action = action
      return schema.safeParse(body).success
    }
    expect(parse({ baseUrl: 'https://crm.example.com' })).toBe(true)
    expect(parse({ baseUrl: 'https://crm.example.com' }, 'delete-contact')).toBe(false)
    expect(parse({ retries: 1 })).toBe(false)
  })
})
