// The trigger each broker's consumer crash test uses, in the worker process
// (crash-consumer-worker.ts) and in the test (consumer-crash.test.ts) alike, so both derive the
// same keys.
import type { TriggerV1 } from '@tessera/core'
import { mqttTrigger } from '@tessera/connectors/mqtt'
import { natsTrigger } from '@tessera/connectors/nats'
import { rabbitmqTrigger } from '@tessera/connectors/rabbitmq'
import { redisStreamTrigger } from '@tessera/connectors/redis'
import { orderWorkflow } from './consumer-kit'

/** The trigger each broker's crash test uses, in the worker and in the parent alike. */
export function crashTrigger(
  broker: string,
  options: { id: string; url: string; source: string; workflowId: string; consumer: string },
): TriggerV1 {
  const workflow = orderWorkflow(options.workflowId)
  switch (broker) {
    case 'rabbitmq':
      return rabbitmqTrigger({ id: options.id, url: options.url, queue: options.source, workflow })
    case 'nats':
      return natsTrigger({
        id: options.id,
        servers: options.url,
        stream: options.source,
        consumer: 'crash',
        ackWaitMs: 1_000,
        workflow,
      })
    case 'redis':
      return redisStreamTrigger({
        id: options.id,
        url: options.url,
        stream: options.source,
        group: 'crash',
        consumer: options.consumer,
        startId: '0',
        blockMs: 100,
        claimIdleMs: 200,
        workflow,
      })
    case 'mqtt':
      return mqttTrigger({
        id: options.id,
        url: options.url,
        clientId: `${options.workflowId}-session`,
        topic: options.source,
        sessionExpirySeconds: 60,
        workflow,
      })
    default:
      throw new Error(`unknown broker ${broker}`)
  }
}
