import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { AgentV1 } from '../../index'
import { createRegistry } from '../../registry/registry'
import { draftSchema } from './draft-schema'
import { draftWorkflow } from './draft-workflow'
import { scriptedDrafter } from '../../../test/scripted-drafter'

const triage: AgentV1<{ text: string }, { label: string }> = {
  specificationVersion: 'v1',
  kind: 'agent',
  id: 'triage',
  description: 'Labels a support ticket',
  input: z.object({ text: z.string() }),
  output: z.object({ label: z.string() }),
  run: async () => ({ label: 'billing' }),
}
const registry = (() => {
  const mutable = createRegistry()
  mutable.addAgent(triage)
  return mutable.describe()
})()

const answer = (agent: string, text: 'string' | 'number' = 'string') =>
  JSON.stringify({
    id: 'support',
    inputSchema: {
      type: 'object',
      properties: { text: { type: text } },
      required: ['text'],
    },
    root: { type: 'sequence', id: 'root', children: [{ type: 'agent', id: 'label', agent }] },
  })

describe('draftWorkflow with agents', () => {
  it('offers the registered agents and repairs a type mismatch', async () => {
    const { model, requests } = scriptedDrafter([answer('triage', 'number'), answer('triage')])
    const result = await draftWorkflow('Label the ticket', { model, registry })
    expect(result.attempts).toBe(2)
    expect(result.rejected[0]!.map((issue) => issue.code)).toContain('type_mismatch')
    expect(result.definition.root).toMatchObject({
      children: [{ type: 'agent', id: 'label', agent: 'triage' }],
    })
    const system = String(requests[0]!.messages[0]!.content)
    expect(system).toContain('Labels a support ticket')
    expect(system).toContain('agent (runs a registered agent)')
  })

  it('the response schema restricts agent nodes to the registered agents', () => {
    const schema = z.fromJSONSchema(draftSchema(registry) as Parameters<typeof z.fromJSONSchema>[0])
    expect(schema.safeParse(JSON.parse(answer('triage'))).success).toBe(true)
    expect(schema.safeParse(JSON.parse(answer('translator'))).success).toBe(false)
  })
})
