import { describe, expect, it } from 'vitest'
import { ControlFlowError, createEngine, createWorkflow, definePlugin, expression } from '../index'
import { validateDefinition } from '../definition/index'
import { double, inc, num } from '../../test/fixtures'

const plugin = definePlugin({ name: 'expression-steps', steps: [inc, double] })

/** A definition as the designer writes it: no registered functions, only expressions. */
const definition = (root: unknown, id = 'expressions') => ({
  kind: 'tessera.workflow',
  schemaVersion: 1,
  id,
  version: 'draft',
  inputSchema: {
    type: 'object',
    properties: { n: { type: 'number' } },
    required: ['n'],
  },
  root,
})

const run = async (root: unknown, input: unknown) => {
  const engine = createEngine({ plugins: [plugin] })
  try {
    const workflow = engine.registerDefinition(definition(root))
    const handle = await engine.start(workflow, input)
    return await handle.result()
  } finally {
    await engine.close()
  }
}

const sequence = (...children: unknown[]) => ({ type: 'sequence', id: 'root', children })
const step = (name: string) => ({ type: 'step', id: name, step: name })

const branchOnSize = {
  type: 'sequence',
  id: 'root',
  children: [
    { type: 'step', id: 'first', step: 'inc' },
    {
      type: 'branch',
      id: 'size',
      cases: [
        { when: { expression: 'n > 10' }, then: { type: 'step', id: 'big', step: 'double' } },
        { when: { expression: 'true' }, then: { type: 'step', id: 'small', step: 'inc' } },
      ],
    },
    { type: 'code', id: 'shape', expression: '{ "n": n, "label": "n is " & $string(n) }' },
  ],
}

describe('expressions in definitions, run by the engine', () => {
  it('branches on an expression and maps with one', async () => {
    await expect(run(branchOnSize, { n: 20 })).resolves.toEqual({ n: 42, label: 'n is 42' })
    await expect(run(branchOnSize, { n: 1 })).resolves.toEqual({ n: 3, label: 'n is 3' })
  })

  it('ends a loop when its until expression holds, with $iteration', async () => {
    const loop = {
      type: 'loop',
      id: 'grow',
      maxIterations: 50,
      until: { expression: 'n >= 10 or $iteration = 3' },
      body: { type: 'step', id: 'twice', step: 'double' },
    }
    await expect(run(loop, { n: 3 })).resolves.toEqual({ n: 12 })
    await expect(run(loop, { n: 1 })).resolves.toEqual({ n: 8 })
  })

  it('maps over arrays inside a foreach without steps', async () => {
    const root = {
      type: 'sequence',
      id: 'root',
      children: [
        { type: 'code', id: 'items', expression: '[1..n].{ "n": $ }' },
        {
          type: 'foreach',
          id: 'each',
          concurrency: 2,
          body: { type: 'code', id: 'square', expression: '{ "n": n * n }' },
        },
        { type: 'code', id: 'sum', expression: '{ "n": $sum(n) }' },
      ],
    }
    await expect(run(root, { n: 4 })).resolves.toEqual({ n: 1 + 4 + 9 + 16 })
  })

  it('sleeps until the time an expression gives, and waits for the event an expression matches', async () => {
    const engine = createEngine({ plugins: [plugin] })
    const workflow = engine.registerDefinition({
      ...definition(
        sequence(
          { type: 'sleep', id: 'nap', until: { expression: '$toMillis("2000-01-01T00:00:00Z")' } },
          {
            type: 'event',
            id: 'paid',
            event: 'payment',
            match: { expression: '{ "orderId": orderId }' },
          },
          { type: 'code', id: 'amount', expression: '{ "n": amount }' },
          step('inc'),
        ),
      ),
      inputSchema: { type: 'object', properties: { orderId: { type: 'string' } } },
    })
    const run = await engine.start(workflow, { orderId: 'A1' })
    // The sleep (its time is long past) fires at once; then the run waits for the payment.
    const waiting = async () =>
      (await engine.store.getRunHistory(run.id))?.tasks.find((task) => task.nodeId === 'paid')
    for (let attempt = 0; (await waiting()) === undefined; attempt++) {
      if (attempt > 200) throw new Error('the run never waited for the payment')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect((await waiting())?.wait).toEqual({
      kind: 'event',
      name: 'payment',
      match: { orderId: 'A1' },
    })
    expect((await engine.sendEvent('payment', { orderId: 'B2', amount: 5 })).runIds).toEqual([])
    expect((await engine.sendEvent('payment', { orderId: 'A1', amount: 41 })).runIds).toEqual([
      run.id,
    ])
    expect(await run.result()).toEqual({ n: 42 })
    await engine.close()
  })

  it('runs a builder workflow that uses expression(), and its definition validates clean', async () => {
    const workflow = createWorkflow({ id: 'built', input: num })
      .then(inc)
      .branch([
        [expression('n > 10'), double],
        [expression('true'), inc],
      ])
      .map(expression<{ n: number; even: boolean }>('{ "n": n, "even": n % 2 = 0 }'))
      .commit()
    const engine = createEngine({ workflows: [workflow] })
    const run = await engine.start(workflow, { n: 20 })
    expect(await run.result()).toEqual({ n: 42, even: true })
    expect(
      validateDefinition(workflow.definition, { registry: engine.registry.describe() }).issues,
    ).toEqual([])
    await engine.close()
  })

  it('a map that is not deterministic before an expression fails the run instead of looping', async () => {
    // Each re-run of the decision draws a new number, so the branch's expression never has its
    // value: the cap on evaluations per decision ends it.
    const workflow = createWorkflow({ id: 'random', input: num })
      .map(() => ({ n: Math.random() }))
      .branch([
        [expression('n > 2'), inc],
        [expression('true'), double],
      ])
      .commit()
    const engine = createEngine({ workflows: [workflow] })
    const error = await engine
      .start(workflow, { n: 1 })
      .then((run) => run.result())
      .catch((reason: unknown) => reason)
    expect(ControlFlowError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain('is an inline function not deterministic?')
    await engine.close()
  })

  it('fails the run with a ControlFlowError naming the node when an expression fails', async () => {
    const root = { type: 'code', id: 'broken', expression: '$number("ten") + n' }
    const error = await run(root, { n: 1 }).catch((reason: unknown) => reason)
    expect(ControlFlowError.isInstance(error)).toBe(true)
    expect((error as ControlFlowError).nodeId).toBe('broken')
    expect((error as Error).message).toContain('failed at position 8')
    expect((error as Error).message).toContain('(JSONata D3030)')
  })

  it('a branch condition that is not a boolean fails the run', async () => {
    const root = {
      type: 'branch',
      id: 'pick',
      cases: [{ when: { expression: 'n' }, then: { type: 'step', id: 'a', step: 'inc' } }],
    }
    const error = await run(root, { n: 1 }).catch((reason: unknown) => reason)
    expect((error as Error).message).toContain('branch condition must return a boolean')
  })

  it.each([
    ['$eval', '$eval("1 + 1")'],
    ['$now', '$now()'],
    ['$millis', '$millis()'],
    ['$random', '$random()'],
  ])('%s is not available at run time', async (_name, expression) => {
    const error = await run({ type: 'code', id: 'sneaky', expression }, { n: 1 }).catch(
      (reason: unknown) => reason,
    )
    expect(ControlFlowError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain('is not available in workflow definitions')
  })

  it('JavaScript never runs: constructor chains and global lookups are plain JSON paths', async () => {
    const probe = globalThis as { tesseraProbe?: unknown }
    for (const expression of [
      '$.constructor.constructor("globalThis.tesseraProbe = 1")()',
      '$string.constructor("globalThis.tesseraProbe = 2")()',
      '$lookup($, "constructor")("globalThis.tesseraProbe = 3")',
      'process.mainModule.require("child_process")',
    ]) {
      const output = await run({ type: 'code', id: 'probe', expression }, { n: 1 }).catch(
        (reason: unknown) => reason,
      )
      // Either nothing (no such JSON field) or a JSONata error: never JavaScript's work.
      if (output !== undefined) expect(ControlFlowError.isInstance(output)).toBe(true)
    }
    expect(probe.tesseraProbe).toBeUndefined()
  })

  it('a runaway recursion is stopped by the evaluation limits', async () => {
    const expression = '($f := function($x) { $f($x + 1) }; $f(0))'
    const error = await run({ type: 'code', id: 'forever', expression }, { n: 1 }).catch(
      (reason: unknown) => reason,
    )
    expect(ControlFlowError.isInstance(error)).toBe(true)
  })
})
