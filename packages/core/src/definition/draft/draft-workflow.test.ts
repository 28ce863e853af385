import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DefinitionError, createStep, createWorkflow } from '../../index'
import { createRegistry } from '../../registry/registry'
import { generateCode } from '../index'
import { draftSchema } from './draft-schema'
import { draftWorkflow } from './draft-workflow'
import { WorkflowDraftError } from './workflow-draft-error'
import { scriptedDrafter } from '../../../test/scripted-drafter'

const order = z.object({ orderId: z.string() })
const fetchOrder = createStep({
  id: 'fetch-order',
  description: 'Loads an order',
  input: order,
  output: z.object({ orderId: z.string(), total: z.number() }),
  run: ({ input }) => ({ ...input, total: 1 }),
})
const notify = createStep({
  id: 'notify',
  input: z.object({ orderId: z.string(), total: z.number() }),
  output: z.object({ sent: z.boolean() }),
  run: () => ({ sent: true }),
})
const registry = (() => {
  const mutable = createRegistry()
  mutable.addStep(fetchOrder)
  mutable.addStep(notify)
  mutable.addWorkflow(createWorkflow({ id: 'audit', input: order }).then(fetchOrder).commit())
  mutable.addFunction(
    'orders/is-big',
    ({ input }: { input: { total: number } }) => input.total > 1000,
  )
  return mutable.describe()
})()

const inputSchema = {
  type: 'object',
  properties: { orderId: { type: 'string' } },
  required: ['orderId'],
}
const good = {
  id: 'order-review',
  description: 'Reviews an order',
  inputSchema,
  root: {
    type: 'sequence',
    id: 'root',
    children: [
      { type: 'step', id: 'fetch', step: 'fetch-order' },
      {
        type: 'branch',
        id: 'size',
        cases: [
          {
            when: { function: 'orders/is-big' },
            then: { type: 'approval', id: 'manager', approval: 'manager' },
          },
          { when: { expression: 'true' }, then: { type: 'step', id: 'notify', step: 'notify' } },
        ],
      },
    ],
  },
}

describe('draftWorkflow', () => {
  it('asks for the definition format restricted to the registry, and returns a valid definition', async () => {
    const { model, requests } = scriptedDrafter([JSON.stringify(good)])
    const result = await draftWorkflow('Review orders; big ones need a manager', {
      model,
      registry,
    })
    expect(result.attempts).toBe(1)
    expect(result.rejected).toEqual([])
    expect(result.usage).toEqual({ inputTokens: 10, outputTokens: 5 })
    expect(result.definition).toMatchObject({
      kind: 'tessera.workflow',
      schemaVersion: 1,
      id: 'order-review',
      root: good.root,
    })
    expect(result.definition.version).toMatch(/^[0-9a-f]+$/)

    const [request] = requests
    expect(request!.messages.at(-1)).toEqual({
      role: 'user',
      content: 'Review orders; big ones need a manager',
    })
    const system = request!.messages[0]!
    expect(system.role).toBe('system')
    expect(system.content).toContain('Loads an order')
    const schema = request!.responseFormat!.schema as {
      $defs: Record<string, { properties: Record<string, unknown>; anyOf?: unknown[] }>
    }
    expect(request!.responseFormat).toMatchObject({ type: 'json', name: 'workflow_definition' })
    expect(schema.$defs.step!.properties.step).toEqual({
      type: 'string',
      enum: ['fetch-order', 'notify'],
    })
    expect(schema.$defs.workflow!.properties.workflow).toEqual({ type: 'string', enum: ['audit'] })
    expect(JSON.stringify(schema.$defs.callable)).toContain('"enum":["orders/is-big"]')
  })

  it('the response schema accepts a valid answer and refuses ids the registry does not have', () => {
    const schema = z.fromJSONSchema(draftSchema(registry) as Parameters<typeof z.fromJSONSchema>[0])
    expect(schema.safeParse(good).success).toBe(true)
    const withStep = (step: string) => ({
      ...good,
      root: { type: 'sequence', id: 'root', children: [{ type: 'step', id: 'x', step }] },
    })
    expect(schema.safeParse(withStep('notify')).success).toBe(true)
    expect(schema.safeParse(withStep('load-order')).success).toBe(false)
    const withCondition = (when: unknown) => ({
      ...good,
      root: {
        type: 'sequence',
        id: 'root',
        children: [{ type: 'branch', id: 'b', cases: [{ when, then: good.root.children[0] }] }],
      },
    })
    expect(schema.safeParse(withCondition({ expression: 'total > 5' })).success).toBe(true)
    expect(schema.safeParse(withCondition({ function: 'orders/unknown' })).success).toBe(false)
  })

  it('shows the model the errors of its answer with their JSON paths, and takes the repaired one', async () => {
    const unknownStep = structuredClone(good)
    unknownStep.root.children[0] = { type: 'step', id: 'fetch', step: 'load-order' }
    const { model, requests } = scriptedDrafter([
      '{"id": "order-review", ',
      JSON.stringify(unknownStep),
      JSON.stringify(good),
    ])
    const result = await draftWorkflow('Review orders', { model, registry })
    expect(result.attempts).toBe(3)
    expect(result.rejected).toHaveLength(2)
    expect(result.rejected[0]![0]!.message).toContain('not JSON')
    expect(result.rejected[1]!.map((issue) => issue.path)).toContain('root.children[0].step')

    const repair = requests[2]!.messages
    expect(repair.at(-2)).toEqual({ role: 'assistant', content: JSON.stringify(unknownStep) })
    expect(repair.at(-1)!.content).toContain('root.children[0].step')
    expect(repair.at(-1)!.content).toContain('load-order')
    expect(requests[2]!.messages).toHaveLength(6)
  })

  it('throws a WorkflowDraftError (a DefinitionError) with the last answer’s issues after maxRepairs', async () => {
    const broken = {
      ...good,
      root: { type: 'sequence', id: 'root', children: [{ type: 'step', id: 'x', step: 'nope' }] },
    }
    const { model, requests } = scriptedDrafter([JSON.stringify(broken), JSON.stringify(broken)])
    const error = await draftWorkflow('Review orders', { model, registry, maxRepairs: 1 }).catch(
      (caught: unknown) => caught,
    )
    expect(requests).toHaveLength(2)
    expect(error).toBeInstanceOf(WorkflowDraftError)
    expect(DefinitionError.isInstance(error)).toBe(true)
    const draftError = error as WorkflowDraftError
    expect(draftError.attempts).toBe(2)
    expect(draftError.workflowId).toBe('order-review')
    expect(draftError.issues[0]!.path).toBe('root.children[0].step')
    expect(draftError.message).toContain(
      'scripted:drafter did not draft a valid workflow in 2 answers',
    )
    expect(draftError.text).toBe(JSON.stringify(broken))
  })

  it('puts the schema in the instructions for a model without structured output, and reads fenced JSON', async () => {
    const { model, requests } = scriptedDrafter(
      ['```json\n' + JSON.stringify(good) + '\n```'],
      false,
    )
    const result = await draftWorkflow('Review orders', { model, registry })
    expect(result.attempts).toBe(1)
    expect(requests[0]!.responseFormat).toBeUndefined()
    expect(requests[0]!.messages[0]!.content).toContain('"enum":["fetch-order","notify"]')
  })

  it('rejects with the abort reason when the signal is aborted', async () => {
    const { model, requests } = scriptedDrafter([JSON.stringify(good)])
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await expect(
      draftWorkflow('Review orders', { model, registry, signal: controller.signal }),
    ).rejects.toThrow('stop')
    expect(requests).toHaveLength(0)
  })

  it('a drafted definition goes on to code generation', async () => {
    const simple = {
      id: 'order-review',
      inputSchema,
      root: {
        type: 'sequence',
        id: 'root',
        children: [
          { type: 'step', id: 'fetch-order', step: 'fetch-order' },
          { type: 'step', id: 'notify', step: 'notify' },
        ],
      },
    }
    const { model } = scriptedDrafter([JSON.stringify(simple)])
    const { definition } = await draftWorkflow('Review orders', { model, registry })
    expect(generateCode(definition)).toContain('export const orderReview = createWorkflow({')
  })
})
