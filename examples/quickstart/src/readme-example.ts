// The README's example, kept here so that CI type-checks and runs it (`pnpm examples`).
import { createEngine, createStep, createWorkflow } from '@tessera/core'
import { z } from 'zod'

const order = z.object({ orderId: z.string(), total: z.number() })

const fetchOrder = createStep({
  id: 'fetch-order',
  input: z.object({ orderId: z.string() }),
  output: order,
  retry: { attempts: 3, backoff: { type: 'exponential', initial: '200ms' } },
  run: async ({ input }) => ({ ...input, total: 1250 }),
})

const review = createWorkflow({ id: 'order-review', input: z.object({ orderId: z.string() }) })
  .then(fetchOrder) // the next node's input is typed from fetch-order's output
  .map(({ input }) => ({ ...input, decision: input.total > 1000 ? 'escalate' : 'approve' }))
  .commit()

const engine = createEngine() // in-memory store, in-process queue: no server, no API key
const run = await engine.start(review, { orderId: 'A1' })
run.on('step-end', (event) => console.log(event.stepId, event.status))
console.log(await run.result()) // typed: { orderId: string; total: number; decision: string }
await engine.close()
