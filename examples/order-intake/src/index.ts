// Order intake: a RabbitMQ message starts a durable run (PostgreSQL store) that asks an HTTP
// inventory API for stock, writes the order to PostgreSQL and tells sales on Slack.
//
//   npx pnpm@12.4.2 --filter @example/order-intake start
//
// Needs PostgreSQL and RabbitMQ (DATABASE_URL, AMQP_URL; defaults: the local servers on
// 127.0.0.1 with the users postgres and guest). Set SLACK_BOT_TOKEN (and SLACK_CHANNEL) to post
// to your Slack workspace; without it a local stand-in for Slack's Web API receives the messages.
// The example cleans up after itself (its schema, table and queues) and exits non-zero when a
// result is not the expected one.
import { randomUUID } from 'node:crypto'
import { createEngine, envSecrets, mapSecrets, type RunRecord } from '@tessera/core'
import { closePostgresConnectorPools, createPostgresStore } from '@tessera/connectors/postgres'
import { closeRabbitmqConnections, rabbitmqTrigger } from '@tessera/connectors/rabbitmq'
import amqp from 'amqplib'
import pg from 'pg'
import { startInventoryApi, startSlackStandIn, type SlackStandIn } from './local-services'
import { orderIntake, type Order } from './workflow'

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
const realSlackToken = process.env.SLACK_BOT_TOKEN
const suffix = randomUUID().slice(0, 8)
const schema = `order_intake_${suffix}`
const queue = `order-intake-${suffix}`
const deadLetters = `${queue}.dead`

const log = (message: string) => console.log(message)
const step = (message: string) => console.log(`\n▶ ${message}`)

const admin = new pg.Client({ connectionString: databaseUrl })
const amqpConnection = await amqp.connect(amqpUrl)
const channel = await amqpConnection.createConfirmChannel()

// ── the systems around the workflow ─────────────────────────────────────────────────────────
step('Preparing PostgreSQL, RabbitMQ and two local HTTP services')
await admin.connect()
await admin.query(`CREATE SCHEMA ${schema}`)
await admin.query(`CREATE TABLE ${schema}.orders (
  order_id text PRIMARY KEY, sku text NOT NULL, quantity int NOT NULL,
  customer text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`)
log(`  PostgreSQL: schema ${schema} (workflow store and the orders table)`)
// The queue dead-letters what its consumer rejects: messages the workflow's schema refuses.
await channel.assertExchange(deadLetters, 'fanout', { durable: false, autoDelete: true })
await channel.assertQueue(deadLetters, { durable: false })
await channel.bindQueue(deadLetters, deadLetters, '')
await channel.assertQueue(queue, { durable: false, deadLetterExchange: deadLetters })
log(`  RabbitMQ: queue ${queue}, dead letters to ${deadLetters}`)

const inventoryToken = randomUUID()
const inventory = await startInventoryApi(inventoryToken, { 'SKU-1': 40, 'SKU-2': 3 })
log(`  inventory API: ${inventory.url} (bearer token required)`)
let slackStandIn: SlackStandIn | undefined
if (!realSlackToken) {
  slackStandIn = await startSlackStandIn('xoxb-local-stand-in')
  log(`  Slack: no SLACK_BOT_TOKEN, so a local stand-in for its Web API at ${slackStandIn.url}`)
} else {
  log('  Slack: SLACK_BOT_TOKEN is set; posting to your workspace')
}

// ── the engine ───────────────────────────────────────────────────────────────────────────────
// Secrets: TESSERA_SECRET_<NAME> variables first, then this example's local values.
const secrets = [
  envSecrets(),
  mapSecrets({
    AMQP_URL: amqpUrl,
    ORDERS_DATABASE_URL: databaseUrl,
    INVENTORY_API_TOKEN: inventoryToken,
    SLACK_BOT_TOKEN: realSlackToken ?? 'xoxb-local-stand-in',
  }),
]
const workflow = orderIntake({
  inventoryUrl: inventory.url,
  ...(slackStandIn ? { slackApiUrl: slackStandIn.url } : {}),
  slackChannel: process.env.SLACK_CHANNEL ?? '#sales',
  ordersTable: `${schema}.orders`,
})
const store = createPostgresStore({ connectionString: databaseUrl }, { schema })
const engine = createEngine({
  store,
  secrets,
  workflows: [workflow],
  triggers: [
    rabbitmqTrigger({
      id: 'orders-queue',
      url: { $secret: 'AMQP_URL' },
      queue,
      workflow,
      // One run per order: a redelivered or duplicated message starts no second run.
      key: (message) => message.messageId ?? String((message.body as Order).orderId),
    }),
  ],
})
// Before any message arrives: every secret resolves and every system answers its connector's check.
const preflight = await engine.preflight(workflow, { connect: true })
log(`  preflight: ${JSON.stringify(preflight)}`)

// ── messages arrive ──────────────────────────────────────────────────────────────────────────
const orders: Order[] = [
  { orderId: `A-${suffix}-1`, sku: 'SKU-1', quantity: 5, customer: 'Acme GmbH' },
  { orderId: `A-${suffix}-2`, sku: 'SKU-2', quantity: 10, customer: 'Globex Ltd' },
  { orderId: `A-${suffix}-3`, sku: 'SKU-1', quantity: 1, customer: 'Initech' },
]
step(`Publishing ${orders.length} orders, one duplicate delivery and one malformed message`)
const publish = (body: unknown, messageId: string) =>
  channel.publish('', queue, Buffer.from(JSON.stringify(body)), {
    messageId,
    contentType: 'application/json',
  })
for (const order of orders) publish(order, order.orderId)
publish(orders[0], orders[0]!.orderId) // the same message again: no second run
publish({ orderId: `A-${suffix}-bad`, quantity: 'many' }, `A-${suffix}-bad`) // refused: dead-lettered
await channel.waitForConfirms()

await waitFor('three runs to finish', async () => {
  const { runs } = await engine.listRuns({ workflowId: workflow.id, limit: 10 })
  const ended = runs.filter((run) => run.status !== 'running' && run.status !== 'suspended')
  return ended.length >= orders.length ? runs : undefined
})
const deadLettered = await waitFor('the malformed message to be dead-lettered', async () => {
  const { messageCount } = await channel.checkQueue(deadLetters)
  return messageCount >= 1 ? messageCount : undefined
})

// Every delivery has been handled by now (the malformed one came last): list the runs again.
const { runs: allRuns } = await engine.listRuns({ workflowId: workflow.id, limit: 10 })

// ── what happened ────────────────────────────────────────────────────────────────────────────
step('Runs')
for (const run of allRuns.sort((a, b) => a.createdAt - b.createdAt)) {
  const input = run.input as Order
  log(`  ${run.id.slice(0, 8)}  ${run.status.padEnd(9)}  order ${input.orderId}`)
}
step('PostgreSQL: orders')
const { rows } = await admin.query<{ order_id: string; sku: string; status: string }>(
  `SELECT order_id, sku, quantity, customer, status FROM ${schema}.orders ORDER BY order_id`,
)
for (const row of rows) log(`  ${JSON.stringify(row)}`)
step('Slack')
if (slackStandIn)
  for (const message of slackStandIn.messages) log(`  ${message.channel}: ${message.text}`)
else log('  (posted to your workspace)')
step('RabbitMQ')
log(`  ${deadLettered} malformed message dead-lettered to ${deadLetters}`)

const problems = check(allRuns, rows, slackStandIn, deadLettered)

// ── cleanup ──────────────────────────────────────────────────────────────────────────────────
await engine.close()
await store.close()
await closePostgresConnectorPools()
await closeRabbitmqConnections()
await channel.deleteQueue(queue)
await channel.deleteQueue(deadLetters)
await channel.close()
await amqpConnection.close()
await admin.query(`DROP SCHEMA ${schema} CASCADE`)
await admin.end()
await inventory.close()
await slackStandIn?.close()

if (problems.length > 0) {
  console.error(`\n✗ ${problems.join('\n✗ ')}`)
  process.exit(1)
}
log('\n✓ three orders, three runs, three rows, three Slack messages; the duplicate started nothing')

function check(
  runs: RunRecord[],
  rows: { order_id: string; status: string }[],
  slack: SlackStandIn | undefined,
  deadCount: number,
): string[] {
  const problems: string[] = []
  if (runs.length !== orders.length) problems.push(`${runs.length} runs, expected ${orders.length}`)
  for (const run of runs)
    if (run.status !== 'succeeded') problems.push(`run ${run.id} ${run.status}`)
  const statuses = Object.fromEntries(rows.map((row) => [row.order_id, row.status]))
  const expected = {
    [orders[0]!.orderId]: 'accepted',
    [orders[1]!.orderId]: 'backordered',
    [orders[2]!.orderId]: 'accepted',
  }
  if (JSON.stringify(statuses) !== JSON.stringify(expected)) {
    problems.push(`orders table ${JSON.stringify(statuses)}, expected ${JSON.stringify(expected)}`)
  }
  if (slack && slack.messages.length !== orders.length) {
    problems.push(`${slack.messages.length} Slack messages, expected ${orders.length}`)
  }
  if (deadCount !== 1) problems.push(`${deadCount} dead letters, expected 1`)
  return problems
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`Timed out after 30 s waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
