import { ValidationError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineAgent } from '../agent/define-agent'
import type { AgentEvent } from '../agent/agent-event'
import { MaxStepsExceededError } from '../agent/max-steps-exceeded-error'
import { createScriptedModel, type ScriptedReply } from '../scripted-model/create-scripted-model'
import { handoff } from './handoff'

const call = (toolName: string, input: unknown, toolCallId: string): ScriptedReply => ({
  content: [{ type: 'tool-call', toolCallId, toolName, input }],
})

describe('handoff', () => {
  it('transfers the conversation; the target’s answer is the result', async () => {
    const billingModel = createScriptedModel(['Your refund is on its way.'])
    const billing = defineAgent({
      id: 'billing',
      description: 'Invoices and refunds',
      instructions: 'You handle billing.',
      model: billingModel,
    })
    const deskModel = createScriptedModel([
      {
        content: [
          { type: 'text', text: 'Let me pass you to billing.' },
          { type: 'tool-call', toolCallId: 'h1', toolName: 'billing', input: { reason: 'refund' } },
          { type: 'tool-call', toolCallId: 'h2', toolName: 'billing', input: {} },
        ],
      },
    ])
    const desk = defineAgent({
      id: 'desk',
      instructions: 'Route the customer.',
      model: deskModel,
      tools: { billing: handoff(billing) },
    })
    const events: AgentEvent[] = []
    const result = await desk.generate('I want a refund', {
      onEvent: (event) => events.push(event),
    })
    expect(result.output).toBe('Your refund is on its way.')
    expect(deskModel.calls[0]!.tools![0]!.description).toBe(
      'Transfer the conversation to agent "billing": Invoices and refunds. Call it alone; it ends your turn.',
    )
    // The target sees its own instructions and the conversation so far, the handoff included.
    expect(billingModel.calls[0]!.messages).toEqual([
      { role: 'system', content: 'You handle billing.' },
      { role: 'user', content: 'I want a refund' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me pass you to billing.' },
          { type: 'tool-call', toolCallId: 'h1', toolName: 'billing', input: { reason: 'refund' } },
          { type: 'tool-call', toolCallId: 'h2', toolName: 'billing', input: {} },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'h1',
            toolName: 'billing',
            output: { transferredTo: 'billing' },
          },
          {
            type: 'tool-result',
            toolCallId: 'h2',
            toolName: 'billing',
            output: { error: 'Not run: the conversation was handed off to "billing".' },
            isError: true,
          },
        ],
      },
    ])
    expect(result.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
    ])
    expect(events.find((event) => event.type === 'handoff-start')).toMatchObject({
      agentId: 'desk',
      targetAgentId: 'billing',
    })
    expect(result.steps.map((step) => step.agentId)).toEqual(['desk', 'billing'])
  })

  it('fails with ValidationError when the target’s output does not fit the caller’s schema', async () => {
    const chatty = defineAgent({
      id: 'chatty',
      description: 'Talks',
      instructions: 'x',
      model: createScriptedModel(['words']),
    })
    const strict = defineAgent({
      id: 'strict',
      instructions: 'x',
      model: createScriptedModel([call('chatty', {}, 'h1')]),
      output: z.string().max(3),
      tools: { chatty: handoff(chatty) },
    })
    const error = await strict.generate('?').catch((caught: unknown) => caught)
    expect(ValidationError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain('Agent "chatty" (a handoff from "strict")')
  })

  it('stops a chain of more than 8 handoffs with MaxStepsExceededError', async () => {
    const model = createScriptedModel(
      Array.from({ length: 10 }, (_, index) => call('next', {}, `h${index}`)),
    )
    let next = defineAgent({ id: 'agent-9', description: 'last', instructions: 'x', model })
    for (let index = 8; index >= 0; index--) {
      next = defineAgent({
        id: `agent-${index}`,
        description: `number ${index}`,
        instructions: 'x',
        model,
        tools: { next: handoff(next) },
      })
    }
    const error = await next.generate('?').catch((caught: unknown) => caught)
    expect(MaxStepsExceededError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ agentId: 'agent-8', limit: 'handoffs', maxSteps: 8 })
    expect(model.calls).toHaveLength(9)
  })
})
