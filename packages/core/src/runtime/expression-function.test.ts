import { describe, expect, it } from 'vitest'
import { ControlFlowError, createEngine, definePlugin } from '../index'
import { double, inc } from '../../test/fixtures'

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
