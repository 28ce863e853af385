import { describe, expect, it } from 'vitest'
import {
  ConflictError,
  asNode,
  InvalidArgumentError,
  createWorkflow,
  expression,
  sequence,
  single,
} from '../index'
import { thrownBy, useEngines } from '../../test/helpers'
import { double, inc, num, square } from '../../test/fixtures'

describe('sequence and single', () => {
  it('place a nested sequence or any single node where a step goes', () => {
    const child = createWorkflow({ id: 'child', input: num }).then(square).commit()
    const workflow = createWorkflow({ id: 'w', input: num })
      .branch([
        [
          expression('n > 1'),
          sequence('big', (chain) =>
            chain
              .then(inc)
              .then(child)
              .map(({ input }) => input),
          ),
        ],
        [() => true, single((chain) => chain.approval({ id: 'manager' }))],
      ])
      .then(sequence('left', (chain) => chain.sleep('1s')))
      .commit()
    expect(workflow.definition.root).toEqual({
      type: 'sequence',
      id: 'root',
      children: [
        {
          type: 'branch',
          id: 'branch-1',
          cases: [
            {
              when: { expression: 'n > 1' },
              then: {
                type: 'sequence',
                id: 'big',
                children: [
                  { type: 'step', id: 'inc', step: 'inc' },
                  { type: 'workflow', id: 'child', workflow: 'child', version: child.version },
                  { type: 'code', id: 'map-1', function: 'big/map-1' },
                ],
              },
            },
            {
              when: { function: 'w/branch-1/when-1' },
              then: { type: 'approval', id: 'manager', approval: 'manager' },
            },
          ],
        },
        {
          type: 'sequence',
          id: 'left',
          children: [{ type: 'sleep', id: 'sleep', durationMs: 1000 }],
        },
      ],
    })
    expect([...workflow.functions.keys()].sort()).toEqual(['big/map-1', 'w/branch-1/when-1'])
    expect([...workflow.steps.keys()].sort()).toEqual(['inc', 'square'])
    expect(workflow.workflows.get('child')).toBe(child)
  })

  it('derive node ids among the workflow’s; refuse a taken sequence id, and a single with other than one node', () => {
    const workflow = createWorkflow({ id: 'w', input: num })
      .then(inc)
      .map(({ input }) => input)
      .then(sequence('s', (chain) => chain.then(inc).map(({ input }) => input)))
      .commit()
    expect(workflow.definition.root).toMatchObject({
      children: [
        { id: 'inc' },
        { id: 'map-1', function: 'w/map-1' },
        { id: 's', children: [{ id: 'inc-1' }, { id: 'map-2', function: 's/map-2' }] },
      ],
    })
    expect(
      thrownBy(() =>
        createWorkflow({ id: 'w', input: num })
          .then(inc)
          .then(sequence('inc', (chain) => chain.then(square))),
      ),
    ).toBeInstanceOf(ConflictError)
    const place = (fragment: ReturnType<typeof single>) =>
      thrownBy(() => createWorkflow({ id: 'w', input: num }).then(fragment))
    expect(place(single((chain) => chain.then(inc).then(inc)))).toBeInstanceOf(InvalidArgumentError)
    expect(place(sequence('s', () => 1 as never))).toBeInstanceOf(InvalidArgumentError)
  })

  it('a sequence may share its id with a workflow it runs; a workflow still cannot contain itself', () => {
    const child = createWorkflow({ id: 'child', input: num }).then(inc).commit()
    const workflow = createWorkflow({ id: 'w', input: num })
      .then(sequence('child', (chain) => chain.then(asNode(child, { id: 'run-child' }))))
      .commit()
    expect(workflow.workflows.get('child')).toBe(child)
    const error = thrownBy(() =>
      createWorkflow({ id: 'child', input: num }).then(sequence('s', (chain) => chain.then(child))),
    )
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.message).toContain('cannot contain itself')
  })
})

describe('nested chains in an engine', () => {
  const newEngine = useEngines()

  it('run: an approval in a sequence, a sequence in a branch case, a single map as a foreach body', async () => {
    const workflow = createWorkflow({ id: 'nested-run', input: num })
      .then(
        sequence('gate', (chain) =>
          chain.approval({ id: 'manager' }).map(expression<{ n: number }>('{ "n": data.n }')),
        ),
      )
      .branch([
        [expression('n > 100'), inc],
        [expression('true'), sequence('grow', (chain) => chain.then(double).then(square))],
      ])
      .map(({ input }) => [input, { n: input.n + 1 }])
      .foreach(
        single((chain) =>
          chain.map(({ input }: { input: { n: number } }) => ({ n: input.n * 10 })),
        ),
      )
      .commit()
    const engine = newEngine()
    const run = await engine.start(workflow, { n: 0 })
    await run.approve('manager', { n: 3 })
    // (3 * 2) ** 2 = 36; [36, 37] each times 10
    expect(await run.result()).toEqual([{ n: 360 }, { n: 370 }])
  })
})
