import { describe, expect, it } from 'vitest'
import { describedRegistry, orderReview } from '../../test/designer-fixtures'
import { componentSchemas, followMismatch } from './component-schemas'
import { toDefinitionGraph } from './definition-graph'

const registry = describedRegistry()
const graph = toDefinitionGraph(orderReview.definition)
const at = (id: string) => graph.nodes.find((node) => node.id === id)

describe('component schemas', () => {
  it("reads a step's and a subworkflow's schemas from the registry", () => {
    expect(
      componentSchemas({ type: 'step', id: 'x', step: 'notify' }, registry).output,
    ).toMatchObject({
      type: 'object',
      properties: { sent: { type: 'boolean' } },
    })
    expect(
      componentSchemas({ type: 'workflow', id: 'y', workflow: 'escalate' }, registry).input,
    ).toMatchObject({
      type: 'object',
    })
    expect(componentSchemas({ type: 'step', id: 'z', step: 'unknown' }, registry)).toEqual({})
    expect(componentSchemas({ type: 'sleep', id: 's', durationMs: 1 }, registry)).toEqual({})
  })

  it('refuses a step after one whose output does not fit, and allows what fits or is unknown', () => {
    const approve = { type: 'step', id: 'approve-2', step: 'approve' } as const
    expect(followMismatch(at('fetch-order'), approve, registry)).toBeUndefined()
    expect(followMismatch(at('notify'), approve, registry)).toBe(
      '"approve-2" cannot follow "notify": expected a property "id", which the output lacks',
    )
    expect(followMismatch(at('fan-out#end'), approve, registry)).toBeUndefined()
    expect(followMismatch(at('lines'), approve, registry)).toBeUndefined()
    expect(followMismatch(undefined, approve, registry)).toBeUndefined()
  })
})
