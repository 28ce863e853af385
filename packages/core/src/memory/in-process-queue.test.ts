import { describeQueueConformance } from '../testing/index'
import { createInProcessQueue } from './in-process-queue'

describeQueueConformance({
  name: 'in-process',
  createQueue: () => createInProcessQueue({ redeliveryDelayMs: 20 }),
})
