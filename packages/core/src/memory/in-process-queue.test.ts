import { describe, expect, it } from 'vitest'
import { describeQueueConformance } from '../testing/index'
import { createInProcessQueue } from './in-process-queue'

describeQueueConformance({
  name: 'in-process',
  createQueue: () => createInProcessQueue({ redeliveryDelayMs: 20 }),
})

describe('createInProcessQueue', () => {
  it('accepts handlers that finish synchronously, and yields to the host between long drains', async () => {
    const queue = createInProcessQueue()
    const total = 5000
    let handled = 0
    let handledWhenTimerRan = -1
    queue.consume(
      (message) => {
        handled++
        // Each synchronous delivery publishes the next one: a chain that never awaits.
        if (Number(message.taskId) < total - 1) {
          queue.publish([
            { taskId: String(Number(message.taskId) + 1), runId: 'r', availableAt: 0 },
          ])
        }
      },
      { concurrency: 1 },
    )
    setImmediate(() => {
      handledWhenTimerRan = handled
    })
    queue.publish([{ taskId: '0', runId: 'r', availableAt: 0 }])
    while (handled < total) await new Promise((resolve) => setImmediate(resolve))
    // The host's callback ran while the chain was still going: the queue did not starve it.
    expect(handledWhenTimerRan).toBeGreaterThan(0)
    expect(handledWhenTimerRan).toBeLessThan(total)
    await queue.close()
  })

  it('redelivers a message whose handler threw synchronously', async () => {
    const queue = createInProcessQueue({ redeliveryDelayMs: 5 })
    let calls = 0
    queue.consume(
      () => {
        calls++
        if (calls === 1) throw new Error('sync failure')
      },
      { concurrency: 1 },
    )
    queue.publish([{ taskId: 't', runId: 'r', availableAt: 0 }])
    while (calls < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(calls).toBe(2)
    await queue.close()
  })
})
