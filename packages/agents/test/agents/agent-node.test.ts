// An agent made by defineAgent as an `agent` node of a definition, in a real engine
// (@tessera/core) over the memory store: its model and tool calls are durable units of the node's
// step, so a retried attempt replays completed calls instead of calling the model again.
import { createEngine, createWorkflow, workflowFromDefinition, type Engine } from '@tessera/core'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createScriptedModel, defineAgent, tool, type ScriptedReply } from '../../src/index'

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})

const call = (toolName: string, input: unknown, toolCallId: string): ScriptedReply => ({
  content: [{ type: 'tool-call', toolCallId, toolName, input }],
})

describe('defineAgent as an agent node', () => {
  it('a retried node does not call the scripted model again for completed calls', async () => {
    const counts = { notify: 0 }
    const model = createScriptedModel([
      call('notify', { orderId: '7' }, 'c1'),
      'Order 7: the customer was told.',
    ])
    const notify = tool({
      description: 'Tells the customer',
      input: z.object({ orderId: z.string() }),
      onError: 'throw',
      execute: () => {
        counts.notify++
        if (counts.notify === 1) throw new Error('mail server unreachable')
        return { sent: true }
      },
    })
    const agent = defineAgent({
      id: 'support',
      instructions: 'Handle the order.',
      model,
      tools: { notify },
    })
    const engine = createEngine()
    engines.push(engine)
    engine.register(agent)
    // The definition as JSON (what the designer stores), run with the registered agent.
    const definition = createWorkflow({ id: 'support-node', input: z.string() })
      .agent(agent, { retry: { attempts: 2, backoff: { type: 'fixed', initial: '1ms' } } })
      .commit().definition
    expect(JSON.parse(JSON.stringify(definition)).root.children).toEqual([
      {
        type: 'agent',
        id: 'support',
        agent: 'support',
        retry: expect.objectContaining({ attempts: 2 }),
      },
    ])
    const workflow = workflowFromDefinition(JSON.parse(JSON.stringify(definition)), {
      registry: engine.registry,
    })
    const run = await engine.start(workflow, 'Tell the customer about order 7')
    expect(await run.result()).toBe('Order 7: the customer was told.')
    // Two replies, two model calls: the first was replayed on the retry, not repeated.
    expect(model.calls).toHaveLength(2)
    expect(counts.notify).toBe(2)
    const steps = await run.steps()
    expect(steps.find((step) => step.key === 'support')).toMatchObject({
      status: 'succeeded',
      attempts: 2,
    })
    expect(steps.map((step) => step.key).sort()).toEqual([
      'support',
      'support~d:model:1',
      'support~d:model:2',
      'support~d:tool:c1',
    ])
  })
})
