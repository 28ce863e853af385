import { createStep, NonRetryableError } from '@tessera/core'
import { z } from 'zod'

const lineItem = z.object({ sku: z.string(), qty: z.number().int().positive(), price: z.number() })

// A pretend order database. Order "A2" is flaky on the first attempt to show retries.
const orders: Record<string, z.infer<typeof lineItem>[]> = {
  A1: [
    { sku: 'keyboard', qty: 1, price: 89 },
    { sku: 'mouse', qty: 2, price: 25 },
  ],
  A2: [
    { sku: 'monitor', qty: 4, price: 329 },
    { sku: 'dock', qty: 2, price: 199 },
    { sku: 'cable', qty: 6, price: 9 },
  ],
}
let flaky = true

export const fetchOrder = createStep({
  id: 'fetch-order',
  description: 'Loads an order and its line items',
  input: z.object({ orderId: z.string() }),
  output: z.object({ orderId: z.string(), total: z.number(), lineItems: z.array(lineItem) }),
  retry: { attempts: 3, backoff: { type: 'exponential', initial: '50ms', max: '1s' } },
  timeout: '5s',
  run: async ({ input, attempt }) => {
    const lineItems = orders[input.orderId]
    if (!lineItems) throw new NonRetryableError(`No order "${input.orderId}"`)
    if (input.orderId === 'A2' && flaky && attempt === 1) {
      flaky = false
      throw new Error('database connection reset')
    }
    const total = lineItems.reduce((sum, item) => sum + item.qty * item.price, 0)
    return { orderId: input.orderId, total, lineItems }
  },
})

export const checkStock = createStep({
  id: 'check-stock',
  input: lineItem,
  output: z.object({ sku: z.string(), available: z.boolean() }),
  run: async ({ input }) => {
    await new Promise((resolve) => setTimeout(resolve, 20))
    return { sku: input.sku, available: input.sku !== 'dock' || input.qty <= 1 }
  },
})

const stockReport = z.array(z.object({ sku: z.string(), available: z.boolean() }))

export const notifyWarehouse = createStep({
  id: 'notify-warehouse',
  input: stockReport,
  output: z.object({ notified: z.number() }),
  run: ({ input, idempotencyKey }) => {
    // A real step would pass idempotencyKey to the messaging API so a retry never sends twice.
    void idempotencyKey
    return { notified: input.filter((item) => !item.available).length }
  },
})

export const auditLog = createStep({
  id: 'audit-log',
  input: stockReport,
  output: z.object({ entries: z.number() }),
  run: ({ input }) => ({ entries: input.length }),
})

export const approveAutomatically = createStep({
  id: 'approve-automatically',
  input: z.object({ orderId: z.string(), total: z.number() }),
  output: z.object({ decision: z.literal('approved'), reason: z.string() }),
  run: ({ input }) => ({
    decision: 'approved' as const,
    reason: `total ${input.total} is under the review limit`,
  }),
})

export const flagForReview = createStep({
  id: 'flag-for-review',
  input: z.object({ orderId: z.string(), total: z.number() }),
  output: z.object({ decision: z.literal('review'), reason: z.string() }),
  run: ({ input }) => ({
    decision: 'review' as const,
    reason: `total ${input.total} needs a second pair of eyes`,
  }),
})
