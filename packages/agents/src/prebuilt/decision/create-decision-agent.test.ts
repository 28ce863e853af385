import {
  createEngine,
  createMemoryStore,
  createWorkflow,
  InvalidArgumentError,
  ValidationError,
  type Engine,
  type RunHandle,
  type RunStatus,
  type StepSuspendEvent,
} from '@tessera/core'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { agentStep } from '../../agent/agent-step'
import { defineAgent } from '../../agent/define-agent'
import { agentAsTool } from '../../multi-agent/agent-as-tool'
import type { AgentEvent } from '../../agent/agent-event'
import { createScriptedModel, type ScriptedModel } from '../../scripted-model/create-scripted-model'
import { createDecisionAgent, type DecisionOutcome } from './create-decision-agent'
import { DecisionRuleError } from './decision-rule-error'

const claim = z.object({ amount: z.number(), reason: z.string() })

function refundAgent(model: ScriptedModel, extra: { notify?: (value: unknown) => void } = {}) {
  return createDecisionAgent({
    id: 'refunds',
    model,
    input: claim,
    rules: [
      {
        id: 'small',
        when: (input) => input.amount <= 20,
        decide: 'approve',
        reason: 'Up to 20 is automatic',
      },
      {
        id: 'large',
        when: (input) => input.amount > 1000,
        decide: 'reject',
        reason: (input) => `${input.amount} is over the 1000 limit`,
      },
    ],
    policy: 'Approve refunds for damaged or missing goods. Reject change-of-mind after 30 days.',
    threshold: 0.75,
    ...(extra.notify === undefined ? {} : { escalation: { notify: extra.notify } }),
  })
}

const proposal = (decision: string, confidence: number) =>
  JSON.stringify({ decision, confidence, reasons: [`looks like ${decision}`] })

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})

async function statusOf(run: RunHandle<unknown>, status: RunStatus): Promise<void> {
  for (let turn = 0; turn < 2000; turn++) {
    if ((await run.record()).status === status) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`run ${run.id} never became ${status}; it is ${(await run.record()).status}`)
}

describe('createDecisionAgent on its own', () => {
  it('decides by the first rule that holds, without calling the model', async () => {
    const model = createScriptedModel([])
    const agent = refundAgent(model)
    const small = await agent.generate({ amount: 15, reason: 'broken' })
    expect(small.output).toEqual({
      decision: 'approve',
      confidence: 1,
      reasons: ['Up to 20 is automatic'],
      decidedBy: 'rule',
      ruleId: 'small',
      escalate: false,
    })
    expectTypeOf(small.output).toEqualTypeOf<DecisionOutcome<'approve' | 'reject'>>()
    const large = await agent.generate({ amount: 5000, reason: 'broken' })
    expect(large.output).toMatchObject({
      decision: 'reject',
      ruleId: 'large',
      reasons: ['5000 is over the 1000 limit'],
    })
    expect(model.calls).toHaveLength(0)
    expect(small.usage).toEqual({ inputTokens: 0, outputTokens: 0 })
  })

  it('asks the model when no rule holds, with the policy, the decisions and the rules it need not apply', async () => {
    const model = createScriptedModel([proposal('approve', 0.9)])
    const events: AgentEvent[] = []
    const { output, steps } = await refundAgent(model).generate(
      { amount: 300, reason: 'arrived broken' },
      { onEvent: (event) => events.push(event) },
    )
    expect(output).toEqual({
      decision: 'approve',
      confidence: 0.9,
      reasons: ['looks like approve'],
      decidedBy: 'model',
      escalate: false,
    })
    expect(steps).toHaveLength(1)
    const request = model.calls[0]!
    const system = request.messages[0]!.content as string
    expect(system).toContain('The possible decisions are: "approve", "reject".')
    expect(system).toContain('Approve refunds for damaged or missing goods.')
    expect(system).toContain('- small: Up to 20 is automatic')
    expect(JSON.parse(request.messages[1]!.content as string)).toEqual({
      amount: 300,
      reason: 'arrived broken',
    })
    const schema = request.responseFormat!.schema as {
      properties: { decision: { enum: string[] } }
    }
    expect(schema.properties.decision.enum).toEqual(['approve', 'reject'])
    expect(events.at(-1)).toMatchObject({ type: 'agent-end', agentId: 'refunds', modelCalls: 1 })
  })

  it('below the threshold, returns the proposal with escalate: true', async () => {
    const model = createScriptedModel([proposal('reject', 0.5)])
    const notified: unknown[] = []
    const { output } = await refundAgent(model, {
      notify: (value) => notified.push(value),
    }).generate({
      amount: 300,
      reason: 'changed my mind on day 29',
    })
    expect(output).toEqual({
      decision: 'reject',
      confidence: 0.5,
      reasons: ['looks like reject'],
      decidedBy: 'model',
      escalate: true,
    })
    expect(notified).toEqual([
      {
        approvalName: 'refunds:review',
        input: { amount: 300, reason: 'changed my mind on day 29' },
        proposal: { decision: 'reject', confidence: 0.5, reasons: ['looks like reject'] },
      },
    ])
  })

  it('a rule that throws fails with DecisionRuleError naming it', async () => {
    const agent = createDecisionAgent({
      model: createScriptedModel([]),
      rules: [
        {
          id: 'vip',
          when: () => {
            throw new Error('customer service down')
          },
          decide: 'approve',
          reason: 'VIP',
        },
      ],
      policy: 'Approve.',
      threshold: 0.5,
    })
    const error = await agent.generate('case').catch((caught: unknown) => caught)
    expect(DecisionRuleError.isInstance(error)).toBe(true)
    expect((error as DecisionRuleError).ruleId).toBe('vip')
    expect((error as Error).message).toMatch(/rule "vip" threw .*customer service down/)
  })

  it('refuses settings it cannot run with', () => {
    const model = createScriptedModel([])
    const base = { model, policy: 'p', threshold: 0.5 }
    const attempts: [unknown, RegExp][] = [
      [{ ...base, threshold: 1.5 }, /"threshold" must be a number from 0 to 1/],
      [{ ...base, policy: '' }, /"policy"/],
      [{ ...base, decisions: ['yes'] }, /"decisions"/],
      [
        { ...base, rules: [{ id: 'r', when: () => true, decide: 'maybe', reason: 'x' }] },
        /rules\[0\]\.decide/,
      ],
      [{ ...base, decisions: ['approve', 'reject', 'refer'] }, /escalation\.onReject/],
      [{ ...base, escalation: { approvalName: 'has space' } }, /escalation\.approvalName/],
    ]
    for (const [settings, message] of attempts) {
      let caught: unknown
      try {
        createDecisionAgent(settings as never)
      } catch (error) {
        caught = error
      }
      expect(InvalidArgumentError.isInstance(caught)).toBe(true)
      expect((caught as Error).message).toMatch(message)
    }
  })
})

describe('createDecisionAgent as a workflow step', () => {
  function setup(script: string[], notify?: (value: unknown) => void) {
    const model = createScriptedModel(script)
    const engine = createEngine({ store: createMemoryStore() })
    engines.push(engine)
    const suspended: StepSuspendEvent[] = []
    engine.on('step-suspend', (event) => suspended.push(event))
    const workflow = createWorkflow({ id: 'refund-claims', input: claim })
      .then(agentStep(refundAgent(model, notify === undefined ? {} : { notify })))
      .commit()
    return { model, engine, workflow, suspended }
  }

  it('decides by rule and by a confident model without waiting', async () => {
    const { engine, workflow, model } = setup([proposal('approve', 0.95)])
    const byRule = await engine.start(workflow, { amount: 10, reason: 'broken' })
    expect(await byRule.result()).toMatchObject({ decidedBy: 'rule', ruleId: 'small' })
    const byModel = await engine.start(workflow, { amount: 300, reason: 'broken' })
    expect(await byModel.result()).toMatchObject({
      decidedBy: 'model',
      decision: 'approve',
      escalate: false,
    })
    expect(model.calls).toHaveLength(1)
  })

  it('escalates: the run suspends on "<id>:review" until run.approve, and the model is not asked again', async () => {
    const notified: unknown[] = []
    const { engine, workflow, model, suspended } = setup([proposal('reject', 0.4)], (value) =>
      notified.push(value),
    )
    const run = await engine.start(workflow, { amount: 300, reason: 'changed my mind on day 29' })
    await statusOf(run, 'suspended')
    expect(suspended).toMatchObject([
      { stepId: 'refunds', wait: { kind: 'approval', name: 'refunds:review' } },
    ])
    await run.approve(
      'refunds:review',
      { decision: 'approve', reason: 'within 30 days' },
      { by: 'ana' },
    )
    expect(await run.result()).toEqual({
      decision: 'approve',
      confidence: 1,
      reasons: ['Changed from "reject" by ana: within 30 days', 'looks like reject'],
      decidedBy: 'human',
      reviewer: 'ana',
      escalate: false,
    })
    // The step ran twice (before and after the approval); the model call and notify were replayed.
    expect(model.calls).toHaveLength(1)
    expect(notified).toHaveLength(1)
  })

  it('an approval without data confirms the proposal; a rejection gives the other decision', async () => {
    const { engine, workflow } = setup([proposal('approve', 0.6), proposal('approve', 0.3)])
    const confirmed = await engine.start(workflow, { amount: 200, reason: 'late' })
    await statusOf(confirmed, 'suspended')
    await confirmed.approve('refunds:review')
    expect(await confirmed.result()).toMatchObject({
      decision: 'approve',
      decidedBy: 'human',
      reasons: ['Confirmed by a reviewer', 'looks like approve'],
    })

    const rejected = await engine.start(workflow, { amount: 250, reason: 'late' })
    await statusOf(rejected, 'suspended')
    await rejected.reject('refunds:review', 'no proof of damage')
    expect(await rejected.result()).toMatchObject({
      decision: 'reject',
      decidedBy: 'human',
      reasons: [
        'Proposal "approve" rejected by a reviewer: no proof of damage',
        'looks like approve',
      ],
    })
  })

  it('review data that is not { decision?, reason? } fails the step with ValidationError', async () => {
    const { engine, workflow } = setup([proposal('approve', 0.6)])
    const run = await engine.start(workflow, { amount: 200, reason: 'late' })
    await statusOf(run, 'suspended')
    await run.approve('refunds:review', { decision: 'maybe' })
    const error = (await run.result().catch((caught: unknown) => caught)) as Error & {
      cause?: unknown
    }
    const validation = ValidationError.isInstance(error) ? error : error.cause
    expect(ValidationError.isInstance(validation)).toBe(true)
    expect((validation as Error).message).toMatch(/refunds:review/)
  })
})

describe('createDecisionAgent as a sub-agent', () => {
  it('through agentAsTool in a step, escalates to an approval named under the call', async () => {
    const decisionModel = createScriptedModel([proposal('reject', 0.4)])
    const notified: unknown[] = []
    const deskModel = createScriptedModel([
      {
        content: [
          {
            type: 'tool-call',
            toolCallId: 'c1',
            toolName: 'refunds',
            input: { amount: 300, reason: 'changed my mind on day 29' },
          },
        ],
      },
      'Rejected after review.',
    ])
    const desk = defineAgent({
      id: 'desk',
      instructions: 'Decide refund claims with the refunds tool.',
      model: deskModel,
      tools: {
        refunds: agentAsTool(
          refundAgent(decisionModel, { notify: (value) => notified.push(value) }),
        ),
      },
    })
    const engine = createEngine({ store: createMemoryStore() })
    engines.push(engine)
    const suspended: StepSuspendEvent[] = []
    engine.on('step-suspend', (event) => suspended.push(event))
    const workflow = createWorkflow({ id: 'claims-desk', input: z.string() })
      .then(agentStep(desk))
      .commit()
    const run = await engine.start(workflow, 'Claim: 300, changed my mind on day 29')
    await statusOf(run, 'suspended')
    expect(suspended).toMatchObject([
      { stepId: 'desk', wait: { kind: 'approval', name: 'agent:c1:refunds:review' } },
    ])
    expect(notified).toMatchObject([{ approvalName: 'agent:c1:refunds:review' }])
    await run.approve('agent:c1:refunds:review', { reason: 'within 30 days' }, { by: 'ana' })
    expect(await run.result()).toBe('Rejected after review.')
    expect(deskModel.calls.at(-1)!.messages.at(-1)!.content).toMatchObject([
      { toolCallId: 'c1', output: { decision: 'reject', decidedBy: 'human', reviewer: 'ana' } },
    ])
    expect(decisionModel.calls).toHaveLength(1)
    expect(notified).toHaveLength(1)
  })
})
