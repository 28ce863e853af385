import type { WorkflowDefinition } from '@tessera/core/definition'

/** The workflow the page starts with: no nodes yet, an order id as input. */
export const emptyDefinition: WorkflowDefinition = {
  kind: 'tessera.workflow',
  schemaVersion: 1,
  id: 'order-flow',
  version: 'draft',
  inputSchema: {
    type: 'object',
    properties: { orderId: { type: 'string' } },
    required: ['orderId'],
  },
  root: { type: 'sequence', id: 'root', children: [] },
}
