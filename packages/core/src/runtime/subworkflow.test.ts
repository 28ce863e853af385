import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConflictError, ValidationError, createStep, createWorkflow } from '../index'
import { recordEvents, rejectionOf, thrownBy, useEngines } from '../../test/helpers'
import { inc, num, square } from '../../test/fixtures'

const child = createWorkflow({ id: 'child', input: num, output: num })
  .then(inc)
  .then(square)
  .commit()

const newEngine = useEngines()

describe('subworkflows', () => {
  it('runs a child workflow as a step of its parent', async () => {
    const parent = createWorkflow({ id: 'parent', input: num })
      .then(inc)
      .then(child)
      .then(inc)
      .commit()
    const run = await newEngine().start(parent, { n: 1 })
    // inc → 2, child: inc → 3, square → 9, inc → 10
    expect(await run.result()).toEqual({ n: 10 })
  })

  it('prefixes the child’s node ids with the workflow node’s id in events and step records', async () => {
    const parent = createWorkflow({ id: 'parent', input: num }).then(inc).then(child).commit()
    const engine = newEngine()
    const run = await engine.start(parent, { n: 0 })
    const events = recordEvents(run)
    await run.result()
    const starts = events.filter((event) => event.type === 'step-start')
    expect(starts.map((event) => ('stepId' in event ? event.stepId : ''))).toEqual([
      'inc',
      'child/inc',
      'child/square',
    ])
    // events carry the run's workflow id, not the child's
    expect(starts.every((event) => event.workflowId === 'parent')).toBe(true)
    expect((await run.steps()).map((step) => [step.key, step.nodeId])).toEqual([
      ['inc', 'inc'],
      ['child/inc', 'child/inc'],
      ['child/square', 'child/square'],
    ])
    expect(engine.registry.workflows.get('child')).toBe(child)
  })

  it('nests: a grandchild’s nodes carry both prefixes', async () => {
    const middle = createWorkflow({ id: 'middle', input: num }).then(child).then(inc).commit()
    const top = createWorkflow({ id: 'top', input: num }).then(middle).commit()
    const run = await newEngine().start(top, { n: 2 })
    expect(await run.result()).toEqual({ n: 10 })
    expect((await run.steps()).map((step) => step.key)).toEqual([
      'middle/child/inc',
      'middle/child/square',
      'middle/inc',
    ])
  })

  it('the same child twice gets distinct node ids', async () => {
    const twice = createWorkflow({ id: 'twice', input: num }).then(child).then(child).commit()
    const run = await newEngine().start(twice, { n: 1 })
    // (1+1)^2 = 4, (4+1)^2 = 25
    expect(await run.result()).toEqual({ n: 25 })
    expect((await run.steps()).map((step) => step.key)).toEqual([
      'child/inc',
      'child/square',
      'child-1/inc',
      'child-1/square',
    ])
  })

  it('validates the child’s input with its own schema (and uses the parsed value)', async () => {
    const positive = createWorkflow({
      id: 'positive',
      input: z.object({ n: z.number().min(0), tag: z.string().default('none') }),
    })
      .map(({ input }) => `${input.tag}:${input.n}`)
      .commit()
    const parent = createWorkflow({ id: 'uses-positive', input: num }).then(positive).commit()
    const engine = newEngine()
    expect(await (await engine.start(parent, { n: 3 })).result()).toBe('none:3')
    const run = await engine.start(parent, { n: -1 })
    const error = await rejectionOf(run.result())
    expect(ValidationError.isInstance(error)).toBe(true)
    expect(error.workflowId).toBe('positive')
    expect(error.target).toBe('input')
    expect(error.issues[0].path).toBe('n')
    expect(error.message).toMatch(/^Workflow "positive" received invalid input at "n": /)
  })

  it('validates the child’s output against its declared output schema', async () => {
    const small = createWorkflow({
      id: 'small',
      input: num,
      output: z.object({ n: z.number().max(10) }),
    })
      .then(square)
      .commit()
    const parent = createWorkflow({ id: 'uses-small', input: num }).then(small).then(inc).commit()
    const engine = newEngine()
    expect(await (await engine.start(parent, { n: 3 })).result()).toEqual({ n: 10 })
    const run = await engine.start(parent, { n: 4 })
    const error = await rejectionOf(run.result())
    expect(ValidationError.isInstance(error)).toBe(true)
    expect(error.workflowId).toBe('small')
    expect(error.target).toBe('output')
    expect(error.message).toMatch(/^Workflow "small" returned invalid output at "n": /)
    // the square step ran and succeeded; the step after the child never started
    expect((await run.steps()).map((step) => [step.key, step.status])).toEqual([
      ['small/square', 'succeeded'],
    ])
  })

  it('a child’s output transform applies before the parent continues', async () => {
    const shout = createWorkflow({
      id: 'shout',
      input: num,
      output: z.object({ n: z.number() }).transform((value) => ({ text: `N=${value.n}` })),
    })
      .then(inc)
      .commit()
    const parent = createWorkflow({ id: 'uses-shout', input: num })
      .then(shout)
      .map(({ input }) => input.text.toLowerCase())
      .commit()
    expect(await (await newEngine().start(parent, { n: 1 })).result()).toBe('n=2')
  })

  it('a failing step inside a child fails the parent run with the child’s step id', async () => {
    const broken = createStep({
      id: 'broken',
      input: num,
      output: num,
      run: () => {
        throw new Error('inside')
      },
    })
    const bad = createWorkflow({ id: 'bad-child', input: num }).then(broken).commit()
    const parent = createWorkflow({ id: 'uses-bad', input: num }).then(bad).commit()
    const error = await rejectionOf((await newEngine().start(parent, { n: 1 })).result())
    expect(error.code).toBe('step_failed')
    expect(error.workflowId).toBe('bad-child')
    expect(error.stepId).toBe('bad-child/broken')
    expect(error.message).toBe(
      'Step "bad-child/broken" in workflow "bad-child" failed after 1 attempt: inside',
    )
  })

  it('a workflow cannot contain itself, and two different versions of a child conflict', () => {
    const error = thrownBy(() => {
      const self = createWorkflow({ id: 'self', input: num }).then(inc).commit()
      createWorkflow({ id: 'self', input: num }).then(self)
    })
    expect(ConflictError.isInstance(error)).toBe(true)
    expect(error.message).toBe('Workflow "self" cannot contain itself')
    const v1 = createWorkflow({ id: 'versioned', input: num }).then(inc).commit()
    const v2 = createWorkflow({ id: 'versioned', input: num }).then(square).commit()
    const conflict = thrownBy(() => createWorkflow({ id: 'both', input: num }).then(v1).then(v2))
    expect(ConflictError.isInstance(conflict)).toBe(true)
    expect(conflict.message).toBe(
      'Workflow "both" uses two different versions of workflow "versioned"',
    )
  })
})
