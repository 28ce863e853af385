import type { DefinitionNode, WorkflowDefinition } from '@tessera/core/definition'

const stepIds = ['fetch-order', 'check-stock', 'charge-card', 'send-receipt']

/**
 * A definition of about `size` nodes for the designer benchmark: a sequence of steps with a
 * parallel of two steps every tenth node, so the layout has joins and fan-outs to place.
 */
export function largeDefinition(size: number): WorkflowDefinition {
  const children: DefinitionNode[] = []
  let count = 0
  while (count < size) {
    const index = children.length
    if (index % 10 === 9) {
      children.push({
        type: 'parallel',
        id: `fan-${index}`,
        branches: {
          left: { type: 'step', id: `left-${index}`, step: 'check-stock' },
          right: { type: 'step', id: `right-${index}`, step: 'send-receipt' },
        },
      })
      count += 3
    } else {
      children.push({ type: 'step', id: `step-${index}`, step: stepIds[index % stepIds.length]! })
      count += 1
    }
  }
  return {
    kind: 'tessera.workflow',
    schemaVersion: 1,
    id: `large-${size}`,
    version: 'bench',
    inputSchema: { type: 'object', properties: { orderId: { type: 'string' } } },
    root: { type: 'sequence', id: 'root', children },
  }
}
