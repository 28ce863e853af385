import { createStep, createWorkflow } from '@tessera/core'
import { expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { tool } from '../tools/tool'
import { agentStep } from './agent-step'
import { defineAgent } from './define-agent'

const model = createScriptedModel([])

it('defaults to string input and output', () => {
  const agent = defineAgent({ id: 'plain', instructions: 'x', model })
  expectTypeOf(agent.generate).parameter(0).toEqualTypeOf<string>()
  expectTypeOf<Awaited<ReturnType<typeof agent.generate>>['output']>().toEqualTypeOf<string>()
})

it('types input, output, instructions and tools from their schemas', () => {
  const agent = defineAgent({
    id: 'triage',
    instructions: (input) => {
      expectTypeOf(input).toEqualTypeOf<{ ticket: string }>()
      return 'Classify.'
    },
    model,
    input: z.object({ ticket: z.string() }),
    output: z.object({ queue: z.enum(['billing', 'shipping']), reason: z.string() }),
  })
  expectTypeOf<Awaited<ReturnType<typeof agent.generate>>['output']>().toEqualTypeOf<{
    queue: 'billing' | 'shipping'
    reason: string
  }>()
  // @ts-expect-error the input is an object
  void agent.generate('a string')

  tool({
    description: 'Refunds',
    input: z.object({ amount: z.number() }),
    needsApproval: (input) => {
      expectTypeOf(input).toEqualTypeOf<{ amount: number }>()
      return input.amount > 100
    },
    execute: (input) => {
      expectTypeOf(input).toEqualTypeOf<{ amount: number }>()
      return { ok: true }
    },
  })
})

it('an agent step fits where its input type flows, and outputs its output type', () => {
  const agent = defineAgent({
    id: 'triage',
    instructions: 'x',
    model,
    output: z.object({ queue: z.string() }),
  })
  const after = createStep({
    id: 'after',
    input: z.object({ queue: z.string() }),
    output: z.string(),
    run: ({ input }) => input.queue,
  })
  createWorkflow({ id: 'w', input: z.string() }).then(agentStep(agent)).then(after).commit()
  const step = agentStep(agent, { id: 'renamed' })
  expectTypeOf(step.id).toEqualTypeOf<'renamed'>()
})
