import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { asNode } from './node-options'
import { expression } from './expression'
import { namedFunction } from './named-function'
import { sequence, single } from './fragment'
import { createStep } from './step'
import { createWorkflow, type ApprovalDecision } from './workflow-builder'
import type { Workflow } from './workflow'

const order = z.object({ orderId: z.string(), total: z.number() })
const fetchOrder = createStep({
  id: 'fetch-order',
  input: z.object({ orderId: z.string() }),
  output: order,
  run: ({ input }) => ({ orderId: input.orderId, total: 1 }),
})
const ship = createStep({
  id: 'ship',
  input: order,
  output: z.object({ shipped: z.boolean() }),
  run: () => ({ shipped: true }),
})
const start = () => createWorkflow({ id: 'w', input: z.object({ orderId: z.string() }) })

describe('the helpers generated code uses keep the chain typed', () => {
  it('asNode returns the runnable’s own type; .then takes node options', () => {
    expectTypeOf(asNode(fetchOrder, { id: 'x' })).toEqualTypeOf(fetchOrder)
    const workflow = start()
      .then(fetchOrder, { id: 'first', timeout: '5s' })
      .then(asNode(ship, { retry: { attempts: 2 } }))
      .commit()
    expectTypeOf(workflow).toEqualTypeOf<Workflow<'w', { orderId: string }, { shipped: boolean }>>()
  })

  it('namedFunction returns the function’s type, so .map infers its output', () => {
    const pick = namedFunction(
      'shared/total',
      ({ input }: { input: { total: number } }) => input.total,
    )
    expectTypeOf(pick).toEqualTypeOf<({ input }: { input: { total: number } }) => number>()
    const workflow = start().then(fetchOrder).map(pick).commit()
    expectTypeOf(workflow).toEqualTypeOf<Workflow<'w', { orderId: string }, number>>()
  })

  it('expression<T> types its value; without T it is any', () => {
    const workflow = start()
      .map(expression<{ orderId: string; total: number }>('{ "orderId": orderId, "total": 0 }'))
      .then(ship)
      .commit()
    expectTypeOf(workflow).toEqualTypeOf<Workflow<'w', { orderId: string }, { shipped: boolean }>>()
    expectTypeOf(start().map(expression('orderId')).commit()).toEqualTypeOf<
      Workflow<'w', { orderId: string }, any>
    >()
  })

  it('sequence and single type what follows by their chain’s last output', () => {
    const branched = start()
      .then(fetchOrder)
      .branch([
        [
          expression('total > 1000'),
          sequence('review', (chain) => chain.approval({ id: 'manager' })),
        ],
        [expression('true'), single((chain) => chain.then(ship))],
      ])
      .commit()
    expectTypeOf(branched).toEqualTypeOf<
      Workflow<'w', { orderId: string }, ApprovalDecision<unknown> | { shipped: boolean }>
    >()
    // A step that cannot take what the sequence outputs is refused.
    start()
      .then(sequence('s', (chain) => chain.then(ship)))
      // @ts-expect-error ship needs an order, the sequence outputs { shipped }
      .then(ship)
  })
})
