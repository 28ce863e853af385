import { createStep, definePlugin } from '@tessera/core'
import { z } from 'zod'

// The demo components the host page offers in the designer's palette. Each takes the order
// (its id, and whatever earlier steps added) and adds a field, after a short pause so the run
// viewer shows each one running.
const pause = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds))

const order = z.object({ orderId: z.string() }).loose()

export const fetchOrder = createStep({
  id: 'fetch-order',
  description: 'Loads the order from the shop',
  input: z.object({ orderId: z.string() }),
  output: z.object({ orderId: z.string(), total: z.number(), items: z.number() }),
  run: async ({ input }) => {
    await pause(150)
    return { orderId: input.orderId, total: 42.5, items: 3 }
  },
})

export const checkStock = createStep({
  id: 'check-stock',
  description: 'Reserves the items in the warehouse',
  input: order,
  output: z.object({ orderId: z.string(), inStock: z.boolean() }).loose(),
  run: async ({ input }) => {
    await pause(150)
    return { ...input, inStock: true }
  },
})

export const chargeCard = createStep({
  id: 'charge-card',
  description: 'Charges the customer',
  input: z.object({ orderId: z.string(), total: z.number() }).loose(),
  output: z.object({ orderId: z.string(), charged: z.number() }).loose(),
  run: async ({ input }) => {
    await pause(150)
    return { ...input, charged: input.total }
  },
})

export const sendReceipt = createStep({
  id: 'send-receipt',
  description: 'Emails the receipt',
  input: order,
  output: z.object({ orderId: z.string(), sent: z.boolean() }).loose(),
  run: async ({ input }) => {
    await pause(150)
    return { ...input, sent: true }
  },
})

/** The host's components, registered with the engine that runs designed workflows. */
export const demoPlugin = definePlugin({
  name: 'designer-host-demo',
  steps: [fetchOrder, checkStock, chargeCard, sendReceipt],
})

/** The input every run of the page starts with. */
export const demoInput = { orderId: 'A-1001' }
