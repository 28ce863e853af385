import { describe, expect, it } from 'vitest'
import { parseDefinition } from '@tessera/core/definition'
import { orderReview, twoSteps } from '../../test/designer-fixtures'
import { issuesByNode, toDefinitionGraph } from './definition-graph'

describe('toDefinitionGraph', () => {
  it('chains a sequence and fans a branch, a foreach and a parallel out and back in', () => {
    const graph = toDefinitionGraph(orderReview.definition)
    const ids = graph.nodes.map((node) => node.id)
    expect(ids).toEqual([
      'fetch-order',
      'route',
      'approve',
      'escalate',
      'route#end',
      'lines',
      'each-line',
      'check-line',
      'each-line#end',
      'summary',
      'fan-out',
      'notify',
      'audit',
      'fan-out#end',
    ])
    const edges = graph.edges.map(
      (edge) => `${edge.source}->${edge.target}${edge.label ? ` (${edge.label})` : ''}`,
    )
    expect(edges).toEqual(
      expect.arrayContaining([
        'fetch-order->route',
        'route->approve (case 1)',
        'route->escalate (case 2)',
        'approve->route#end',
        'escalate->route#end',
        'route#end->lines',
        'lines->each-line',
        'each-line->check-line (each)',
        'check-line->each-line#end',
        'each-line#end->summary',
        'summary->fan-out',
        'fan-out->notify (notify)',
        'fan-out->audit (audit)',
        'notify->fan-out#end',
        'audit->fan-out#end',
      ]),
    )
    expect(edges).toHaveLength(15)
    const route = graph.nodes.find((node) => node.id === 'approve')
    expect(route).toMatchObject({
      kind: 'step',
      path: 'root.children[1].cases[0].then',
      label: 'approve',
    })
    expect(graph.nodes.find((node) => node.id === 'each-line')?.detail).toBe('foreach, 4 at a time')
  })

  it('draws an empty sequence as a placeholder and a loop with a repeat edge', () => {
    const definition = parseDefinition({
      ...twoSteps(),
      root: {
        type: 'loop',
        id: 'again',
        maxIterations: 3,
        until: { function: 'small/done' },
        body: { type: 'sequence', id: 'body', children: [] },
      },
    })
    const graph = toDefinitionGraph(definition)
    expect(graph.nodes.map((node) => [node.id, node.kind])).toEqual([
      ['again', 'loop'],
      ['body#empty', 'placeholder'],
      ['again#end', 'join'],
    ])
    expect(graph.edges.map((edge) => edge.id)).toEqual([
      'again->body#empty',
      'body#empty->again#end',
      'again#end->again',
    ])
  })
})

describe('issuesByNode', () => {
  it('puts each issue on the node with the longest matching path', () => {
    const graph = toDefinitionGraph(orderReview.definition)
    const byNode = issuesByNode(graph, [
      { path: 'root.children[1].cases[0].then.step', message: 'unknown step' },
      { path: 'root.children[1]', message: 'no case matches' },
      { path: 'root.children[10]', message: 'nowhere' },
      { path: 'inputSchema', message: 'not an object' },
    ])
    expect(byNode.get('approve')?.map((issue) => issue.message)).toEqual(['unknown step'])
    expect(byNode.get('route')?.map((issue) => issue.message)).toEqual(['no case matches'])
    expect(byNode.get('route#end')).toBeUndefined()
    expect(byNode.get('')?.map((issue) => issue.message)).toEqual(['nowhere', 'not an object'])
  })
})
