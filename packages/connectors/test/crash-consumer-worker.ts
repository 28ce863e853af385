// A process that the RabbitMQ consumer crash test (src/rabbitmq/rabbitmq-crash.test.ts) SIGKILLs
// between the durable start of a run and the acknowledgement of its message: its trigger's
// startRun reports the run to the parent once it is committed (SQLite, shared with the parent),
// then never returns, so the message stays unacknowledged until the process dies.
//
// Run it as `node --import tsx crash-consumer-worker.ts` with TSX_TSCONFIG_PATH pointing at
// tsconfig.crash.json (sources, never a stale build). Environment: CONSUMER_SQLITE (the store's
// file), CONSUMER_AMQP_URL, CONSUMER_QUEUE, CONSUMER_WORKFLOW, CONSUMER_TRIGGER.
import { createEngine, type TriggerV1 } from '@tessera/core'
import { rabbitmqTrigger } from '@tessera/connectors/rabbitmq'
import { createSqliteStore } from '@tessera/connectors/sqlite'
import { orderWorkflow } from './consumer-kit'

process.on('disconnect', () => process.exit(0))

const environment = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const store = createSqliteStore({ filename: environment('CONSUMER_SQLITE') })
const engine = createEngine({ store, worker: false })
const trigger = rabbitmqTrigger({
  id: environment('CONSUMER_TRIGGER'),
  url: environment('CONSUMER_AMQP_URL'),
  queue: environment('CONSUMER_QUEUE'),
  workflow: orderWorkflow(environment('CONSUMER_WORKFLOW')),
})
const hanging: TriggerV1 = {
  ...trigger,
  start: (context) =>
    trigger.start({
      ...context,
      async startRun(input, options) {
        const started = await context.startRun(input, options)
        process.send?.({ started: started.runId })
        return new Promise<never>(() => undefined)
      },
    }),
}
await engine.startTrigger(hanging)
process.send?.({ ready: true })
