import type { WorkflowDefinition } from '@tessera/core/definition'

/** A small definition for the host page to show. */
export const sampleDefinition: WorkflowDefinition = {
  kind: 'tessera.workflow',
  schemaVersion: 1,
  id: 'order-review',
  version: 'sample',
  inputSchema: { type: 'object', properties: { orderId: { type: 'string' } } },
  root: {
    type: 'sequence',
    id: 'root',
    children: [
      { type: 'step', id: 'fetch-order', step: 'fetch-order' },
      { type: 'step', id: 'check-stock', step: 'check-stock' },
    ],
  },
}
