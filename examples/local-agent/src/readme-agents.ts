// The README's agents example (type-checked by CI; it needs API keys to run, so CI does not run it).
import { agentStep, defineAgent, fallback, reliable, tool } from '@tessera/agents'
import { anthropic } from '@tessera/agents/anthropic'
import { openai } from '@tessera/agents/openai'
import { createEngine, createWorkflow } from '@tessera/core'
import { z } from 'zod'

// Retries honour Retry-After; if Anthropic is down, OpenAI answers (and the switch is recorded).
const model = fallback([reliable(anthropic('claude-haiku-5-5')), reliable(openai('gpt-5.4-mini'))])

const lookupOrder = tool({
  description: 'Finds an order by its id',
  input: z.object({ orderId: z.string() }),
  execute: async ({ orderId }) => ({ orderId, status: 'delivered', total: 120 }),
})
const refund = tool({
  description: 'Refunds an order',
  input: z.object({ orderId: z.string(), amount: z.number() }),
  needsApproval: true, // suspends the run until a person decides
  execute: async ({ orderId, amount }) => ({ refundId: `rf-${orderId}`, amount }),
})

const support = defineAgent({
  id: 'support',
  instructions: 'Answer the customer. Refund items that arrived broken.',
  model,
  tools: { lookupOrder, refund },
  output: z.object({ reply: z.string(), refunded: z.boolean() }), // typed, validated, repaired
})

const ticket = createWorkflow({ id: 'ticket', input: z.string() })
  .then(agentStep(support)) // each model call and tool call is a durable unit
  .commit()

const engine = createEngine()
engine.on('step-suspend', (event) => console.log('waiting for', event.wait.name))
const run = await engine.start(ticket, 'Order A1 arrived broken.')
// later, from your admin UI: await run.approve('approve:refund:<callId>')
console.log(await run.result()) // { reply: string; refunded: boolean }
