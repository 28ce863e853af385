import { afterEach, describe, expect, it } from 'vitest'
import type { QueueMessage, QueueV1 } from '../ports/queue-v1'
import { uniqueId } from './fixtures'

/** How to run the queue conformance suite against one transport configuration. */
export interface QueueConformanceOptions {
  name: string
  /** A fresh, empty queue for each test. */
  createQueue: () => QueueV1 | Promise<QueueV1>
  /** How long to wait for deliveries before failing. Default 5000 ms. */
  timeoutMs?: number
}

function message(overrides: Partial<QueueMessage> = {}): QueueMessage {
  return { taskId: uniqueId('task'), runId: 'run', availableAt: Date.now(), ...overrides }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * The `QueueV1` conformance suite: delivery, concurrency limits, delays, redelivery after a
 * rejected handler, and graceful stop.
 *
 * @example
 * ```ts
 * describeQueueConformance({ name: 'in-process', createQueue: () => createInProcessQueue() })
 * ```
 */
export function describeQueueConformance(options: QueueConformanceOptions): void {
  const timeoutMs = options.timeoutMs ?? 5000
  describe(`QueueV1 conformance: ${options.name}`, () => {
    const open: QueueV1[] = []
    const create = async () => {
      const queue = await options.createQueue()
      open.push(queue)
      return queue
    }
    afterEach(async () => {
      await Promise.all(open.splice(0).map((queue) => queue.close()))
    })

    it('declares itself as a v1 queue with capabilities', async () => {
      const queue = await create()
      expect(queue.specificationVersion).toBe('v1')
      expect(typeof queue.capabilities.delayed).toBe('boolean')
    })

    it('delivers every published message once when handlers succeed', async () => {
      const queue = await create()
      const sent = Array.from({ length: 50 }, () => message())
      const received: string[] = []
      queue.consume(
        async (delivered) => {
          received.push(delivered.taskId)
        },
        { concurrency: 4 },
      )
      await queue.publish(sent)
      await waitFor(() => received.length >= sent.length, timeoutMs, '50 deliveries')
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(received.sort()).toEqual(sent.map((m) => m.taskId).sort())
    })

    it('delivers messages published before the consumer started', async () => {
      const queue = await create()
      const early = message()
      await queue.publish([early])
      const received: string[] = []
      queue.consume(
        async (delivered) => {
          received.push(delivered.taskId)
        },
        { concurrency: 1 },
      )
      await waitFor(() => received.length === 1, timeoutMs, 'the early message')
      expect(received).toEqual([early.taskId])
    })

    it('never runs more handlers at once than the concurrency limit', async () => {
      const queue = await create()
      let active = 0
      let peak = 0
      let done = 0
      queue.consume(
        async () => {
          active++
          peak = Math.max(peak, active)
          await new Promise((resolve) => setTimeout(resolve, 5))
          active--
          done++
        },
        { concurrency: 3 },
      )
      await queue.publish(Array.from({ length: 20 }, () => message()))
      await waitFor(() => done === 20, timeoutMs, '20 handlers')
      expect(peak).toBe(3)
    })

    it('holds a delayed message until its availableAt', async () => {
      const queue = await create()
      const availableAt = Date.now() + 150
      let deliveredAt = 0
      queue.consume(
        async () => {
          deliveredAt = Date.now()
        },
        { concurrency: 1 },
      )
      await queue.publish([message({ availableAt })])
      await waitFor(() => deliveredAt > 0, timeoutMs, 'the delayed message')
      expect(deliveredAt).toBeGreaterThanOrEqual(availableAt)
    })

    it('redelivers a message whose handler rejected', async () => {
      const queue = await create()
      const sent = message()
      let attempts = 0
      queue.consume(
        async () => {
          attempts++
          if (attempts === 1) throw new Error('transient')
        },
        { concurrency: 1 },
      )
      await queue.publish([sent])
      await waitFor(() => attempts >= 2, timeoutMs * 2, 'the redelivery')
      expect(attempts).toBe(2)
    })

    it('stops gracefully: waits for running handlers, then delivers nothing more', async () => {
      const queue = await create()
      let finished = 0
      let started = 0
      const consumer = queue.consume(
        async () => {
          started++
          await new Promise((resolve) => setTimeout(resolve, 30))
          finished++
        },
        { concurrency: 2 },
      )
      await queue.publish([message(), message()])
      await waitFor(() => started === 2, timeoutMs, 'two handlers to start')
      await consumer.stop()
      expect(finished).toBe(2)
      await queue.publish([message()])
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(started).toBe(2)
    })
  })
}
