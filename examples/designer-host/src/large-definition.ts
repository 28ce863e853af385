import type { DefinitionNode, WorkflowDefinition } from '@tessera/core/definition'

// Each step's input fits the output before it: fetch-order gives the total that charge-card
// needs, and every step passes the order id on.
const cycle = ['fetch-order', 'charge-card', 'send-receipt', 'check-stock']

/**
 * A valid definition of `size` nodes for the designer benchmark: a sequence of the demo steps
 * with a two-way branch (expression conditions) before every fourth step, so the layout has
 * fan-outs and joins to place.
 */
export function largeDefinition(size: number): WorkflowDefinition {
  const children: DefinitionNode[] = []
  let count = 0
  let position = 0
  while (count < size) {
    const index = children.length
    if (position === 0 && index > 0 && size - count >= 3) {
      children.push({
        type: 'branch',
        id: `route-${index}`,
        cases: [
          {
            when: { expression: "$contains(orderId, 'A')" },
            then: { type: 'step', id: `stock-${index}`, step: 'check-stock' },
          },
          {
            when: { expression: 'true' },
            then: { type: 'step', id: `receipt-${index}`, step: 'send-receipt' },
          },
        ],
      })
      count += 3
    }
    children.push({ type: 'step', id: `step-${children.length}`, step: cycle[position]! })
    count += 1
    position = (position + 1) % cycle.length
  }
  return {
    kind: 'tessera.workflow',
    schemaVersion: 1,
    id: `large-${size}`,
    version: 'bench',
    inputSchema: {
      type: 'object',
      properties: { orderId: { type: 'string' } },
      required: ['orderId'],
    },
    root: { type: 'sequence', id: 'root', children },
  }
}
