import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ValidationError, createStep, createWorkflow } from '../index'
import { rejectionOf, useEngines } from '../../test/helpers'
import { inc, num } from '../../test/fixtures'

const wantsText = createStep({
  id: 'wants-text',
  input: z.object({ text: z.string() }),
  output: z.string(),
  retry: { attempts: 3, backoff: { initial: 0, jitter: false } },
  run: ({ input }) => input.text,
})

const newEngine = useEngines()

describe('validation: workflow input', () => {
  const wf = createWorkflow({
    id: 'typed',
    input: z.object({ order: z.object({ id: z.string() }), n: z.number() }),
  })
    .map(({ input }) => ({ n: input.n }))
    .then(inc)
    .commit()

  it('rejects bad input at start with a ValidationError naming the workflow and the path', async () => {
    const engine = newEngine()
    const error = await rejectionOf(engine.start(wf, { order: { id: 7 }, n: 1 } as any))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.workflowId).toBe('typed')
    expect(error.stepId).toBeUndefined()
    expect(error.target).toBe('input')
    expect(error.issues).toEqual([
      { path: 'order.id', expected: 'string', received: 'number', message: expect.any(String) },
    ])
    expect(error.message).toBe(
      'Workflow "typed" received invalid input at "order.id": expected string, received number',
    )
    // no run was created
    expect((await engine.listRuns()).runs).toEqual([])
  })

  it('lists every problem', async () => {
    const error = await rejectionOf(newEngine().start(wf, {} as any))
    expect(error.issues.map((issue: { path: string }) => issue.path)).toEqual(['order', 'n'])
    expect(error.message).toContain('at "order": expected object, received undefined')
    expect(error.message).toContain('at "n": expected number, received undefined')
  })

  it('starts with the parsed input (defaults and transforms applied)', async () => {
    const defaults = createWorkflow({
      id: 'defaults',
      input: z.object({ n: z.number().default(41) }),
    })
      .then(inc)
      .commit()
    const run = await newEngine().start(defaults, {})
    expect(await run.result()).toEqual({ n: 42 })
    expect((await run.record()).input).toEqual({ n: 41 })
  })
})

describe('validation: step input and output', () => {
  it('a step input mismatch fails the run with ValidationError naming workflow, step, path and expected type', async () => {
    const wf = createWorkflow({ id: 'mismatch', input: num })
      .then(inc)
      .then(wantsText as any)
      .commit()
    const run = await newEngine().start(wf, { n: 1 })
    const error = await rejectionOf(run.result())
    expect(ValidationError.isInstance(error)).toBe(true)
    expect(error.workflowId).toBe('mismatch')
    expect(error.stepId).toBe('wants-text')
    expect(error.target).toBe('input')
    expect(error.issues[0]).toMatchObject({
      path: 'text',
      expected: 'string',
      received: 'undefined',
    })
    expect(error.message).toBe(
      'Step "wants-text" in workflow "mismatch" received invalid input at "text": expected string, received undefined',
    )
    // validation errors are not retried, whatever the retry policy says
    const steps = await run.steps()
    expect(steps.map((step) => [step.key, step.status, step.attempts])).toEqual([
      ['inc', 'succeeded', 1],
      ['wants-text', 'failed', 1],
    ])
    expect((await run.record()).error).toMatchObject({
      code: 'validation_failed',
      details: { stepId: 'wants-text' },
    })
  })

  it('a step output mismatch fails the run with ValidationError (target output)', async () => {
    let calls = 0
    const liar = createStep({
      id: 'liar',
      input: num,
      output: num,
      retry: { attempts: 4, backoff: { initial: 0, jitter: false } },
      run: () => {
        calls++
        return { n: 'seven' } as any
      },
    })
    const wf = createWorkflow({ id: 'lying', input: num }).then(liar).commit()
    const error = await rejectionOf((await newEngine().start(wf, { n: 1 })).result())
    expect(ValidationError.isInstance(error)).toBe(true)
    expect(error.target).toBe('output')
    expect(error.stepId).toBe('liar')
    expect(error.message).toBe(
      'Step "liar" in workflow "lying" returned invalid output at "n": expected number, received string',
    )
    expect(calls).toBe(1)
  })

  it('a step receives its parsed input, and the next step its parsed output', async () => {
    const seen: unknown[] = []
    const trims = createStep({
      id: 'trims',
      input: z.object({ name: z.string().trim() }),
      output: z
        .object({ name: z.string() })
        .transform((value) => ({ name: value.name.toUpperCase() })),
      run: ({ input }) => {
        seen.push(input)
        return input
      },
    })
    const wf = createWorkflow({ id: 'parsing', input: z.object({ name: z.string() }) })
      .then(trims)
      .commit()
    const run = await newEngine().start(wf, { name: '  ada  ' })
    expect(await run.result()).toEqual({ name: 'ADA' })
    expect(seen).toEqual([{ name: 'ada' }])
  })

  it('the workflow’s declared output schema is checked at the end', async () => {
    const wf = createWorkflow({
      id: 'bounded',
      input: num,
      output: z.object({ n: z.number().max(5) }),
    })
      .then(inc)
      .commit()
    const engine = newEngine()
    expect(await (await engine.start(wf, { n: 1 })).result()).toEqual({ n: 2 })
    const error = await rejectionOf((await engine.start(wf, { n: 9 })).result())
    expect(ValidationError.isInstance(error)).toBe(true)
    expect(error.workflowId).toBe('bounded')
    expect(error.stepId).toBeUndefined()
    expect(error.target).toBe('output')
    expect(error.message).toMatch(/^Workflow "bounded" returned invalid output at "n": /)
  })

  it('error messages name only value types, never the values', async () => {
    const secretive = createStep({
      id: 'secretive',
      input: z.object({ pin: z.number() }),
      output: num,
      run: () => ({ n: 1 }),
    })
    const wf = createWorkflow({ id: 'pins', input: z.object({ pin: z.string() }) })
      .then(secretive as any)
      .commit()
    const error = await rejectionOf((await newEngine().start(wf, { pin: 'hunter2' })).result())
    expect(error.message).not.toContain('hunter2')
    expect(JSON.stringify(error.toJSON())).not.toContain('hunter2')
  })
})

describe('validation: issue wording', () => {
  const check = async (schema: z.ZodType, value: unknown) => {
    const wf = createWorkflow({ id: 'words', input: schema }).commit()
    return (await rejectionOf(newEngine().start(wf, value as never))).message as string
  }

  it('bounds, formats and multiples read as expectations', async () => {
    expect(await check(z.object({ n: z.number().max(1) }), { n: 3 })).toBe(
      'Workflow "words" received invalid input at "n": expected number <= 1, received number',
    )
    expect(await check(z.object({ n: z.number().gt(0) }), { n: 0 })).toBe(
      'Workflow "words" received invalid input at "n": expected number > 0, received number',
    )
    expect(await check(z.object({ s: z.string().min(3) }), { s: 'ab' })).toBe(
      'Workflow "words" received invalid input at "s": expected at least 3 characters, received string',
    )
    expect(await check(z.object({ list: z.array(z.number()).length(2) }), { list: [1] })).toBe(
      'Workflow "words" received invalid input at "list": expected exactly 2 items, received array',
    )
    expect(await check(z.object({ email: z.email() }), { email: 'nope' })).toBe(
      'Workflow "words" received invalid input at "email": expected email format, received string',
    )
    expect(await check(z.object({ n: z.number().multipleOf(5) }), { n: 7 })).toBe(
      'Workflow "words" received invalid input at "n": expected a multiple of 5, received number',
    )
  })

  it('other issues show their own message', async () => {
    const schema = z.object({
      code: z.string().refine((value) => value.startsWith('A'), 'must start with A'),
    })
    expect(await check(schema, { code: 'B1' })).toBe(
      'Workflow "words" received invalid input at "code": must start with A, received string',
    )
  })
})
