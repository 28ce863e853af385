// A process that the consumer crash test (test/consumer-crash.test.ts) SIGKILLs between the
// durable start of a run and the acknowledgement of its message: its trigger's startRun reports
// the run to the parent once it is committed (SQLite, shared with the parent), then never
// returns, so the message stays unacknowledged until the process dies.
//
// Run it as `node --import tsx crash-consumer-worker.ts` with TSX_TSCONFIG_PATH pointing at
// tsconfig.crash.json (sources, never a stale build). Environment: CONSUMER_BROKER (rabbitmq,
// nats, redis or mqtt), CONSUMER_SQLITE (the store's file), CONSUMER_URL, CONSUMER_SOURCE (queue,
// stream or topic), CONSUMER_WORKFLOW, CONSUMER_TRIGGER.
import { createEngine, type TriggerV1 } from '@tessera/core'
import { createSqliteStore } from '@tessera/connectors/sqlite'
import { crashTrigger } from './crash-consumer-triggers'

process.on('disconnect', () => process.exit(0))

const environment = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const store = createSqliteStore({ filename: environment('CONSUMER_SQLITE') })
const engine = createEngine({ store, worker: false })
const trigger = crashTrigger(environment('CONSUMER_BROKER'), {
  id: environment('CONSUMER_TRIGGER'),
  url: environment('CONSUMER_URL'),
  source: environment('CONSUMER_SOURCE'),
  workflowId: environment('CONSUMER_WORKFLOW'),
  consumer: 'worker-killed',
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
