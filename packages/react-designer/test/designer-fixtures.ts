// Definitions and a registry shared by the designer's tests (not published: outside src/).
import { z } from 'zod'
import { createRegistry, createStep, createWorkflow } from '@tessera/core'
import { parseDefinition, type WorkflowDefinition } from '@tessera/core/definition'
import { approve, audit, fetchOrder, notify, order } from './steps'

const child = createWorkflow({ id: 'escalate', input: order }).then(notify).commit()
const checkLine = createStep({
  id: 'check-line',
  input: z.string(),
  output: z.string(),
  run: ({ input }) => input,
})

/** A builder-made definition with a branch, a foreach and a parallel. */
export const orderReview = createWorkflow({
  id: 'order-review',
  input: z.object({ id: z.string() }),
})
  .then(fetchOrder)
  .branch(
    [
      [({ input }) => input.total > 1000, approve],
      [() => true, child],
    ],
    { id: 'route' },
  )
  .map(() => ['line-1', 'line-2'], { id: 'lines' })
  .foreach(checkLine, { concurrency: 4, id: 'each-line' })
  .map(() => ({ id: 'x', total: 1 }), { id: 'summary' })
  .parallel({ notify, audit }, { id: 'fan-out' })
  .commit()

/** The registry description a host would pass to the designer. */
export function describedRegistry() {
  const registry = createRegistry()
  for (const step of [fetchOrder, approve, notify, audit, checkLine]) registry.addStep(step)
  registry.addWorkflow(child)
  registry.addFunction('order-review/is-big', () => true)
  return registry.describe()
}

/** A small definition: fetch-order, then notify. */
export function twoSteps(): WorkflowDefinition {
  return parseDefinition({
    kind: 'tessera.workflow',
    schemaVersion: 1,
    id: 'small',
    version: 'v1',
    inputSchema: {},
    root: {
      type: 'sequence',
      id: 'root',
      children: [
        { type: 'step', id: 'fetch-order', step: 'fetch-order' },
        { type: 'step', id: 'notify', step: 'notify' },
      ],
    },
  })
}
