// The order-intake workflow: every step that touches another system is a connector action, so
// the definition holds only configuration and secret *names*; the engine resolves the secrets
// right before each action runs.
import { createStep, createWorkflow } from '@tessera/core'
import { createHttpConnector } from '@tessera/connectors/http'
import { createPostgresConnector } from '@tessera/connectors/postgres'
import { createSlackConnector } from '@tessera/connectors/slack'
import { z } from 'zod'

export const order = z.object({
  orderId: z.string().min(1),
  sku: z.string().min(1),
  quantity: z.number().int().positive(),
  customer: z.string().min(1),
})
export type Order = z.infer<typeof order>

/** Where the systems are; the credentials are secret references, never values. */
export interface Endpoints {
  inventoryUrl: string
  slackApiUrl?: string
  slackChannel: string
  ordersTable: string
}

const inventory = createHttpConnector({ id: 'inventory' })
const ordersDb = createPostgresConnector({ id: 'orders-db' })
const slack = createSlackConnector({ id: 'slack' })

const stockReply = z.object({
  status: z.number(),
  headers: z.record(z.string(), z.string()),
  body: z.unknown(),
})
const stockBody = z.object({ sku: z.string(), available: z.number() })

/** Keeps the order as it came, beside the stock lookup in `.parallel()`. */
const keepOrder = createStep({
  id: 'keep-order',
  input: order,
  output: order,
  run: async ({ input }) => input,
})

export function orderIntake(endpoints: Endpoints) {
  // GET /stock/:sku on the inventory API, with a bearer token from the secrets provider.
  const lookUpStock = createWorkflow({ id: 'look-up-stock', input: order })
    .map(({ input }) => ({
      method: 'GET' as const,
      path: `/stock/${encodeURIComponent(input.sku)}`,
    }))
    .action(inventory, 'request', {
      baseUrl: endpoints.inventoryUrl,
      auth: { type: 'bearer', token: { $secret: 'INVENTORY_API_TOKEN' } },
      errors: 'throw',
    })
    .commit()

  const decided = z.object({ order, inStock: z.boolean(), available: z.number() })

  // INSERT … ON CONFLICT DO NOTHING: a redelivered message cannot write the order twice.
  const saveOrder = createWorkflow({ id: 'save-order', input: decided })
    .map(({ input }) => ({
      sql: `INSERT INTO ${endpoints.ordersTable} (order_id, sku, quantity, customer, status)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING`,
      params: [
        input.order.orderId,
        input.order.sku,
        input.order.quantity,
        input.order.customer,
        input.inStock ? 'accepted' : 'backordered',
      ],
    }))
    .action(ordersDb, 'execute', { connectionString: { $secret: 'ORDERS_DATABASE_URL' } })
    .commit()

  const notify = createWorkflow({ id: 'notify-sales', input: decided })
    .map(({ input }) => ({
      channel: endpoints.slackChannel,
      text: input.inStock
        ? `:package: Order ${input.order.orderId}: ${input.order.quantity} × ${input.order.sku} for ${input.order.customer} accepted (${input.available} in stock)`
        : `:hourglass: Order ${input.order.orderId}: ${input.order.quantity} × ${input.order.sku} for ${input.order.customer} backordered (only ${input.available} in stock)`,
    }))
    .action(slack, 'send-message', {
      token: { $secret: 'SLACK_BOT_TOKEN' },
      ...(endpoints.slackApiUrl ? { baseUrl: endpoints.slackApiUrl } : {}),
    })
    .commit()

  return createWorkflow({ id: 'order-intake', input: order })
    .parallel({ order: keepOrder, stock: lookUpStock })
    .map(({ input }) => {
      const { available } = stockBody.parse(stockReply.parse(input.stock).body)
      return {
        order: input.order,
        inStock: available >= input.order.quantity,
        available,
      }
    })
    .parallel({ saved: saveOrder, notified: notify })
    .commit()
}
