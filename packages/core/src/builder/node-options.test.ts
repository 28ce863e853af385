import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, asNode, createWorkflow, expression, namedFunction } from '../index'
import { thrownBy } from '../../test/helpers'
import { inc, num, square } from '../../test/fixtures'

describe('asNode and .then options', () => {
  it('sets node ids, retry and timeout where the builder takes a runnable', () => {
    const child = createWorkflow({ id: 'child', input: num }).then(inc).commit()
    const { definition } = createWorkflow({ id: 'w', input: num })
      .then(inc, { id: 'first', retry: { attempts: 2 }, timeout: '5s' })
      .parallel({ a: asNode(inc, { id: 'left' }), b: asNode(child, { id: 'right' }) })
      .map(({ input }) => [input.a])
      .foreach(asNode(square, { id: 'body', timeout: 10 }))
      .commit()
    const [first, parallel, , foreach] = (definition.root as { children: unknown[] }).children
    expect(first).toEqual({
      type: 'step',
      id: 'first',
      step: 'inc',
      retry: {
        attempts: 2,
        type: 'exponential',
        initialMs: 100,
        maxMs: 30_000,
        factor: 2,
        jitter: true,
      },
      timeoutMs: 5000,
    })
    expect(parallel).toMatchObject({
      branches: {
        a: { type: 'step', id: 'left', step: 'inc' },
        b: { type: 'workflow', id: 'right', workflow: 'child' },
      },
    })
    expect(foreach).toMatchObject({
      body: { type: 'step', id: 'body', step: 'square', timeoutMs: 10 },
    })
  })

  it('a wrapped step is the same step: using it twice under two node ids is no conflict', () => {
    const workflow = createWorkflow({ id: 'w', input: num })
      .then(asNode(inc, { id: 'one' }))
      .then(inc)
      .commit()
    expect(workflow.steps.get('inc')).toBe(inc)
    expect(workflow.definition.root).toMatchObject({
      children: [{ id: 'one' }, { id: 'inc' }],
    })
  })

  it('refuses retry on a workflow, a taken id and a non-runnable', () => {
    const child = createWorkflow({ id: 'child', input: num }).then(inc).commit()
    expect(
      thrownBy(() =>
        createWorkflow({ id: 'w', input: num }).then(asNode(child, { retry: { attempts: 2 } })),
      ),
    ).toBeInstanceOf(InvalidArgumentError)
    expect(
      thrownBy(() => createWorkflow({ id: 'w', input: num }).then(child, { timeout: '1s' })),
    ).toBeInstanceOf(InvalidArgumentError)
    expect(
      thrownBy(() => createWorkflow({ id: 'w', input: num }).then(inc).then(inc, { id: 'inc' }))
        .message,
    ).toContain('already has a node with id "inc"')
    expect(
      thrownBy(() =>
        createWorkflow({ id: 'w', input: num }).then(asNode({} as never, { id: 'x' })),
      ),
    ).toBeInstanceOf(InvalidArgumentError)
  })
})

describe('namedFunction', () => {
  it('records the function under its own id, and the original function (same version)', () => {
    const big = ({ input }: { input: { n: number } }) => input.n > 5
    const named = createWorkflow({ id: 'w', input: num })
      .branch([
        [namedFunction('shared/big', big), inc],
        [() => true, square],
      ])
      .commit()
    expect(named.definition.root).toMatchObject({
      children: [
        {
          cases: [
            { when: { function: 'shared/big' } },
            { when: { function: 'w/branch-1/when-1' } },
          ],
        },
      ],
    })
    expect(named.functions.get('shared/big')).toBe(big)
    expect(namedFunction('x', big)({ input: { n: 6 } })).toBe(true)
  })

  it('works for map, loop until, sleep until and event match', () => {
    const { definition, functions } = createWorkflow({ id: 'w', input: num })
      .map(namedFunction('f/map', ({ input }: { input: { n: number } }) => input))
      .loop(inc, { until: namedFunction('f/until', () => true) })
      .sleep({ until: namedFunction('f/wake', () => 0) })
      .waitForEvent('go', { match: namedFunction('f/match', () => ({})) })
      .commit()
    expect([...functions.keys()].sort()).toEqual(['f/map', 'f/match', 'f/until', 'f/wake'])
    expect(JSON.stringify(definition)).not.toContain('"w/')
  })

  it('refuses two different functions under one id', () => {
    const error = thrownBy(() =>
      createWorkflow({ id: 'w', input: num })
        .map(namedFunction('w/map-2', ({ input }: { input: { n: number } }) => input))
        .map(({ input }) => input),
    )
    expect(error.message).toContain('two different functions with the id "w/map-2"')
  })

  it('refuses an empty id', () => {
    expect(thrownBy(() => namedFunction('', () => 1))).toBeInstanceOf(InvalidArgumentError)
  })
})

describe('expression', () => {
  it('puts the JSONata source in the definition, and no function in the workflow', () => {
    const { definition, functions } = createWorkflow({ id: 'w', input: num })
      .branch([
        [expression('n > 5'), inc],
        [() => true, square],
      ])
      .map(expression<{ n: number }>('{ "n": n * 2 }'))
      .loop(inc, { until: expression('n > 100') })
      .sleep({ until: expression('0') })
      .waitForEvent('go', { match: expression('{ "n": n }') })
      .commit()
    expect(definition.root).toMatchObject({
      children: [
        { cases: [{ when: { expression: 'n > 5' } }, { when: { function: 'w/branch-1/when-1' } }] },
        { type: 'code', id: 'map-1', expression: '{ "n": n * 2 }' },
        { type: 'loop', until: { expression: 'n > 100' } },
        { type: 'sleep', until: { expression: '0' } },
        { type: 'event', match: { expression: '{ "n": n }' } },
      ],
    })
    expect([...functions.keys()]).toEqual(['w/branch-1/when-1'])
  })

  it('refuses an empty expression, and a direct call', () => {
    expect(thrownBy(() => expression(' '))).toBeInstanceOf(InvalidArgumentError)
    expect(thrownBy(() => expression('1')({}))).toBeInstanceOf(InvalidArgumentError)
  })
})
