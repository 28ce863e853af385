import { systemClock, type Clock } from '../ports/clock'
import type { QueueConsumer, QueueHandler, QueueMessage, QueueV1 } from '../ports/queue-v1'

/** Options of {@link createInProcessQueue}. */
export interface InProcessQueueOptions {
  /** Time source for delayed messages. Default: the system clock. */
  clock?: Clock
  /** Delay before a message whose handler rejected is delivered again. Default 1000 ms. */
  redeliveryDelayMs?: number
}

/** The longest delay a timer can hold. */
const maxTimerMs = 2 ** 31 - 1

/** Deliveries per drain before the queue yields to the host's event loop. */
const drainBudget = 1000

const yieldToHost: (callback: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (callback) =>
        (globalThis as unknown as { setImmediate: (cb: () => void) => void }).setImmediate(callback)
    : (callback) => setTimeout(callback, 0)

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
  let draining = false
  let closed = false

  interface Consumer {
    handler: QueueHandler
    /** Bound once: called when a handler settles. */
    release: () => void
    concurrency: number
    active: number
    stopped: boolean
    idle: (() => void)[]
  }

  const drain = () => {
    scheduled = false
    draining = true
    // Synchronous handlers can chain many deliveries in one drain: after a budget, continue on
    // the next macrotask so that timers and I/O of the host are never starved.
    let budget = drainBudget
    try {
      while (head < ready.length) {
        if (budget-- === 0) {
          scheduled = true
          yieldToHost(drain)
          break
        }
        const consumer = pickConsumer()
        if (!consumer) break
        const message = ready[head]!
        ready[head++] = undefined as unknown as QueueMessage
        deliver(consumer, message)
      }
    } finally {
      draining = false
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

  const deliver = (consumer: Consumer, message: QueueMessage) => {
    consumer.active++
    let settled: Promise<void> | void
    try {
      settled = consumer.handler(message)
    } catch {
      consumer.release()
      later({ ...message, availableAt: clock.now() + redeliveryDelayMs })
      return
    }
    // A handler that finished synchronously costs no promise at all.
    if (settled === undefined) consumer.release()
    else
      settled.then(consumer.release, () => {
        consumer.release()
        later({ ...message, availableAt: clock.now() + redeliveryDelayMs })
      })
  }

  const release = (consumer: Consumer) => {
    consumer.active--
    if (consumer.active === 0 && consumer.idle.length > 0)
      for (const resolve of consumer.idle.splice(0)) resolve()
    if (head < ready.length) schedule()
  }

  const schedule = () => {
    if (scheduled || closed || draining) return
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
    // Timers hold at most 2^31 - 1 ms (about 24.8 days); longer delays take several.
    const timer = clock.setTimeout(
      () => {
        timers.delete(timer)
        // Timers may fire a millisecond early by the wall clock: check again.
        later(message)
      },
      Math.min(delay, maxTimerMs),
    )
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
      const consumer: Consumer = {
        handler,
        release: () => release(consumer),
        concurrency,
        active: 0,
        stopped: false,
        idle: [],
      }
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
