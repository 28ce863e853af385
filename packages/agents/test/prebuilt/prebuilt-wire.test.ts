// Pre-built agents through real providers: the vendor's official SDK talking HTTP to a local
// server that speaks its wire protocol (packages/agents/test/wire). Nothing here is vendor
// specific in the agents: the same factories run on OpenAI and Anthropic.
import {
  createEngine,
  createMemoryStore,
  createWorkflow,
  type Engine,
  type RunHandle,
  type RunStatus,
} from '@tessera/core'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { agentStep } from '../../src/agent/agent-step'
import type { AgentEvent } from '../../src/agent/agent-event'
import { createClassifierAgent } from '../../src/prebuilt/classifier/create-classifier-agent'
import { createDecisionAgent } from '../../src/prebuilt/decision/create-decision-agent'
import { createExtractorAgent } from '../../src/prebuilt/extractor/create-extractor-agent'
import { createPiiRedactorAgent } from '../../src/prebuilt/pii-redactor/create-pii-redactor-agent'
import { createAnthropic } from '../../src/providers/anthropic'
import { createOpenAI } from '../../src/providers/openai'
import { createAnthropicWireServer } from '../wire/anthropic-wire-server'
import { createOpenAIWireServer } from '../wire/openai-wire-server'

const openaiServer = await createOpenAIWireServer()
const anthropicServer = await createAnthropicWireServer()
const openaiModel = () =>
  createOpenAI({ apiKey: 'sk-test', baseURL: openaiServer.url })('gpt-4o-mini')
const anthropicModel = () =>
  createAnthropic({ apiKey: 'sk-ant-test', baseURL: anthropicServer.url })('claude-haiku-5-5')

const engines: Engine[] = []
afterEach(async () => {
  openaiServer.reset()
  anthropicServer.reset()
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})
afterAll(async () => {
  await Promise.all([openaiServer.close(), anthropicServer.close()])
})

async function statusOf(run: RunHandle<unknown>, status: RunStatus): Promise<void> {
  for (let turn = 0; turn < 5000; turn++) {
    if ((await run.record()).status === status) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`run ${run.id} never became ${status}; it is ${(await run.record()).status}`)
}

const invoice = z.object({
  invoiceNumber: z.string(),
  total: z.number(),
  currency: z.string(),
  dueDate: z.string().nullable(),
})

describe('pre-built agents on OpenAI (Chat Completions wire protocol)', () => {
  it('extractor: the schema goes out as response_format json_schema, the answer comes back typed', async () => {
    openaiServer.reply({
      type: 'answer',
      json: { invoiceNumber: 'INV-7', total: 1250, currency: 'EUR', dueDate: '2025-03-01' },
    })
    const extractor = createExtractorAgent({ model: openaiModel(), schema: invoice })
    const { output, usage } = await extractor.generate('Invoice INV-7: €1,250.00 due 1 March 2025')
    expect(output).toEqual({
      invoiceNumber: 'INV-7',
      total: 1250,
      currency: 'EUR',
      dueDate: '2025-03-01',
    })
    expect(usage.inputTokens).toBeGreaterThan(0)

    const body = openaiServer.requests[0]!.body
    expect(body.model).toBe('gpt-4o-mini')
    expect(body.response_format.type).toBe('json_schema')
    expect(Object.keys(body.response_format.json_schema.schema.properties)).toEqual([
      'invoiceNumber',
      'total',
      'currency',
      'dueDate',
    ])
    expect(body.messages[0].content).toContain('You extract structured data')
    expect(body.messages[1]).toEqual({
      role: 'user',
      content: 'Invoice INV-7: €1,250.00 due 1 March 2025',
    })
  })

  it('classifier, streaming: an invented label is repaired over the wire', async () => {
    openaiServer.reply(
      { type: 'answer', json: { label: 'refunds', confidence: 0.9, reasons: ['refund'] } },
      { type: 'answer', json: { label: 'billing', confidence: 0.9, reasons: ['"charged twice"'] } },
    )
    const classifier = createClassifierAgent({
      model: openaiModel(),
      labels: { billing: 'Money matters', shipping: 'Parcels' },
    })
    const events: AgentEvent[] = []
    const { output } = await classifier.generate('I was charged twice', {
      onEvent: (event) => events.push(event),
    })
    expect(output.label).toBe('billing')
    expect(openaiServer.requests).toHaveLength(2)
    // With a listener the agent streams: the SDK asked for server-sent events.
    expect(openaiServer.requests[0]!.body.stream).toBe(true)
    expect(events.some((event) => event.type === 'text-delta')).toBe(true)
    const repair = openaiServer.requests[1]!.body.messages.at(-1)
    expect(repair.role).toBe('user')
    expect(repair.content).toMatch(/at "label"/)
    expect(
      openaiServer.requests[0]!.body.response_format.json_schema.schema.properties.label.enum,
    ).toEqual(['billing', 'shipping'])
  })

  it('decision agent in a real engine: escalation suspends the run until run.approve, the model is paid once', async () => {
    openaiServer.reply({
      type: 'answer',
      json: { decision: 'reject', confidence: 0.3, reasons: ['unclear damage'] },
    })
    const agent = createDecisionAgent({
      id: 'claims',
      model: openaiModel(),
      input: z.object({ amount: z.number(), note: z.string() }),
      rules: [
        {
          id: 'small',
          when: (claim) => claim.amount < 10,
          decide: 'approve',
          reason: 'Small claim',
        },
      ],
      policy: 'Approve claims with evidence of damage.',
      threshold: 0.7,
    })
    const engine = createEngine({ store: createMemoryStore() })
    engines.push(engine)
    const workflow = createWorkflow({
      id: 'claims-flow',
      input: z.object({ amount: z.number(), note: z.string() }),
    })
      .then(agentStep(agent))
      .commit()
    const run = await engine.start(workflow, { amount: 80, note: 'box was wet' })
    await statusOf(run, 'suspended')
    await run.approve(
      'claims:review',
      { decision: 'approve', reason: 'photo attached' },
      { by: 'ana' },
    )
    expect(await run.result()).toMatchObject({
      decision: 'approve',
      decidedBy: 'human',
      reviewer: 'ana',
    })
    expect(openaiServer.requests).toHaveLength(1)
  })
})

describe('pre-built agents on Anthropic (Messages wire protocol)', () => {
  it('PII redactor: no value the detector finds is in any HTTP request', async () => {
    anthropicServer.reply({
      type: 'answer',
      json: { findings: [{ type: 'name', text: 'Ada Lovelace' }] },
    })
    const secrets = [
      'ada@example.com',
      '+44 20 7946 0958',
      '4111 1111 1111 1111',
      'sk-proj-4f9aQ2x7LmN3pR8sT1uV',
    ]
    const input = `Ada Lovelace, ${secrets[0]}, ${secrets[1]}, card ${secrets[2]}, key ${secrets[3]}`
    const { output } = await createPiiRedactorAgent({ model: anthropicModel() }).generate(input)
    expect(output.text).toBe('[NAME], [EMAIL], [PHONE], card [CREDIT_CARD], key [SECRET]')

    expect(anthropicServer.requests).toHaveLength(1)
    const wire = JSON.stringify(anthropicServer.requests)
    for (const secret of secrets) expect(wire).not.toContain(secret)
    const body = anthropicServer.requests[0]!.body
    expect(JSON.stringify(body.messages)).toContain(
      'Ada Lovelace, [EMAIL], [PHONE], card [CREDIT_CARD], key [SECRET]',
    )
    expect(body.model).toBe('claude-haiku-5-5')
  })

  it('extractor: the same factory works unchanged on another vendor', async () => {
    anthropicServer.reply({
      type: 'answer',
      json: { invoiceNumber: 'B-1', total: 20, currency: 'USD', dueDate: null },
    })
    const { output } = await createExtractorAgent({
      model: anthropicModel(),
      schema: invoice,
    }).generate('Bill B-1, 20 USD')
    expect(output).toEqual({ invoiceNumber: 'B-1', total: 20, currency: 'USD', dueDate: null })
    // Anthropic has no JSON-schema response format: the provider forces an output tool.
    const body = anthropicServer.requests[0]!.body
    expect(body.system).toContain('You extract structured data')
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'extractor' })
    expect(Object.keys(body.tools[0].input_schema.properties)).toEqual([
      'invoiceNumber',
      'total',
      'currency',
      'dueDate',
    ])
  })
})
