import { systemClock, type Clock } from '../ports/clock'
import type { QueueConsumer, QueueHandler, QueueMessage, QueueV1 } from '../ports/queue-v1'

/** Options of {@link createInProcessQueue}. */
export interface InProcessQueueOptions {
  /** Time source for delayed messages. Default: the system clock. */
  clock?: Clock
  /** Delay before a message whose handler rejected is delivered again. Default 1000 ms. */
  redeliveryDelayMs?: number
}

/**
 * The in-process reference transport: a FIFO array drained on the microtask queue, with timers
 * for delayed messages. Not persistent: the store's tasks are the source of truth, and the
 * engine's recovery republishes what a crash lost.
 *
 * @example
 * ```ts
 * const engine = createEngine({ queue: createInProcessQueue() })
 * ```
 */
export function createInProcessQueue(options: InProcessQueueOptions = {}): QueueV1 {
  const clock = options.clock ?? systemClock
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 1000
  const ready: QueueMessage[] = []
  let head = 0
  const timers = new Set<unknown>()
  const consumers: Consumer[] = []
  let next = 0
  let scheduled = false
  let closed = false

  interface Consumer {
    handler: QueueHandler
    concurrency: number
    active: number
    stopped: boolean
    idle: (() => void)[]
  }

  const drain = () => {
    scheduled = false
    while (head < ready.length) {
      const consumer = pickConsumer()
      if (!consumer) break
      const message = ready[head]!
      ready[head++] = undefined as unknown as QueueMessage
      void deliver(consumer, message)
    }
    if (head > 1024 && head * 2 > ready.length) {
      ready.splice(0, head)
      head = 0
    }
  }

  const pickConsumer = (): Consumer | undefined => {
    for (let tries = 0; tries < consumers.length; tries++) {
      const consumer = consumers[next++ % consumers.length]!
      if (!consumer.stopped && consumer.active < consumer.concurrency) return consumer
    }
    return undefined
  }

  // One async function per delivery: no closures, one promise.
  const deliver = async (consumer: Consumer, message: QueueMessage) => {
    consumer.active++
    try {
      await consumer.handler(message)
    } catch {
      later({ ...message, availableAt: clock.now() + redeliveryDelayMs })
    } finally {
      release(consumer)
    }
  }

  const release = (consumer: Consumer) => {
    consumer.active--
    if (consumer.active === 0 && consumer.idle.length > 0)
      for (const resolve of consumer.idle.splice(0)) resolve()
    if (head < ready.length) schedule()
  }

  const schedule = () => {
    if (scheduled || closed) return
    scheduled = true
    queueMicrotask(drain)
  }

  const later = (message: QueueMessage) => {
    if (closed) return
    const delay = message.availableAt - clock.now()
    if (delay <= 0) {
      ready.push(message)
      schedule()
      return
    }
    const timer = clock.setTimeout(() => {
      timers.delete(timer)
      // Timers may fire a millisecond early by the wall clock: check again.
      later(message)
    }, delay)
    timers.add(timer)
  }

  return {
    specificationVersion: 'v1',
    provider: 'in-process',
    capabilities: { persistent: false, delayed: true, shared: false },
    publish(messages) {
      for (const message of messages) later(message)
    },
    consume(handler, { concurrency }): QueueConsumer {
      const consumer: Consumer = { handler, concurrency, active: 0, stopped: false, idle: [] }
      consumers.push(consumer)
      schedule()
      return {
        async stop() {
          consumer.stopped = true
          consumers.splice(consumers.indexOf(consumer), 1)
          if (consumer.active > 0) await new Promise<void>((resolve) => consumer.idle.push(resolve))
        },
      }
    },
    async close() {
      closed = true
      for (const timer of timers) clock.clearTimeout(timer)
      timers.clear()
      await Promise.all(
        consumers.slice().map((consumer) => {
          consumer.stopped = true
          return consumer.active > 0
            ? new Promise<void>((resolve) => consumer.idle.push(resolve))
            : undefined
        }),
      )
      consumers.length = 0
    },
  }
}
