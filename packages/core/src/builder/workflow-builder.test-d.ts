import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createStep } from './step'
import { createWorkflow } from './workflow-builder'
import type { InputOf, OutputOf, Workflow } from './workflow'
import { createEngine } from '../runtime/engine'
import type { RunHandle } from '../runtime/run-handle'

const fetchOrder = createStep({
  id: 'fetch-order',
  input: z.object({ orderId: z.string() }),
  output: z.object({
    orderId: z.string(),
    total: z.number(),
    lineItems: z.array(z.object({ sku: z.string(), qty: z.number() })),
  }),
  run: ({ input }) => ({ orderId: input.orderId, total: 1, lineItems: [] }),
})
const bigOrder = createStep({
  id: 'big-order',
  input: z.object({ total: z.number() }),
  output: z.object({ tier: z.literal('big'), total: z.number() }),
  run: ({ input }) => ({ tier: 'big' as const, total: input.total }),
})
const smallOrder = createStep({
  id: 'small-order',
  input: z.object({ total: z.number() }),
  output: z.object({ tier: z.literal('small') }),
  run: () => ({ tier: 'small' as const }),
})
const checkStock = createStep({
  id: 'check-stock',
  input: z.object({ sku: z.string(), qty: z.number() }),
  output: z.object({ sku: z.string(), available: z.boolean() }),
  run: ({ input }) => ({ sku: input.sku, available: input.qty > 0 }),
})
const notify = createStep({
  id: 'notify',
  input: z.array(z.unknown()),
  output: z.object({ sent: z.boolean() }),
  run: () => ({ sent: true }),
})
const audit = createStep({
  id: 'audit',
  input: z.array(z.unknown()),
  output: z.number(),
  run: () => 1,
})
const poll = createStep({
  id: 'poll',
  input: z.object({ jobId: z.string(), done: z.boolean().optional() }),
  output: z.object({ jobId: z.string(), done: z.boolean() }),
  run: ({ input }) => ({ jobId: input.jobId, done: true }),
})

describe('createStep', () => {
  it('types run from the schemas', () => {
    expectTypeOf(fetchOrder.id).toEqualTypeOf<'fetch-order'>()
    expectTypeOf<InputOf<typeof fetchOrder>>().toEqualTypeOf<{ orderId: string }>()
    expectTypeOf<OutputOf<typeof fetchOrder>>().toEqualTypeOf<{
      orderId: string
      total: number
      lineItems: { sku: string; qty: number }[]
    }>()
    createStep({
      id: 'x',
      input: z.object({ a: z.string() }),
      output: z.object({ b: z.number() }),
      run: ({ input, signal, attempt, idempotencyKey }) => {
        expectTypeOf(input).toEqualTypeOf<{ a: string }>()
        expectTypeOf(signal).toEqualTypeOf<AbortSignal>()
        expectTypeOf(attempt).toEqualTypeOf<number>()
        expectTypeOf(idempotencyKey).toEqualTypeOf<string>()
        return { b: 1 }
      },
    })
    createStep({
      id: 'bad-return',
      input: z.object({}),
      output: z.object({ b: z.number() }),
      // @ts-expect-error run must return the output schema's input type
      run: () => ({ b: 'not a number' }),
    })
  })
})

describe('WorkflowBuilder', () => {
  const base = createWorkflow({ id: 'order-review', input: z.object({ orderId: z.string() }) })

  it('flows the previous output into the next step', () => {
    const chain = base.then(fetchOrder)
    expectTypeOf(chain.commit()).toEqualTypeOf<
      Workflow<'order-review', { orderId: string }, OutputOf<typeof fetchOrder>>
    >()
  })

  it('rejects a step whose input does not accept the previous output, naming the step', () => {
    // @ts-expect-error check-stock expects { sku, qty } but receives { orderId }
    base.then(checkStock)
  })

  it('types .branch as the union of the branch outputs', () => {
    const branched = base.then(fetchOrder).branch([
      [({ input }) => input.total > 1000, bigOrder],
      [() => true, smallOrder],
    ])
    expectTypeOf(branched.commit()).toEqualTypeOf<
      Workflow<
        'order-review',
        { orderId: string },
        { tier: 'big'; total: number } | { tier: 'small' }
      >
    >()
    // @ts-expect-error a branch step must accept the input
    base.branch([[() => true, checkStock]])
  })

  it('types .map from the function result', () => {
    const mapped = base.then(fetchOrder).map(({ input }) => input.lineItems)
    expectTypeOf<OutputOf<ReturnType<typeof mapped.commit>>>().toEqualTypeOf<
      { sku: string; qty: number }[]
    >()
  })

  it('lets .foreach compile only after an array, typing the element and the result', () => {
    const each = base
      .then(fetchOrder)
      .map(({ input }) => input.lineItems)
      .foreach(checkStock, { concurrency: 8 })
    expectTypeOf<OutputOf<ReturnType<typeof each.commit>>>().toEqualTypeOf<
      { sku: string; available: boolean }[]
    >()
    // @ts-expect-error the previous output is an object, not an array
    base.then(fetchOrder).foreach(checkStock)
    // @ts-expect-error the elements are numbers, check-stock wants { sku, qty }
    base.map(() => [1, 2, 3]).foreach(checkStock)
  })

  it('types .parallel as a record of the outputs', () => {
    const both = base.map(() => [1, 2] as unknown[]).parallel({ notify, audit })
    expectTypeOf<OutputOf<ReturnType<typeof both.commit>>>().toEqualTypeOf<{
      notify: { sent: boolean }
      audit: number
    }>()
    // @ts-expect-error notify expects an array
    base.parallel({ notify })
  })

  it('types .loop with until over the body output', () => {
    const looped = base
      .map(({ input }) => ({ jobId: input.orderId }))
      .loop(poll, {
        until: ({ output, iteration }) => {
          expectTypeOf(output).toEqualTypeOf<{ jobId: string; done: boolean }>()
          expectTypeOf(iteration).toEqualTypeOf<number>()
          return output.done
        },
        maxIterations: 50,
      })
    expectTypeOf<OutputOf<ReturnType<typeof looped.commit>>>().toEqualTypeOf<{
      jobId: string
      done: boolean
    }>()
    // @ts-expect-error the loop body must accept its own output (fetch-order returns more than it accepts, but not orderId-only)
    base.loop(checkStock, { until: () => true })
  })

  it('uses a committed workflow as a step', () => {
    const child = createWorkflow({ id: 'child', input: z.object({ total: z.number() }) })
      .then(bigOrder)
      .commit()
    const parent = base.then(fetchOrder).then(child).commit()
    expectTypeOf<OutputOf<typeof parent>>().toEqualTypeOf<{ tier: 'big'; total: number }>()
    // @ts-expect-error the child expects { total } but receives { orderId }
    base.then(child)
  })

  it('checks the declared output schema at commit', () => {
    const declared = createWorkflow({
      id: 'declared',
      input: z.object({ orderId: z.string() }),
      output: z.object({ tier: z.string() }),
    })
    expectTypeOf(declared.then(fetchOrder).then(bigOrder).commit()).toEqualTypeOf<
      Workflow<'declared', { orderId: string }, { tier: string }>
    >()
    // @ts-expect-error fetch-order's output has no tier
    declared.then(fetchOrder).commit()
  })

  it('is immutable: a shared prefix keeps its own type', () => {
    const prefix = base.then(fetchOrder)
    const a = prefix.map(() => 'a' as const)
    const b = prefix.map(() => 1 as const)
    expectTypeOf<OutputOf<ReturnType<typeof a.commit>>>().toEqualTypeOf<'a'>()
    expectTypeOf<OutputOf<ReturnType<typeof b.commit>>>().toEqualTypeOf<1>()
  })
})

describe('engine.start', () => {
  it('types the input and the result', async () => {
    const engine = createEngine()
    const workflow = createWorkflow({ id: 'typed', input: z.object({ orderId: z.string() }) })
      .then(fetchOrder)
      .commit()
    const run = await engine.start(workflow, { orderId: 'A1' })
    expectTypeOf(run).toEqualTypeOf<RunHandle<OutputOf<typeof fetchOrder>>>()
    expectTypeOf(run.result()).resolves.toEqualTypeOf<OutputOf<typeof fetchOrder>>()
    // @ts-expect-error orderId must be a string
    await engine.start(workflow, { orderId: 1 })
  })
})
