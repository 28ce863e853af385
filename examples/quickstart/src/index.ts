// Tessera quickstart: runs an order-review workflow on embedded defaults (in-memory store,
// in-process queue; no server, no API key) and prints its progress and results.
import { createEngine, createWorkflow, type StepEndEvent } from '@tessera/core'
import { z } from 'zod'
import {
  approveAutomatically,
  auditLog,
  checkStock,
  fetchOrder,
  flagForReview,
  notifyWarehouse,
} from './steps'

const orderReview = createWorkflow({
  id: 'order-review',
  description:
    'Prices an order, checks stock for every line, then decides whether a human must review it',
  input: z.object({ orderId: z.string() }),
})
  .then(fetchOrder)
  .branch([
    [({ input }) => input.total > 1000, flagForReview],
    [() => true, approveAutomatically],
  ])
  .commit()

const stockCheck = createWorkflow({ id: 'stock-check', input: z.object({ orderId: z.string() }) })
  .then(fetchOrder)
  .map(({ input }) => input.lineItems)
  .foreach(checkStock, { concurrency: 4 })
  .parallel({ warehouse: notifyWarehouse, audit: auditLog })
  .commit()

const engine = createEngine()
const started = Date.now()
const elapsed = () => `${String(Date.now() - started).padStart(4)} ms`

engine.on('step-start', (event) =>
  console.log(
    `${elapsed()}  ▶ ${event.runId.slice(0, 8)} ${event.stepId}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`,
  ),
)
engine.on('step-retry', (event) =>
  console.log(
    `${elapsed()}  ↻ ${event.runId.slice(0, 8)} ${event.stepId} failed (${event.error.message}); retrying in ${event.delayMs} ms`,
  ),
)
engine.on('step-end', (event: StepEndEvent) =>
  console.log(
    `${elapsed()}  ${event.status === 'succeeded' ? '✔' : '✘'} ${event.runId.slice(0, 8)} ${event.stepId} ${event.durationMs} ms`,
  ),
)

console.log('Tessera quickstart: two workflows, three runs, all in this process.\n')
console.log(
  `Workflow "${stockCheck.id}" (version ${stockCheck.version.slice(0, 12)}) as JSON nodes:`,
)
for (const node of stockCheck.definition.root.type === 'sequence'
  ? stockCheck.definition.root.children
  : []) {
  console.log(`  - ${node.type.padEnd(8)} ${node.id}`)
}
console.log()

const runs = await Promise.all([
  engine.start(orderReview, { orderId: 'A1' }),
  engine.start(orderReview, { orderId: 'A2' }),
  engine.start(stockCheck, { orderId: 'A2' }),
])
const [small, large, stock] = await Promise.all(runs.map((run) => run.result()))

console.log('\nResults')
console.log('  order A1 →', small)
console.log('  order A2 →', large)
console.log('  stock A2 →', stock)

const history = await runs[2]!.steps()
console.log(
  `\nThe stock-check run committed ${history.length} step records: ${history.map((step) => step.key).join(', ')}`,
)

const missing = await engine.start(orderReview, { orderId: 'nope' })
const error = await missing.result().catch((reason: unknown) => reason)
console.log(
  `\nA run for an unknown order fails with a typed error:\n  ${(error as Error).name}: ${(error as Error).message}`,
)

await engine.close()
