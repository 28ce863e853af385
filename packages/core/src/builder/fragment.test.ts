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
import { thrownBy } from '../../test/helpers'
import { inc, num, square } from '../../test/fixtures'

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

  it('refuse node ids that clash with the workflow’s, and a single with other than one node', () => {
    expect(
      thrownBy(() =>
        createWorkflow({ id: 'w', input: num })
          .then(inc)
          .then(sequence('s', (chain) => chain.then(inc))),
      ),
    ).toBeInstanceOf(ConflictError)
    expect(thrownBy(() => single((chain) => chain.then(inc).then(inc)))).toBeInstanceOf(
      InvalidArgumentError,
    )
    expect(thrownBy(() => sequence('s', () => 1 as never))).toBeInstanceOf(InvalidArgumentError)
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
