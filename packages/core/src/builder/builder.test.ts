import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConflictError, InvalidArgumentError, createStep, createWorkflow } from '../index'
import { thrownBy } from '../../test/helpers'
import { inc, num } from '../../test/fixtures'

const list = createWorkflow({ id: 'list', input: z.array(num) })

/** Asserts `fn` throws an InvalidArgumentError with exactly `message`. */
function expectInvalid(fn: () => unknown, message: string) {
  const error = thrownBy(fn)
  expect(error).toBeInstanceOf(InvalidArgumentError)
  expect(error.message).toBe(message)
}

const idRule = 'a non-empty string of letters, digits, "-", "_", "." or ":" (at most 200)'

describe('createStep input checks', () => {
  const run = ({ input }: { input: { n: number } }) => input

  it('requires a valid id', () => {
    expectInvalid(
      () => createStep({ input: num, output: num, run } as any),
      `createStep: "id" must be ${idRule}, received undefined`,
    )
    expectInvalid(
      () => createStep({ id: '', input: num, output: num, run }),
      `createStep: "id" must be ${idRule}, received ""`,
    )
    expectInvalid(
      () => createStep({ id: 'has space', input: num, output: num, run }),
      `createStep: "id" must be ${idRule}, received "has space"`,
    )
    expectInvalid(
      () => createStep({ id: 'x'.repeat(201), input: num, output: num, run }),
      `createStep: "id" must be ${idRule}, received a string of 201 characters`,
    )
  })

  it('requires schemas, a run function, and valid retry and timeout', () => {
    expectInvalid(
      () => createStep(undefined as any),
      'createStep: "options" must be an object, received undefined',
    )
    expectInvalid(
      () => createStep({ id: 's', input: { n: 'number' } as any, output: num, run }),
      'createStep: "input" must be a zod schema, received an object',
    )
    expectInvalid(
      () => createStep({ id: 's', input: num, output: [] as any, run }),
      'createStep: "output" must be a zod schema, received an array of 0',
    )
    expectInvalid(
      () => createStep({ id: 's', input: num, output: num } as any),
      'createStep: "run" must be a function, received undefined',
    )
    expect(
      thrownBy(() =>
        createStep({ id: 's', input: num, output: num, timeout: '1 fortnight' as any, run }),
      ).message,
    ).toContain('"createStep("s").timeout" must be a duration')
  })

  it('returns a frozen step', () => {
    expect(Object.isFrozen(inc)).toBe(true)
    expect(inc).toMatchObject({ kind: 'step', id: 'inc', retry: undefined, timeoutMs: undefined })
  })
})

describe('createWorkflow input checks', () => {
  it('requires an id and zod schemas', () => {
    expectInvalid(
      () => createWorkflow('w' as any),
      'createWorkflow: "options" must be an object, received "w"',
    )
    expectInvalid(
      () => createWorkflow({ id: 'bad/id', input: num }),
      `createWorkflow: "id" must be ${idRule}, received "bad/id"`,
    )
    expectInvalid(
      () => createWorkflow({ id: 'w', input: { type: 'object' } as any }),
      'createWorkflow: "input" must be a zod schema, received an object',
    )
    expectInvalid(
      () => createWorkflow({ id: 'w', input: num, output: 'string' as any }),
      'createWorkflow: "output" must be a zod schema, received "string"',
    )
    expect(
      thrownBy(() => createWorkflow({ id: 'w', input: num, defaults: { timeout: -1 } })).message,
    ).toContain('"createWorkflow("w").defaults.timeout" must be a duration')
  })

  it('then() needs a step or a committed workflow', () => {
    const builder = createWorkflow({ id: 'w', input: num })
    const expected = 'a step (createStep) or a committed workflow (.commit())'
    expectInvalid(
      () => builder.then(123 as any),
      `w.then: "runnable" must be ${expected}, received 123`,
    )
    expectInvalid(
      () => builder.then(undefined as any),
      `w.then: "runnable" must be ${expected}, received undefined`,
    )
    expectInvalid(
      () => builder.then(createWorkflow({ id: 'uncommitted', input: num }) as any),
      `w.then: "runnable" must be ${expected}, received an object`,
    )
    expectInvalid(
      () => builder.then((() => 1) as any),
      `w.then: "runnable" must be ${expected}, received a function`,
    )
  })

  it('map, branch, parallel, foreach and loop check their arguments', () => {
    const builder = createWorkflow({ id: 'w', input: num })
    expectInvalid(() => builder.map('x' as any), 'w.map: "fn" must be a function, received "x"')
    expectInvalid(
      () => builder.branch([] as any),
      'w.branch: "cases" must be a non-empty array of [condition, step] pairs, received an array of 0',
    )
    expectInvalid(
      () => builder.branch([[true, inc]] as any),
      'w.branch: "cases[0]" must be a [condition function, step or workflow] pair, received an array of 2',
    )
    expectInvalid(
      () => builder.branch([[() => true, 'inc']] as any),
      'w.branch: "cases[0]" must be a step (createStep) or a committed workflow (.commit()), received "inc"',
    )
    expectInvalid(
      () => builder.parallel({}),
      'w.parallel: "runnables" must be a non-empty record of steps or workflows, received an object',
    )
    expectInvalid(
      () => builder.parallel({ a: 1 } as any),
      'w.parallel: ""a"" must be a step (createStep) or a committed workflow (.commit()), received 1',
    )
    expectInvalid(
      () => list.foreach(inc, { concurrency: 0 }),
      'list.foreach: "options.concurrency" must be an integer from 1 to 10000, received 0',
    )
    expectInvalid(
      () => list.foreach(inc, { concurrency: 2.5 }),
      'list.foreach: "options.concurrency" must be an integer from 1 to 10000, received 2.5',
    )
    expectInvalid(
      () => list.foreach(inc, { concurrency: 10_001 }),
      'list.foreach: "options.concurrency" must be an integer from 1 to 10000, received 10001',
    )
    expectInvalid(
      () => builder.loop(inc, {} as any),
      'w.loop: "options.until" must be a function, received undefined',
    )
    expectInvalid(
      () => builder.loop(inc, undefined as any),
      'w.loop: "options.until" must be a function, received undefined',
    )
    expectInvalid(
      () => builder.loop(inc, { until: () => true, maxIterations: 0 }),
      'w.loop: "options.maxIterations" must be a positive integer, received 0',
    )
  })

  it('explicit node ids must be valid and unique', () => {
    const builder = createWorkflow({ id: 'w', input: num }).map(({ input }) => input, {
      id: 'shape',
    })
    const error = thrownBy(() => builder.map(({ input }) => input, { id: 'shape' }))
    expect(ConflictError.isInstance(error)).toBe(true)
    expect(error.message).toBe('Workflow "w" already has a node with id "shape"')
    expect(thrownBy(() => builder.map(({ input }) => input, { id: 'root' })).message).toBe(
      'Workflow "w" already has a node with id "root"',
    )
    expectInvalid(
      () => builder.map(({ input }) => input, { id: 'a b' }),
      'w.map: "options.id" must be a node id of letters, digits, "-", "_", ".", ":" or "/" (at most 300), received "a b"',
    )
  })

  it('two different steps with one id in a workflow conflict', () => {
    const impostor = createStep({ id: 'inc', input: num, output: num, run: ({ input }) => input })
    const error = thrownBy(() => createWorkflow({ id: 'w', input: num }).then(inc).then(impostor))
    expect(ConflictError.isInstance(error)).toBe(true)
    expect(error.message).toBe('Workflow "w" uses two different steps with the id "inc"')
    const viaChild = createWorkflow({ id: 'c', input: num }).then(impostor).commit()
    expect(
      thrownBy(() => createWorkflow({ id: 'w', input: num }).then(inc).then(viaChild)).message,
    ).toBe('Workflow "w" uses two different steps with the id "inc" (one via "c")')
  })
})

describe('builder immutability', () => {
  it('every method returns a new builder, so a prefix can be shared', () => {
    const prefix = createWorkflow({ id: 'w', input: num }).then(inc)
    const a = prefix.then(inc).commit()
    const b = prefix.map(({ input }) => input.n).commit()
    const c = prefix.commit()
    expect(a.definition.root).toMatchObject({ children: [{ id: 'inc' }, { id: 'inc-1' }] })
    expect(b.definition.root).toMatchObject({ children: [{ id: 'inc' }, { id: 'map-1' }] })
    expect((c.definition.root as { children: unknown[] }).children).toHaveLength(1)
    expect(new Set([a.version, b.version, c.version]).size).toBe(3)
    expect(Object.isFrozen(a)).toBe(true)
  })
})

describe('workflow versions across compilers', () => {
  it('normalises function sources: whitespace, comments and semicolons do not change a version', async () => {
    const { normalizeSource } = await import('./workflow-version')
    const pairs: [string, string][] = [
      ['({input})=>({b:input.a,s:"x  y"})', '({ input }) => ({\n\tb: input.a,\n\ts: "x  y"\n})'],
      [
        'function named(x){return x+1}',
        'function named(x) {\n\t// inner comment\n\treturn x + 1;\n}',
      ],
      ['(x)=>`a ${x} b`', '(x) => /* why */ `a ${x} b`'],
    ]
    for (const [tsx, vitest] of pairs) expect(normalizeSource(tsx)).toBe(normalizeSource(vitest))
    // What the code says still counts.
    expect(normalizeSource('(x)=>"a b"')).not.toBe(normalizeSource('(x)=>"ab"'))
    expect(normalizeSource('(x)=>x+1')).not.toBe(normalizeSource('(x)=>x-1'))
    expect(normalizeSource('function f(){return a}')).toBe('function f(){return a}')
  })
})
