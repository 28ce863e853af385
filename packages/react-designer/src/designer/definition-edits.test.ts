import { describe, expect, it } from 'vitest'
import {
  parseDefinition,
  type DefinitionNode,
  type WorkflowDefinition,
} from '@tessera/core/definition'
import { orderReview, twoSteps } from '../../test/designer-fixtures'
import {
  addBranchCase,
  deleteNode,
  findNode,
  insertAfter,
  insertInto,
  moveNode,
  replaceNode,
  uniqueNodeId,
  withFreshIds,
  type EditResult,
} from './definition-edits'

const step = (id: string, name = id): DefinitionNode => ({ type: 'step', id, step: name })
const ok = (result: EditResult): WorkflowDefinition => {
  if (!result.ok) throw new Error(`refused: ${result.reason}`)
  // Every edit yields a definition parseDefinition accepts as is.
  expect(parseDefinition(structuredClone(result.definition))).toEqual(result.definition)
  return result.definition
}
const rootIds = (definition: WorkflowDefinition) =>
  definition.root.type === 'sequence'
    ? definition.root.children.map((child) => child.id)
    : [definition.root.id]

describe('definition edits', () => {
  it('inserts after a node of a sequence and recomputes the version', () => {
    const before = twoSteps()
    const after = ok(insertAfter(before, 'fetch-order', step('audit')))
    expect(rootIds(after)).toEqual(['fetch-order', 'audit', 'notify'])
    expect(after.version).not.toBe(before.version)
    expect(after.version).toMatch(/^[0-9a-f]{20,}$/)
    expect(rootIds(before)).toEqual(['fetch-order', 'notify'])
  })

  it('wraps a node outside a sequence in a new sequence', () => {
    const after = ok(insertAfter(orderReview.definition, 'approve', step('audit-2', 'audit')))
    const route = findNode(after, 'route')?.node
    expect(route?.type === 'branch' && route.cases[0]?.then).toEqual({
      type: 'sequence',
      id: 'approve-then',
      children: [step('approve'), step('audit-2', 'audit')],
    })
  })

  it('inserts into a sequence, a parallel and a foreach body', () => {
    let definition = ok(insertInto(twoSteps(), 'root', step('first', 'audit'), 0))
    expect(rootIds(definition)).toEqual(['first', 'fetch-order', 'notify'])
    definition = ok(insertInto(orderReview.definition, 'fan-out', step('log', 'audit')))
    const fanOut = findNode(definition, 'fan-out')?.node
    expect(fanOut?.type === 'parallel' && Object.keys(fanOut.branches)).toEqual([
      'notify',
      'audit',
      'log',
    ])
    definition = ok(insertInto(definition, 'each-line', step('check-2', 'check-line')))
    expect(findNode(definition, 'check-2')?.path).toBe('root.children[3].body.children[1]')
    expect(insertInto(definition, 'notify', step('x'))).toEqual({
      ok: false,
      reason: 'a step node ("notify") holds no other nodes',
    })
  })

  it('refuses an edit that would make the definition invalid, with the reason', () => {
    const result = insertAfter(twoSteps(), 'fetch-order', step('notify'))
    expect(result.ok).toBe(false)
    expect(!result.ok && result.reason).toContain('duplicate node id "notify"')
    expect(insertAfter(twoSteps(), 'missing', step('x'))).toEqual({
      ok: false,
      reason: 'no node "missing" to insert after',
    })
    const bad = replaceNode(twoSteps(), 'notify', { type: 'step', id: 'bad id!', step: 'notify' })
    expect(!bad.ok && bad.reason).toContain('root.children[1].id')
  })

  it('deletes from a sequence, empties a body, drops an empty branch and keeps the root', () => {
    expect(rootIds(ok(deleteNode(twoSteps(), 'notify')))).toEqual(['fetch-order'])
    const emptied = ok(deleteNode(orderReview.definition, 'check-line'))
    expect(findNode(emptied, 'each-line')?.node).toMatchObject({
      body: { type: 'sequence', id: 'check-line-empty', children: [] },
    })
    const noBranch = ok(
      deleteNode(ok(deleteNode(orderReview.definition, 'notify')), 'notify-empty'),
    )
    const fanOut = findNode(noBranch, 'fan-out')?.node
    expect(fanOut?.type === 'parallel' && Object.keys(fanOut.branches)).toEqual(['audit'])
    const oneCase = ok(
      deleteNode(ok(deleteNode(orderReview.definition, 'approve')), 'approve-empty'),
    )
    const route = findNode(oneCase, 'route')?.node
    expect(route?.type === 'branch' && route.cases.map((entry) => entry.then.id)).toEqual([
      'escalate',
    ])
    const cleared = ok(deleteNode(twoSteps(), 'root'))
    expect(cleared.root).toEqual({ type: 'sequence', id: 'root', children: [] })
    expect(deleteNode(cleared, 'root')).toEqual({
      ok: false,
      reason: 'the root of a workflow cannot be deleted',
    })
  })

  it('moves a node after another and refuses to move a node into itself', () => {
    const moved = ok(moveNode(orderReview.definition, 'summary', 'fetch-order'))
    expect(rootIds(moved).slice(0, 3)).toEqual(['fetch-order', 'summary', 'route'])
    expect(moveNode(orderReview.definition, 'route', 'approve')).toEqual({
      ok: false,
      reason: '"route" cannot move inside itself (into "approve")',
    })
    expect(moveNode(twoSteps(), 'notify', 'notify').ok).toBe(false)
  })

  it('changes a node, its id included, but never to an id in use', () => {
    const changed = ok(
      replaceNode(twoSteps(), 'notify', {
        type: 'step',
        id: 'tell',
        step: 'notify',
        timeoutMs: 500,
      }),
    )
    expect(findNode(changed, 'tell')?.node).toEqual({
      type: 'step',
      id: 'tell',
      step: 'notify',
      timeoutMs: 500,
    })
    expect(replaceNode(twoSteps(), 'notify', step('fetch-order'))).toEqual({
      ok: false,
      reason: 'another node already has the id "fetch-order"',
    })
  })

  it('makes unique ids and renames a pasted subtree', () => {
    const definition = orderReview.definition
    expect(uniqueNodeId(definition, 'notify')).toBe('notify-2')
    expect(uniqueNodeId(definition, 'new node!')).toBe('new-node-')
    expect(uniqueNodeId(definition, '--')).toBe('node')
    const copy = withFreshIds(definition, findNode(definition, 'route')!.node)
    expect(copy.id).toBe('route-2')
    expect(copy.type === 'branch' && copy.cases.map((entry) => entry.then.id)).toEqual([
      'approve-2',
      'escalate-2',
    ])
    ok(insertAfter(definition, 'route', copy))
  })

  it('adds a branch case, and puts a node first in a body that is not a sequence', () => {
    const withCase = ok(
      addBranchCase(orderReview.definition, 'route', step('audit-2', 'audit'), {
        function: 'order-review/is-big',
      }),
    )
    const route = findNode(withCase, 'route')?.node
    expect(route?.type === 'branch' && route.cases.at(-1)).toEqual({
      when: { function: 'order-review/is-big' },
      then: step('audit-2', 'audit'),
    })
    expect(addBranchCase(orderReview.definition, 'fan-out', step('x'), { function: 'f' })).toEqual({
      ok: false,
      reason: '"fan-out" is a parallel node, not a branch',
    })
    const first = ok(insertInto(orderReview.definition, 'each-line', step('pre', 'check-line'), 0))
    expect(findNode(first, 'each-line')?.node).toMatchObject({
      body: {
        type: 'sequence',
        id: 'each-line-body',
        children: [step('pre', 'check-line'), step('check-line')],
      },
    })
  })

  it('names a new root sequence "root"', () => {
    const single = parseDefinition({ ...twoSteps(), root: step('fetch-order') })
    const after = ok(insertAfter(single, 'fetch-order', step('notify')))
    expect(after.root).toEqual({
      type: 'sequence',
      id: 'root',
      children: [step('fetch-order'), step('notify')],
    })
  })
})
