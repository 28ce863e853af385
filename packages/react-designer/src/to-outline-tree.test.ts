import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createWorkflow } from '@tessera/core'
import { approve, audit, fetchOrder, notify, order } from '../test/steps'
import { parseDefinition } from '@tessera/core/definition'
import { toOutlineTree, type OutlineItem } from './to-outline-tree'
import { treeAction, visibleItems } from './tree-navigation'

const child = createWorkflow({ id: 'child', input: order }).then(notify).commit()

const workflow = createWorkflow({ id: 'order-review', input: z.object({ id: z.string() }) })
  .then(fetchOrder)
  .branch(
    [
      [({ input }) => input.total > 1000, approve],
      [() => true, child],
    ],
    { id: 'route' },
  )
  .map(() => ({ id: 'x', total: 1 }), { id: 'pick' })
  .parallel({ notify, audit }, { id: 'fan-out' })
  .commit()

function shape(item: OutlineItem): unknown {
  return [item.node.type, item.label, item.edge ?? null, item.level, item.children.map(shape)]
}

describe('toOutlineTree', () => {
  it('lists every node of a definition made by the builder, with edges and levels', () => {
    const [root] = toOutlineTree(workflow.definition)
    expect(root?.node.type).toBe('sequence')
    expect(root?.detail).toBe('sequence of 4')
    expect(root?.children.map(shape)).toEqual([
      ['step', 'fetch-order', null, 2, []],
      [
        'branch',
        'route',
        null,
        2,
        [
          ['step', 'approve', 'case 1', 3, []],
          ['workflow', 'child', 'case 2', 3, []],
        ],
      ],
      ['code', 'pick', null, 2, []],
      [
        'parallel',
        'fan-out',
        null,
        2,
        [
          ['step', 'notify', 'notify', 3, []],
          ['step', 'audit', 'audit', 3, []],
        ],
      ],
    ])
  })

  it('shows foreach and loop settings, and keys every node by its JSON path', () => {
    const definition = parseDefinition({
      kind: 'tessera.workflow',
      schemaVersion: 1,
      id: 'batch',
      version: 'v1',
      inputSchema: {},
      root: {
        type: 'foreach',
        id: 'each',
        concurrency: 8,
        body: {
          type: 'loop',
          id: 'poll',
          maxIterations: 50,
          until: { function: 'batch/done' },
          body: {
            type: 'step',
            id: 'check',
            step: 'check',
            timeoutMs: 5000,
            retry: {
              attempts: 3,
              type: 'fixed',
              initialMs: 100,
              maxMs: 100,
              factor: 1,
              jitter: false,
            },
          },
        },
      },
    })
    const [root] = toOutlineTree(definition)
    expect(root?.detail).toBe('foreach, 8 at a time')
    expect(root?.children[0]?.detail).toBe('loop, at most 50 times')
    expect(root?.children[0]?.children[0]).toMatchObject({
      key: 'root.body.body',
      label: 'check',
      detail: 'step, 3 attempts, timeout 5s',
      level: 3,
    })
  })
})

describe('tree navigation', () => {
  const tree = toOutlineTree(workflow.definition)

  it('hides the children of collapsed items', () => {
    expect(visibleItems(tree, new Set()).map((entry) => entry.item.label)).toEqual([
      'root',
      'fetch-order',
      'route',
      'approve',
      'child',
      'pick',
      'fan-out',
      'notify',
      'audit',
    ])
    expect(
      visibleItems(tree, new Set(['root.children[1]'])).map((entry) => entry.item.label),
    ).not.toContain('approve')
  })

  it('maps keys to actions following the WAI-ARIA tree pattern', () => {
    const visible = visibleItems(tree, new Set())
    expect(treeAction(visible, 'root', 'ArrowDown')).toEqual({
      type: 'focus',
      key: 'root.children[0]',
    })
    expect(treeAction(visible, 'root', 'ArrowUp')).toBeUndefined()
    expect(treeAction(visible, 'root.children[1]', 'ArrowRight')).toEqual({
      type: 'focus',
      key: 'root.children[1].cases[0].then',
    })
    expect(treeAction(visible, 'root.children[1]', 'ArrowLeft')).toEqual({
      type: 'collapse',
      key: 'root.children[1]',
    })
    expect(treeAction(visible, 'root.children[1].cases[1].then', 'ArrowLeft')).toEqual({
      type: 'focus',
      key: 'root.children[1]',
    })
    expect(treeAction(visible, 'root.children[0]', 'End')).toEqual({
      type: 'focus',
      key: 'root.children[3].branches.audit',
    })
    expect(treeAction(visible, 'root.children[0]', 'Enter')).toEqual({
      type: 'select',
      key: 'root.children[0]',
    })
    const collapsed = visibleItems(tree, new Set(['root.children[1]']))
    expect(treeAction(collapsed, 'root.children[1]', 'ArrowRight')).toEqual({
      type: 'expand',
      key: 'root.children[1]',
    })
    expect(treeAction(collapsed, 'root.children[1]', 'ArrowDown')).toEqual({
      type: 'focus',
      key: 'root.children[2]',
    })
    expect(treeAction(collapsed, 'root.children[0]', 'x')).toBeUndefined()
  })
})
