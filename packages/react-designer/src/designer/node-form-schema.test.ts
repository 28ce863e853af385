import { describe, expect, it } from 'vitest'
import type { DefinitionNode } from '@tessera/core/definition'
import { describedRegistry, orderReview, twoSteps } from '../../test/designer-fixtures'
import { findNode, replaceNode } from './definition-edits'
import { applyNodeFormData, nodeFormData, nodeFormSchema } from './node-form-schema'

const registry = describedRegistry()

describe('node forms', () => {
  it("offers a step node's own fields with the registry's steps as choices", () => {
    const node: DefinitionNode = { type: 'step', id: 'notify', step: 'notify' }
    const schema = nodeFormSchema(node, registry) as {
      properties: Record<string, { enum?: string[] }>
      required: string[]
    }
    expect(Object.keys(schema.properties)).toEqual(['id', 'step', 'timeoutMs', 'retry'])
    expect(schema.properties.step?.enum).toEqual(
      expect.arrayContaining(['fetch-order', 'notify', 'check-line']),
    )
    expect(schema.required).toEqual(['id', 'step'])
    expect(nodeFormData(node)).toEqual({ id: 'notify', step: 'notify' })
  })

  it('leaves child nodes out of the form data and keeps them when the data comes back', () => {
    const foreach = findNode(orderReview.definition, 'each-line')!.node
    const data = nodeFormData(foreach)
    expect(data).toEqual({ id: 'each-line', concurrency: 4 })
    const changed = applyNodeFormData(foreach, { ...data, concurrency: 8 })
    expect(changed).toEqual({ ...foreach, concurrency: 8 })
  })

  it('drops empty optional fields, completes a retry policy and drops one without attempts', () => {
    const node: DefinitionNode = { type: 'step', id: 'notify', step: 'notify', timeoutMs: 10 }
    expect(
      applyNodeFormData(node, { id: 'notify', step: 'notify', timeoutMs: undefined, retry: {} }),
    ).toEqual({
      type: 'step',
      id: 'notify',
      step: 'notify',
    })
    const retried = applyNodeFormData(node, {
      id: 'notify',
      step: 'notify',
      retry: { attempts: 3, type: 'fixed' },
    })
    expect(retried).toEqual({
      type: 'step',
      id: 'notify',
      step: 'notify',
      retry: { attempts: 3, type: 'fixed', initialMs: 200, maxMs: 10_000, factor: 2, jitter: true },
    })
    expect(replaceNode(twoSteps(), 'notify', retried).ok).toBe(true)
  })

  it("edits a branch's case conditions in place", () => {
    const route = findNode(orderReview.definition, 'route')!.node
    const data = nodeFormData(route) as { conditions: { function: string }[] }
    expect(data.conditions).toHaveLength(2)
    const changed = applyNodeFormData(route, {
      id: 'route',
      conditions: [{ function: 'other' }, data.conditions[1]],
    })
    expect(changed.type === 'branch' && changed.cases.map((entry) => entry.when)).toEqual([
      { function: 'other' },
      data.conditions[1],
    ])
  })
})
