import { createStep, createWorkflow, type Step } from '@tessera/core'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { agentStep } from '../agent/agent-step'
import type { Agent } from '../agent/define-agent'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import {
  createClassifierAgent,
  type Classification,
  type MultiLabelClassification,
} from './classifier/create-classifier-agent'
import { createDecisionAgent, type DecisionOutcome } from './decision/create-decision-agent'
import { createExtractorAgent } from './extractor/create-extractor-agent'
import {
  createMessageDrafterAgent,
  type MessageDraftRequest,
} from './message-drafter/create-message-drafter-agent'
import { createPiiRedactorAgent, type Redaction } from './pii-redactor/create-pii-redactor-agent'
import { createRouterAgent, type RouteDecision } from './router/create-router-agent'
import { routeTo } from './router/route-to'
import { createSummarizerAgent, type Summary } from './summarizer/create-summarizer-agent'
import { createTransformerAgent } from './transformer/create-transformer-agent'

const model = createScriptedModel([])

describe('pre-built agent types', () => {
  it('classifier labels become a literal union, without `as const`', () => {
    const single = createClassifierAgent({
      model,
      labels: { billing: 'Money', shipping: 'Parcels' },
    })
    expectTypeOf(single).toEqualTypeOf<Agent<string, Classification<'billing' | 'shipping'>>>()
    const listed = createClassifierAgent({
      model,
      labels: [
        { name: 'spam', description: 'Unwanted' },
        { name: 'ham', description: 'Wanted' },
      ],
      allowUnknown: true,
    })
    expectTypeOf(listed).toEqualTypeOf<Agent<string, Classification<'spam' | 'ham' | 'unknown'>>>()
    const multi = createClassifierAgent({
      model,
      labels: { a: 'A', b: 'B' },
      multiLabel: true,
      input: z.object({ text: z.string() }),
    })
    expectTypeOf(multi).toEqualTypeOf<
      Agent<{ text: string }, MultiLabelClassification<'a' | 'b'>>
    >()
  })

  it('router routes drive a typed workflow branch', () => {
    const router = createRouterAgent({
      model,
      routes: [
        { id: 'billing', description: 'Money' },
        { id: 'technical', description: 'Errors' },
      ],
    })
    expectTypeOf(router).toEqualTypeOf<Agent<string, RouteDecision<'billing' | 'technical'>>>()
    const handle = createStep({
      id: 'handle',
      input: z.object({ route: z.string(), reason: z.string() }),
      output: z.object({ done: z.boolean() }),
      run: () => ({ done: true }),
    })
    const workflow = createWorkflow({ id: 'w', input: z.string() })
      .then(agentStep(router))
      .branch([
        [routeTo('billing'), handle],
        [() => true, handle],
      ])
      .commit()
    expectTypeOf(workflow).not.toBeAny()
    // @ts-expect-error routeTo conditions need an input with a route
    createWorkflow({ id: 'w2', input: z.number() }).branch([[routeTo('billing'), handle]])
  })

  it('decision agents carry their decisions and input', () => {
    const decide = createDecisionAgent({
      model,
      decisions: ['ship', 'hold', 'cancel'],
      input: z.object({ amount: z.number() }),
      rules: [{ id: 'big', when: (order) => order.amount > 100, decide: 'hold', reason: 'Big' }],
      policy: 'p',
      threshold: 0.5,
      escalation: { onReject: 'cancel' },
    })
    expectTypeOf(decide).toEqualTypeOf<
      Agent<{ amount: number }, DecisionOutcome<'ship' | 'hold' | 'cancel'>>
    >()
    expectTypeOf(agentStep(decide)).toExtend<
      Step<string, { amount: number }, DecisionOutcome<'ship' | 'hold' | 'cancel'>>
    >()
    createDecisionAgent({
      model,
      policy: 'p',
      threshold: 0.5,
      // @ts-expect-error a rule decides one of the decisions
      rules: [{ id: 'r', when: () => true, decide: 'maybe', reason: 'x' }],
    })
  })

  it('the other agents', () => {
    const extractor = createExtractorAgent({ model, schema: z.object({ total: z.number() }) })
    expectTypeOf(extractor).toEqualTypeOf<Agent<string, { total: number }>>()
    expectTypeOf(createSummarizerAgent({ model })).toEqualTypeOf<Agent<string, Summary>>()
    const transformer = createTransformerAgent({
      model,
      input: z.object({ a: z.string() }),
      output: z.object({ b: z.number() }),
      mapping: { b: (record) => record.a.length },
    })
    expectTypeOf(transformer).toEqualTypeOf<Agent<{ a: string }[], { b: number }[]>>()
    const email = createMessageDrafterAgent({
      model,
      channel: 'email',
      tone: 'formal',
      templates: { welcome: 'Hi {{name}}' },
    })
    expectTypeOf(email).toEqualTypeOf<
      Agent<
        MessageDraftRequest<'welcome'>,
        { subject: string } & { body: string; placeholdersFilled: string[] }
      >
    >()
    const slack = createMessageDrafterAgent({ model, channel: 'slack', tone: 'friendly' })
    expectTypeOf(slack.output).not.toBeAny()
    expectTypeOf(createPiiRedactorAgent()).toEqualTypeOf<Agent<string, Redaction>>()
  })
})
