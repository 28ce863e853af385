import { InvalidArgumentError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isTool, tool } from './tool'
import { modelToolOf, unwrapToolInput } from './model-tool-of'

describe('tool', () => {
  it('keeps its settings, typed, and defaults approval off and errors to tool results', () => {
    const lookup = tool({
      description: 'Finds an order',
      input: z.object({ orderId: z.string() }),
      execute: ({ orderId }) => ({ orderId }),
    })
    expect(isTool(lookup)).toBe(true)
    expect(lookup.needsApproval).toBe(false)
    expect(lookup.onError).toBe('tool-result')
    expect(lookup.approvalTimeoutMs).toBeUndefined()
    expect(Object.isFrozen(lookup)).toBe(true)
  })

  it('throws InvalidArgumentError for settings it cannot use', () => {
    const base = { description: 'd', input: z.object({}), execute: () => null }
    expect(() => tool(null as never)).toThrow(InvalidArgumentError)
    expect(() => tool({ ...base, description: ' ' })).toThrow(
      /"description" must be a non-empty string/,
    )
    expect(() => tool({ ...base, input: {} as never })).toThrow(/"input" must be a zod schema/)
    expect(() => tool({ ...base, execute: 'x' as never })).toThrow(/"execute" must be a function/)
    expect(() => tool({ ...base, onError: 'ignore' as never })).toThrow(/onError/)
    expect(() => tool({ ...base, needsApproval: 'yes' as never })).toThrow(/needsApproval/)
    expect(() => tool({ ...base, approvalTimeout: 'soon' as never })).toThrow(/approvalTimeout/)
    expect(tool({ ...base, approvalTimeout: '2h' }).approvalTimeoutMs).toBe(7_200_000)
  })
})

describe('modelToolOf', () => {
  it('describes an object input as it is, without the $schema dialect', () => {
    const view = modelToolOf(
      'lookup',
      tool({
        description: 'Finds an order',
        input: z.object({ orderId: z.string().describe('The order number') }),
        execute: () => null,
      }),
    )
    expect(view.wrapped).toBe(false)
    expect(view.modelTool).toEqual({
      name: 'lookup',
      description: 'Finds an order',
      inputSchema: {
        type: 'object',
        properties: { orderId: { type: 'string', description: 'The order number' } },
        required: ['orderId'],
      },
    })
    expect(unwrapToolInput(view, { orderId: '1' })).toEqual({ orderId: '1' })
  })

  it('wraps any other input as { input }', () => {
    const view = modelToolOf(
      'count',
      tool({ description: 'Counts', input: z.array(z.number()), execute: () => null }),
    )
    expect(view.wrapped).toBe(true)
    expect(view.modelTool.inputSchema).toEqual({
      type: 'object',
      properties: { input: { type: 'array', items: { type: 'number' } } },
      required: ['input'],
      additionalProperties: false,
    })
    expect(unwrapToolInput(view, { input: [1, 2] })).toEqual([1, 2])
    expect(unwrapToolInput(view, [1, 2])).toEqual([1, 2])
  })
})
