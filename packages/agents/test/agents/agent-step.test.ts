// An agent as a workflow step in a real engine (@tessera/core) over the memory store: durable
// model and tool calls, replay on re-execution, tool approval suspending the run, memory threads.
import {
  createEngine,
  createMemoryStore,
  createStep,
  createWorkflow,
  InvalidArgumentError,
  type Engine,
  type EngineOptions,
  type LogFields,
  type Logger,
  type RunHandle,
  type RunStatus,
  type StepSuspendEvent,
} from '@tessera/core'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  agentAsTool,
  agentStep,
  createScriptedModel,
  defineAgent,
  tool,
  type AgentEvent,
  type ScriptedReply,
} from '../../src/index'

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})
function newEngine(options: EngineOptions = {}): Engine {
  const engine = createEngine(options)
  engines.push(engine)
  return engine
}

async function statusOf(run: RunHandle<unknown>, status: RunStatus): Promise<void> {
  for (let turn = 0; turn < 5000; turn++) {
    if ((await run.record()).status === status) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`run ${run.id} never became ${status}; it is ${(await run.record()).status}`)
}

const call = (toolName: string, input: unknown, toolCallId: string): ScriptedReply => ({
  content: [{ type: 'tool-call', toolCallId, toolName, input }],
})

function lookupTool(counts: { lookup: number }) {
  return tool({
    description: 'Finds an order',
    input: z.object({ orderId: z.string() }),
    execute: ({ orderId }) => {
      counts.lookup++
      return { orderId, status: 'shipped' }
    },
  })
}

describe('agentStep: durable model and tool calls', () => {
  it('a step that fails after some calls is retried without paying again for completed ones', async () => {
    const counts = { lookup: 0, flaky: 0 }
    const model = createScriptedModel([
      call('lookup', { orderId: '7' }, 'c1'),
      call('notify', { orderId: '7' }, 'c2'),
      'Order 7 shipped; the customer was told.',
    ])
    const notify = tool({
      description: 'Tells the customer',
      input: z.object({ orderId: z.string() }),
      onError: 'throw',
      execute: () => {
        counts.flaky++
        if (counts.flaky === 1) throw new Error('mail server unreachable')
        return { sent: true }
      },
    })
    const agent = defineAgent({
      id: 'support',
      instructions: 'Handle the order.',
      model,
      tools: { lookup: lookupTool(counts), notify },
    })
    const workflow = createWorkflow({ id: 'support-flow', input: z.string() })
      .then(
        agentStep(agent, { retry: { attempts: 2, backoff: { type: 'fixed', initial: '1ms' } } }),
      )
      .commit()
    const engine = newEngine()
    const run = await engine.start(workflow, 'Where is order 7?')
    expect(await run.result()).toBe('Order 7 shipped; the customer was told.')
    // Three replies, three calls: the first model call was replayed on the retry, not repeated.
    expect(model.calls).toHaveLength(3)
    expect(counts).toEqual({ lookup: 1, flaky: 2 })
    const steps = await run.steps()
    const support = steps.find((step) => step.key === 'support')
    expect(support).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(steps.map((step) => step.key).sort()).toEqual([
      'support',
      'support~d:model:1',
      'support~d:model:2',
      'support~d:model:3',
      'support~d:tool:c1',
      'support~d:tool:c2',
    ])
  })

  it('logs model and tool calls through the step logger, and reports events with replayed calls', async () => {
    const lines: { message: string; fields: LogFields }[] = []
    const logger: Logger = {
      debug: (message, fields = {}) => lines.push({ message, fields }),
      info: (message, fields = {}) => lines.push({ message, fields }),
      warn: (message, fields = {}) => lines.push({ message, fields }),
      error: (message, fields = {}) => lines.push({ message, fields }),
      child: () => logger,
    }
    let failures = 0
    const model = createScriptedModel([call('check', {}, 'k1'), 'fine'])
    const check = tool({
      description: 'Checks',
      input: z.object({}),
      onError: 'throw',
      execute: () => {
        failures++
        if (failures === 1) throw new Error('once')
        return 'ok'
      },
    })
    const agent = defineAgent({ id: 'checker', instructions: 'x', model, tools: { check } })
    const events: AgentEvent[] = []
    const workflow = createWorkflow({ id: 'check-flow', input: z.string() })
      .then(
        agentStep(agent, {
          onEvent: (event) => events.push(event),
          retry: { attempts: 2, backoff: { type: 'fixed', initial: '1ms' } },
        }),
      )
      .commit()
    const engine = newEngine({ logger })
    const run = await engine.start(workflow, 'go')
    expect(await run.result()).toBe('fine')
    const modelEnds = events.filter((event) => event.type === 'model-call-end')
    expect(modelEnds.map((event) => [event.callNumber, event.replayed])).toEqual([
      [1, false], // first attempt
      [1, true], // the retry replays call 1…
      [2, false], // …and pays only for call 2
    ])
    const logged = lines.filter((line) => line.message === 'agent model call')
    expect(logged).toHaveLength(3)
    expect(logged[0]!.fields).toMatchObject({
      agentId: 'checker',
      provider: 'scripted',
      callNumber: 1,
    })
  })
})

describe('agentStep: tool approval', () => {
  function refundSetup(script: ScriptedReply[]) {
    const refunds: unknown[] = []
    const refund = tool({
      description: 'Refunds an order',
      input: z.object({ orderId: z.string(), amount: z.number() }),
      needsApproval: ({ amount }) => amount > 100,
      execute: (input, context) => {
        refunds.push({ ...input, note: context.approval?.data })
        return { refunded: true }
      },
    })
    const model = createScriptedModel(script)
    const agent = defineAgent({
      id: 'cashier',
      instructions: 'Refund when asked.',
      model,
      tools: { refund },
    })
    const workflow = createWorkflow({ id: 'refund-flow', input: z.string() })
      .then(agentStep(agent))
      .commit()
    return { refunds, model, agent, workflow }
  }

  it('suspends the run until run.approve, then runs the tool with the data and finishes', async () => {
    const { refunds, model, workflow } = refundSetup([
      call('refund', { orderId: '7', amount: 500 }, 'r1'),
      'Refunded 500 for order 7.',
    ])
    const engine = newEngine()
    const suspended: StepSuspendEvent[] = []
    engine.on('step-suspend', (event) => suspended.push(event))
    const run = await engine.start(workflow, 'Refund order 7')
    await statusOf(run, 'suspended')
    expect(suspended).toMatchObject([
      { stepId: 'cashier', wait: { kind: 'approval', name: 'approve:refund:r1' } },
    ])
    expect(refunds).toEqual([])
    expect(model.calls).toHaveLength(1)
    await run.approve('approve:refund:r1', 'manager ok', { by: 'ana' })
    expect(await run.result()).toBe('Refunded 500 for order 7.')
    expect(refunds).toEqual([{ orderId: '7', amount: 500, note: 'manager ok' }])
    // The step ran twice; the first model call was replayed, not repeated.
    expect(model.calls).toHaveLength(2)
  })

  it('a rejection reaches the model as an error result with the reason', async () => {
    const { refunds, model, workflow } = refundSetup([
      call('refund', { orderId: '7', amount: 500 }, 'r1'),
      'The refund was declined.',
    ])
    const engine = newEngine()
    const run = await engine.start(workflow, 'Refund order 7')
    await statusOf(run, 'suspended')
    await run.reject('approve:refund:r1', 'over the limit', { by: 'ana' })
    expect(await run.result()).toBe('The refund was declined.')
    expect(refunds).toEqual([])
    const toolMessage = model.calls[1]!.messages.at(-1)!
    expect(toolMessage).toMatchObject({
      role: 'tool',
      content: [
        {
          toolCallId: 'r1',
          isError: true,
          output: { error: expect.stringContaining('rejected by ana: over the limit') },
        },
      ],
    })
  })

  it('resumes in another engine over the same store with a fresh model: recorded calls replay', async () => {
    const store = createMemoryStore()
    const first = refundSetup([call('refund', { orderId: '9', amount: 900 }, 'r9')])
    const engineA = newEngine({ store })
    const run = await engineA.start(first.workflow, 'Refund order 9')
    await statusOf(run, 'suspended')
    await engineA.close()

    // A new process: the same workflow and agent, a model that has only the last reply left.
    const second = refundSetup(['Refunded 900.'])
    const engineB = newEngine({ store, workflows: [second.workflow] })
    await engineB.approve(run.id, 'approve:refund:r9', null)
    const resumed = await engineB.getRun(run.id)
    expect(await resumed.result()).toBe('Refunded 900.')
    expect(second.model.calls).toHaveLength(1)
    expect(second.refunds).toEqual([{ orderId: '9', amount: 900, note: null }])
    expect(first.refunds).toEqual([])
  })

  it('a sub-agent’s tool approval suspends the calling agent’s step, under a scoped id', async () => {
    const refunds: unknown[] = []
    const refund = tool({
      description: 'Refunds',
      input: z.object({ orderId: z.string() }),
      needsApproval: true,
      execute: ({ orderId }) => {
        refunds.push(orderId)
        return 'done'
      },
    })
    const subModel = createScriptedModel([call('refund', { orderId: '3' }, 's1'), 'Refunded 3.'])
    const billing = defineAgent({
      id: 'billing',
      description: 'Handles refunds',
      instructions: 'Refund.',
      model: subModel,
      tools: { refund },
    })
    const mainModel = createScriptedModel([
      call('billing', { input: 'refund order 3' }, 'm1'),
      'Billing refunded order 3.',
    ])
    const desk = defineAgent({
      id: 'desk',
      instructions: 'Delegate.',
      model: mainModel,
      tools: { billing: agentAsTool(billing) },
    })
    const workflow = createWorkflow({ id: 'desk-flow', input: z.string() })
      .then(agentStep(desk))
      .commit()
    const engine = newEngine()
    const suspended: StepSuspendEvent[] = []
    engine.on('step-suspend', (event) => suspended.push(event))
    const run = await engine.start(workflow, 'Please refund order 3')
    await statusOf(run, 'suspended')
    expect(suspended[0]!.wait.name).toBe('agent:m1:approve:refund:s1')
    await run.approve('agent:m1:approve:refund:s1')
    expect(await run.result()).toBe('Billing refunded order 3.')
    expect(refunds).toEqual(['3'])
    expect(mainModel.calls).toHaveLength(2)
    expect(subModel.calls).toHaveLength(2)
    const keys = (await run.steps()).map((step) => step.key).sort()
    expect(keys).toEqual([
      'desk',
      'desk~a:agent:m1:approve:refund:s1',
      'desk~d:agent:m1:model:1',
      'desk~d:agent:m1:model:2',
      'desk~d:agent:m1:tool:s1',
      'desk~d:model:1',
      'desk~d:model:2',
    ])
  })
})

describe('agentStep: memory threads in the engine’s store', () => {
  it('loads the thread before the turn and appends the turn after it', async () => {
    const store = createMemoryStore()
    const model = createScriptedModel(['Nice to meet you, Ada.', 'Your name is Ada.'])
    const agent = defineAgent({
      id: 'assistant',
      instructions: 'Be brief.',
      model,
      input: z.object({ user: z.string(), text: z.string() }),
      prompt: ({ text }) => text,
      memory: { store, threadId: ({ user }) => `user:${user}` },
    })
    const workflow = createWorkflow({
      id: 'chat',
      input: z.object({ user: z.string(), text: z.string() }),
    })
      .then(agentStep(agent))
      .commit()
    const engine = newEngine({ store })
    await (await engine.start(workflow, { user: 'ada', text: 'I am Ada.' })).result()
    const run = await engine.start(workflow, { user: 'ada', text: 'What is my name?' })
    expect(await run.result()).toBe('Your name is Ada.')
    expect(model.calls[1]!.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'I am Ada.' },
      { role: 'assistant', content: [{ type: 'text', text: 'Nice to meet you, Ada.' }] },
      { role: 'user', content: 'What is my name?' },
    ])
    const thread = await store.getThread!({ threadId: 'user:ada' })
    expect(thread?.lastSeq).toBe(4)
    const keys = (await run.steps()).map((step) => step.key).sort()
    expect(keys).toContain('assistant~d:memory:load')
    expect(keys).toContain('assistant~d:memory:append')
  })
})

describe('generate(input, { context }) inside your own step', () => {
  it('makes each agent’s calls durable under its own scope, so two agents share one step', async () => {
    const counts = { lookup: 0, attempts: 0 }
    const researchModel = createScriptedModel([
      call('lookup', { orderId: '5' }, 'x1'),
      'Order 5 shipped.',
    ])
    const writerModel = createScriptedModel(['Dear customer, order 5 shipped.'])
    const researcher = defineAgent({
      id: 'researcher',
      instructions: 'Find facts.',
      model: researchModel,
      tools: { lookup: lookupTool(counts) },
    })
    const writer = defineAgent({
      id: 'writer',
      instructions: 'Write a letter.',
      model: writerModel,
    })
    const step = createStep({
      id: 'research-and-write',
      input: z.string(),
      output: z.string(),
      retry: { attempts: 2, backoff: { type: 'fixed', initial: '1ms' } },
      run: async (context) => {
        counts.attempts++
        const facts = await researcher.generate(context.input, { context })
        if (counts.attempts === 1) throw new Error('crash between the two agents')
        const letter = await writer.generate(facts.output, { context })
        return letter.output
      },
    })
    const engine = newEngine()
    const run = await engine.start(
      createWorkflow({ id: 'letters', input: z.string() }).then(step).commit(),
      'Order 5?',
    )
    expect(await run.result()).toBe('Dear customer, order 5 shipped.')
    expect(researchModel.calls).toHaveLength(2)
    expect(writerModel.calls).toHaveLength(1)
    expect(counts).toEqual({ lookup: 1, attempts: 2 })
    const stepKeys = (await run.steps()).map((record) => record.key).sort()
    expect(stepKeys).toEqual([
      'research-and-write',
      'research-and-write~d:researcher:model:1',
      'research-and-write~d:researcher:model:2',
      'research-and-write~d:researcher:tool:x1',
      'research-and-write~d:writer:model:1',
    ])
  })

  it('agentStep refuses what is not an agent', () => {
    expect(() => agentStep({} as never)).toThrow(InvalidArgumentError)
    const agent = defineAgent({ id: 'a', instructions: 'x', model: createScriptedModel([]) })
    expect(() => agentStep(agent, { threadId: 'fixed' as never })).toThrow(/options.threadId/)
    expect(agentStep(agent, { id: 'renamed' }).id).toBe('renamed')
  })
})
