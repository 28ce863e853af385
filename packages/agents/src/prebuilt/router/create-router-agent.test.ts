import {
  createEngine,
  createMemoryStore,
  createStep,
  createWorkflow,
  InvalidArgumentError,
  type Engine,
} from '@tessera/core'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { agentStep } from '../../agent/agent-step'
import { createScriptedModel } from '../../scripted-model/create-scripted-model'
import { createRouterAgent, type RouteDecision } from './create-router-agent'
import { routeTo } from './route-to'

const routes = [
  { id: 'billing', description: 'Payments, invoices, refunds' },
  { id: 'technical', description: 'Errors, outages, how-to questions' },
] as const

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})

const answer = (route: string, confidence = 0.9) =>
  JSON.stringify({ route, reason: `about ${route}`, confidence })

/** A step that records which branch ran. */
const handler = (id: string) =>
  createStep({
    id,
    input: z.object({ route: z.string(), reason: z.string(), confidence: z.number() }),
    output: z.object({ handledBy: z.string(), reason: z.string() }),
    run: ({ input }) => ({ handledBy: id, reason: input.reason }),
  })

function supportWorkflow(router: ReturnType<typeof createRouterAgent<'billing' | 'technical'>>) {
  return createWorkflow({ id: 'support', input: z.string() })
    .then(agentStep(router))
    .branch([
      [routeTo('billing'), handler('billing-desk')],
      [routeTo('technical', { minConfidence: 0.6 }), handler('tech-desk')],
      [() => true, handler('human-triage')],
    ])
    .commit()
}

describe('createRouterAgent', () => {
  it('sends the route ids as an enum with their descriptions and returns route, reason, confidence', async () => {
    const model = createScriptedModel([answer('technical', 0.8)])
    const router = createRouterAgent({ model, routes })
    const { output } = await router.generate('The dashboard shows error 500')
    expect(output).toEqual({ route: 'technical', reason: 'about technical', confidence: 0.8 })
    expectTypeOf(output).toEqualTypeOf<RouteDecision<'billing' | 'technical'>>()
    const request = model.calls[0]!
    const schema = request.responseFormat!.schema as {
      properties: { route: { enum: string[] } }
      required: string[]
    }
    expect(schema.properties.route.enum).toEqual(['billing', 'technical'])
    expect(schema.required).toEqual(['route', 'reason', 'confidence'])
    expect(request.messages[0]!.content).toContain('- "billing": Payments, invoices, refunds')
  })

  it('drives a workflow branch in a real engine: each route runs its step', async () => {
    const model = createScriptedModel([answer('billing'), answer('technical', 0.85)])
    const engine = createEngine({ store: createMemoryStore() })
    engines.push(engine)
    const workflow = supportWorkflow(createRouterAgent({ model, routes }))

    const billing = await engine.start(workflow, 'I was charged twice')
    expect(await billing.result()).toEqual({ handledBy: 'billing-desk', reason: 'about billing' })
    const technical = await engine.start(workflow, 'Error 500 on login')
    expect(await technical.result()).toEqual({ handledBy: 'tech-desk', reason: 'about technical' })

    // The router's answer is the recorded output of its step.
    const steps = await technical.steps()
    const routerStep = steps.find((step) => step.key === 'router')
    expect(routerStep?.output).toEqual({
      route: 'technical',
      reason: 'about technical',
      confidence: 0.85,
    })
    expect(model.calls[1]!.messages[1]).toEqual({ role: 'user', content: 'Error 500 on login' })
  })

  it('falls through to the catch-all case when the router is not sure enough', async () => {
    const model = createScriptedModel([answer('technical', 0.4)])
    const engine = createEngine({ store: createMemoryStore() })
    engines.push(engine)
    const run = await engine.start(supportWorkflow(createRouterAgent({ model, routes })), 'hmm')
    expect(await run.result()).toEqual({ handledBy: 'human-triage', reason: 'about technical' })
  })

  it('refuses routes that are not a list of { id, description }, and unknown example routes', () => {
    const model = createScriptedModel([])
    const attempts: [() => unknown, RegExp][] = [
      [
        () => createRouterAgent({ model, routes: {} as never }),
        /"routes" must be a non-empty list/,
      ],
      [() => createRouterAgent({ model, routes: [] }), /"routes" must be at least one choice/],
      [
        () =>
          createRouterAgent({ model, routes, examples: [{ input: 'x', route: 'sales' as never }] }),
        /examples\[0\]\.route/,
      ],
      [() => routeTo('billing', { minConfidence: 2 }), /minConfidence/],
    ]
    for (const [attempt, message] of attempts) {
      let caught: unknown
      try {
        attempt()
      } catch (error) {
        caught = error
      }
      expect(InvalidArgumentError.isInstance(caught)).toBe(true)
      expect((caught as Error).message).toMatch(message)
    }
  })
})
