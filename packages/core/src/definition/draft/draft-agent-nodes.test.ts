import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { AgentV1, LanguageModelV1, ModelRequest } from '../../index'
import { createRegistry } from '../../registry/registry'
import { draftSchema } from './draft-schema'
import { draftWorkflow } from './draft-workflow'

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

/** Answers from a script, recording the requests. */
function scriptedModel(answers: string[]) {
  const requests: ModelRequest[] = []
  const model: LanguageModelV1 = {
    specificationVersion: 'v1',
    provider: 'scripted',
    modelId: 'drafter',
    capabilities: { tools: false, structuredOutput: true, streaming: false },
    async generate(request) {
      requests.push(request)
      return {
        content: [{ type: 'text', text: answers[requests.length - 1]! }],
        finishReason: 'stop',
        usage: { inputTokens: 1, outputTokens: 1 },
        modelId: 'drafter',
      }
    },
    stream() {
      throw new Error('not scripted')
    },
  }
  return { model, requests }
}

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
    const { model, requests } = scriptedModel([answer('triage', 'number'), answer('triage')])
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
